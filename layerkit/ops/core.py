"""`layerkit.ops` core functions: conversion, control flow, shapes and dtypes.

Bound to the engine's core module."""
from layerkit import engine as _engine_package
from layerkit.engine.common.dtypes import standardize_dtype
from layerkit.engine.common.symbolic_tensor import SymbolicTensor as _ST
from layerkit.ops import dispatch as _dispatch

_engine = _engine_package.core

is_tensor = _engine.is_tensor
cast = _dispatch.graph_op(_engine.cast, "cast", "core")
stop_gradient = _dispatch.graph_op(_engine.stop_gradient, "stop_gradient", "core")
convert_to_numpy = _dispatch.value_op(_engine.convert_to_numpy, "convert_to_numpy",
                                      "a symbolic tensor has no value to convert")
cond = _dispatch.callable_op(_engine.cond, "cond", "core")


def convert_to_tensor(x, dtype=None, sparse=None):
    """An engine tensor for `x`; a symbolic tensor stays symbolic (cast to `dtype`)."""
    if type(x) is _ST:
        if dtype is None or standardize_dtype(dtype) == x.dtype:
            return x
        return cast(x, dtype)
    return _engine.convert_to_tensor(x, dtype=dtype, sparse=sparse)


def shape(x):
    """The static shape of a tensor (or symbolic tensor) as a tuple."""
    return tuple(x.shape)


def dtype(x):
    return standardize_dtype(x.dtype)


def _saturate_cast(x, dtype):
    """`x` cast to `dtype` with values first clipped to the range that dtype (and
    x's own) can hold, so large floats do not wrap around in an integer."""
    import numpy as np
    from layerkit.engine import numpy as engine_np
    x = convert_to_tensor(x)
    dtype = standardize_dtype(dtype)
    source = standardize_dtype(x.dtype)
    if dtype == "bool" or source == "bool":
        return _engine.cast(x, dtype)
    info = np.iinfo if dtype.startswith(("int", "uint")) else np.finfo
    lo, hi = float(info(dtype).min), float(info(dtype).max)
    if source.startswith(("int", "uint")):
        lo, hi = max(lo, float(np.iinfo(source).min)), min(hi, float(np.iinfo(source).max))
        lo, hi = int(lo), int(hi)
    elif info is np.iinfo:
        # The float below the integer bound that the source dtype can hold exactly.
        hi = float(np.nextafter(np.array(hi, source), np.array(0, source))) if \
            float(np.array(hi, source)) > hi else hi
    return _engine.cast(engine_np.clip(x, lo, hi), dtype)


saturate_cast = _dispatch.graph_op(_saturate_cast, "saturate_cast", "core")


# One spelling of the engine's autodiff for custom training steps on every engine:
# value_and_grad(fn, argnums=0, has_aux=False)(*args) -> (value, grads), as
# jax.value_and_grad (torch.autograd underneath on PyTorch). Not a Keras name.
value_and_grad = _engine.value_and_grad
