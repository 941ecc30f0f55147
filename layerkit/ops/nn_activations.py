"""Keras 3's newer activation functions in `keras.ops.nn`, written once over the
array ops (each is a short elementwise formula; XLA fuses it, torch runs a few
kernels). Integer inputs compute in float32, as Keras gives."""
from layerkit.engine.common.dtypes import is_float, standardize_dtype
from layerkit.ops import dispatch as _dispatch
from layerkit.ops import numpy as _np

__all__ = ["celu", "glu", "hard_tanh", "hard_silu", "hard_swish", "hard_shrink", "soft_shrink",
           "tanh_shrink", "threshold", "sparse_plus", "sparse_sigmoid", "squareplus",
           "sparsemax"]


def _op(fn):
    return _dispatch.graph_op(fn, fn.__name__, "nn")


def _float(x):
    x = _np.array(x) if not hasattr(x, "dtype") else x
    return x if is_float(x.dtype) else _np.array(x, "float32")


@_op
def celu(x, alpha=1.0):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    x = _float(x)
    return _np.where(_np.greater(x, 0), x, _np.multiply(alpha, _np.expm1(_np.divide(x, alpha))))


@_op
def glu(x, axis=-1):
    """The first half of `x` along `axis`, gated by the sigmoid of the second half."""
    from layerkit.ops.nn import sigmoid
    x = _float(x)
    if x.shape[axis] % 2:
        raise ValueError(f"glu: axis {axis} must have an even size; received shape "
                         f"{tuple(x.shape)}.")
    a, b = _np.split(x, 2, axis=axis)
    return _np.multiply(a, sigmoid(b))


@_op
def hard_tanh(x):
    """x clipped to [-1, 1]; integer inputs keep their dtype (bool gives int32), as
    Keras gives."""
    x = _np.array(x) if not hasattr(x, "dtype") else x
    if is_float(x.dtype):
        return _np.clip(x, -1.0, 1.0)
    if standardize_dtype(x.dtype) == "bool":
        x = _np.array(x, "int32")
    return _np.clip(x, -1, 1)


@_op
def hard_silu(x):
    """x * relu6(x + 3) / 6."""
    x = _float(x)
    return _np.multiply(x, _np.divide(_np.clip(_np.add(x, 3.0), 0.0, 6.0), 6.0))


hard_swish = _dispatch.graph_op(hard_silu.__wrapped__, "hard_swish", "nn")


@_op
def hard_shrink(x, threshold=0.5):
    x = _float(x)
    return _np.where(_np.greater(_np.abs(x), threshold), x, _np.zeros_like(x))


@_op
def soft_shrink(x, threshold=0.5):
    x = _float(x)
    return _np.where(_np.greater(x, threshold), _np.subtract(x, threshold),
                     _np.where(_np.less(x, -threshold), _np.add(x, threshold),
                               _np.zeros_like(x)))


@_op
def tanh_shrink(x):
    x = _float(x)
    return _np.subtract(x, _np.tanh(x))


@_op
def threshold(x, threshold, default_value):
    """x where x > threshold, else default_value."""
    x = _np.array(x) if not hasattr(x, "dtype") else x
    return _np.where(_np.greater(x, threshold), x, _np.full_like(x, default_value))


@_op
def sparse_plus(x):
    """0 below -1, x above 1, (x + 1)^2 / 4 between."""
    x = _float(x)
    return _np.where(_np.less_equal(x, -1.0), _np.zeros_like(x),
                     _np.where(_np.greater_equal(x, 1.0), x,
                               _np.divide(_np.square(_np.add(x, 1.0)), 4.0)))


@_op
def sparse_sigmoid(x):
    """0 below -1, 1 above 1, (x + 1) / 2 between."""
    x = _float(x)
    return _np.clip(_np.multiply(_np.add(x, 1.0), 0.5), 0.0, 1.0)


@_op
def squareplus(x, b=4):
    """(x + sqrt(x^2 + b)) / 2."""
    x = _float(x)
    return _np.divide(_np.add(x, _np.sqrt(_np.add(_np.square(x), b))), 2.0)


@_op
def sparsemax(x, axis=-1):
    """The Euclidean projection of `x` onto the probability simplex along `axis`
    (Martins & Astudillo, 2016): max(x - tau, 0), with tau set so the row sums to 1."""
    x = _float(x)
    ordered = _np.flip(_np.sort(x, axis=axis), axis=axis)
    running = _np.cumsum(ordered, axis=axis)
    size = x.shape[axis]
    shape = [1] * len(x.shape)
    shape[axis] = size
    ranks = _np.reshape(_np.arange(1, size + 1, dtype=x.dtype), shape)
    support = _np.greater(ordered, _np.divide(_np.subtract(running, 1.0), ranks))
    k = _np.sum(_np.array(support, x.dtype), axis=axis, keepdims=True)
    total = _np.sum(_np.where(support, running, _np.zeros_like(running)), axis=axis,
                    keepdims=True)
    tau = _np.divide(_np.subtract(total, 1.0), k)
    return _np.maximum(_np.subtract(x, tau), 0.0)
