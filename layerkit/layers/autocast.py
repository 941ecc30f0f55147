"""A layer's call under its dtype policy, as Keras 3 runs it.

- Float tensor inputs are cast to the layer's compute dtype (Keras 3's
  `convert_input`: integer and bool inputs, masks included, are left alone), unless
  the layer was made with `autocast=False` or does not compute in a float dtype.
- A mixed layer (compute dtype not its variable dtype) runs inside an AutocastScope,
  so its float32 Variables are read as float16/bfloat16; a layer nested in one runs
  in a scope of its own compute dtype, or in none if it opts out.
The float32 case costs one dtype comparison per call and opens no scope.
"""
from layerkit import engine
from layerkit.engine.common import masking
from layerkit.engine.common.autocast_scope import ACTIVE, AutocastScope, get_autocast_scope
from layerkit.engine.common.dtypes import standardize_dtype

_FLOATS = ("float16", "bfloat16", "float32", "float64")


def call_in_policy(layer, args, kwargs):
    """`layer.call(*args, **kwargs)` with the inputs cast and the Variables autocast."""
    policy = layer._dtype_policy
    compute = policy._compute_dtype
    if layer.autocast and layer._autocast_inputs and compute in _FLOATS:
        # The common case, one tensor already in the compute dtype and no float keyword
        # (training, a bool mask), costs a memo lookup: an eager step calls every layer.
        if len(args) != 1 or _casts(getattr(args[0], "dtype", None), compute) or \
                (kwargs and _any_to_cast(kwargs.values(), compute)):
            args = _cast(args, compute)
            kwargs = _cast(kwargs, compute) if kwargs else kwargs
    if ACTIVE or compute != policy._variable_dtype:
        scope = _scope_for(layer, compute, policy._variable_dtype)
        if scope is not None:
            with scope:
                return layer.call(*args, **kwargs)
    return layer.call(*args, **kwargs)


# (engine dtype, compute dtype) -> whether a value of that dtype is cast.
_CASTS = {}


def _casts(dtype, compute):
    if dtype is None:
        return False
    try:
        return _CASTS[dtype, compute]
    except KeyError:
        name = standardize_dtype(dtype)
        out = _CASTS[dtype, compute] = name != compute and name in _FLOATS
        return out
    except TypeError:     # an unhashable dtype spelling
        name = standardize_dtype(dtype)
        return name != compute and name in _FLOATS


def _any_to_cast(values, compute):
    for x in values:
        if x is None or x.__class__ is bool:
            continue
        if isinstance(x, (list, tuple, dict)) or _casts(getattr(x, "dtype", None), compute):
            return True
    return False


def _cast(structure, dtype):
    if isinstance(structure, (list, tuple)):
        out = [_cast(v, dtype) for v in structure]
        return type(structure)(out) if type(structure) in (list, tuple) else \
            type(structure)(*out)
    if isinstance(structure, dict):
        return {k: _cast(v, dtype) for k, v in structure.items()}
    if engine.is_tensor(structure):
        current = standardize_dtype(structure.dtype)
        if current != dtype and current in _FLOATS:
            out = engine.cast(structure, dtype)
            if masking.LIVE:     # the cast keeps the input's mask
                mask = masking.get_keras_mask(structure)
                if mask is not None:
                    masking.set_keras_mask(out, mask)
            return out
    return structure


def _scope_for(layer, compute, variable):
    """The scope to open around the call, or None (Keras 3's rule)."""
    current = get_autocast_scope()
    if current is None:
        # Keras 3 opens it for any mixed layer, `autocast=False` too (that only keeps
        # the inputs uncast).
        return AutocastScope(compute) if compute != variable and compute in _FLOATS else None
    wanted = compute if layer.autocast and compute in _FLOATS else None
    return None if current.dtype == wanted else AutocastScope(wanted)
