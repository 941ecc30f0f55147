"""Keras masks attached to tensors: `get_keras_mask(x)` / `set_keras_mask(x, mask)`.

How masks travel (Keras 3 semantics, what users see):
- In a Functional or Sequential model the graph runner carries masks beside the
  tensors (models/functional.py): a node's input mask comes from the runner's table,
  the layer's output mask goes back into it, and only the model's outputs get their
  mask attached (so a nested model, the loss and the metrics find it).
- Symbolic tensors carry the spec of their mask (`SymbolicTensor._keras_mask`), so a
  graph knows at build time which of its tensors are masked; a graph with no masked
  tensor runs the plain loop and pays nothing.
- Outside a graph (a subclassed model's `call`, a direct eager call), a layer's output
  mask is attached to the output tensor and the next layer finds it there, as in
  Keras 3 (`self.lstm(self.embedding(x))` is masked).

Why attach at all, rather than only carry masks in the graph runner: the loss and the
metrics must find the output mask on `y_pred` (Keras 3's `Loss.__call__` reads it
there, and users' `compute_loss` overrides receive only y_pred), a nested model must
hand its output mask to the outer graph, and subclassed models chain eager calls. One
attached mask per model output, or per eager call outside a graph, serves all three
without changing any public signature.

Attaching: Keras 3 sets an attribute `_keras_mask` on the tensor and, where the tensor
cannot hold one (JAX tracers under jit/grad), keeps it in a table keyed by `id(x)`
whose entry a weakref finalizer removes when the tensor dies (so a recycled id never
sees a stale mask). We do the same; torch tensors and JAX arrays (jax 0.10) take
the attribute. As in Keras, a layer that returns its input object unchanged shares
that object's mask.

`LIVE` stays False until the first mask is attached: until then no layer call looks
for masks at all (the seed MLP's step does no mask work). A mask that crosses a JAX
transformation boundary (the aux output of value_and_grad) is a new tracer and loses
its attachment: the engine's trainer re-attaches it.
"""
import weakref

_ATTR = "_keras_mask"
_TABLE = {}          # id(tensor) -> mask, for tensors that take no attribute
LIVE = False         # True once any mask was attached in this process


def _forget(key):
    _TABLE.pop(key, None)


def set_keras_mask(x, mask):
    """Attaches `mask` to `x` (None detaches it)."""
    global LIVE
    if mask is not None:
        LIVE = True
    try:
        setattr(x, _ATTR, mask)
        return
    except (AttributeError, TypeError):
        pass
    key = id(x)
    if mask is None:
        _TABLE.pop(key, None)
        return
    if key not in _TABLE:
        weakref.finalize(x, _forget, key)
    _TABLE[key] = mask


def get_keras_mask(x):
    """The mask attached to `x`, or None."""
    if not LIVE or x is None:
        return None
    mask = getattr(x, _ATTR, None)
    if mask is None and _TABLE:
        mask = _TABLE.get(id(x))
    return mask


def get_masks(structure):
    """`get_keras_mask` over a (nested) list/tuple/dict of tensors."""
    if isinstance(structure, (list, tuple)):
        return type(structure)(get_masks(s) for s in structure)
    if isinstance(structure, dict):
        return {k: get_masks(v) for k, v in structure.items()}
    return get_keras_mask(structure)


def any_mask(masks):
    """True if any leaf of a (nested) mask structure is a mask."""
    if masks is None:
        return False
    if isinstance(masks, (list, tuple)):
        return any(any_mask(m) for m in masks)
    if isinstance(masks, dict):
        return any(any_mask(m) for m in masks.values())
    return True


def set_masks(structure, masks):
    """Attaches a structure of masks to the same structure of tensors (the engine
    trainers use it where a transformation returned new tensors)."""
    if masks is None:
        return
    if isinstance(structure, (list, tuple)):
        for s, m in zip(structure, masks):
            set_masks(s, m)
    elif isinstance(structure, dict):
        for k, s in structure.items():
            set_masks(s, masks.get(k))
    else:
        set_keras_mask(structure, masks)
