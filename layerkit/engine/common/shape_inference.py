"""Output specs by abstract evaluation, written once for every engine.

`compute_output_spec(evaluate, fn, args, kwargs)` replaces each SymbolicTensor
among the arguments by a placeholder of its shape and dtype, with unknown (None)
dimensions set to 83, and asks the engine to run `fn` abstractly: `evaluate(call,
specs)` gets `specs`, a list of (shape, dtype), and `call(placeholders)`, and
returns `fn`'s outputs as objects with `.shape` and `.dtype` (jax.eval_shape on
JAX, `meta` tensors on PyTorch). If a dimension was unknown it runs again with 89:
an output dimension that differs between the two runs is unknown too. (83 and 89
are primes unlikely to equal a real dimension, so a size copied from an input
is told apart from a fixed one.) Arguments that are not SymbolicTensors reach
`fn` unchanged, so a Python `training=False` stays a Python bool.
"""
import functools

from layerkit.engine.common.dtypes import standardize_dtype
from layerkit.engine.common.symbolic_tensor import SymbolicTensor

FILL_SIZES = (83, 89)


def _map(fn, tree):
    if isinstance(tree, list):
        return [_map(fn, t) for t in tree]
    if isinstance(tree, tuple):
        items = [_map(fn, t) for t in tree]
        return type(tree)(*items) if hasattr(tree, "_fields") else tuple(items)
    if isinstance(tree, dict):
        return {k: _map(fn, v) for k, v in tree.items()}
    return fn(tree)


def _symbolic_leaves(tree):
    found = []

    def visit(x):
        if isinstance(x, SymbolicTensor):
            found.append(x)
        return x
    _map(visit, tree)
    return found


def compute_output_spec(evaluate, fn, args, kwargs):
    """The outputs of `fn(*args, **kwargs)` as SymbolicTensors (see the module doc)."""
    leaves = _symbolic_leaves((args, kwargs))

    @functools.wraps(fn)    # the engine may name `fn` in a message
    def call(values):
        it = iter(values)
        a, k = _map(lambda x: next(it) if isinstance(x, SymbolicTensor) else x, (args, kwargs))
        return fn(*a, **k)

    unknown = any(None in t.shape for t in leaves)
    results = []
    for fill in FILL_SIZES[:2 if unknown else 1]:
        specs = [(tuple(fill if d is None else d for d in t.shape), t.dtype) for t in leaves]
        results.append(evaluate(call, specs))
    return _merge(results[0], results[-1])


def _merge(a, b):
    if isinstance(a, (list, tuple)):
        items = [_merge(x, y) for x, y in zip(a, b)]
        if isinstance(a, list):
            return items
        return type(a)(*items) if hasattr(a, "_fields") else tuple(items)
    if isinstance(a, dict):
        return {k: _merge(a[k], b[k]) for k in a}
    if not (hasattr(a, "shape") and hasattr(a, "dtype")):
        return a
    shape = tuple(d1 if d1 == d2 else None for d1, d2 in zip(a.shape, b.shape))
    return SymbolicTensor(shape, standardize_dtype(a.dtype))
