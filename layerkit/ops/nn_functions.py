"""Keras 3's `keras.ops.nn` functions written once over the array ops: normalize,
rms_normalization, multi_hot, polar, psnr, and CTC (the loss from the engine,
greedy decoding here, beam search in ctc_beam_search.py)."""
from layerkit import config
from layerkit import engine as _engine_package
from layerkit.engine.common.dtypes import is_float, standardize_dtype
from layerkit.ops import ctc_beam_search as _ctc_beam_search
from layerkit.ops import dispatch as _dispatch
from layerkit.ops import math as _math
from layerkit.ops import numpy as _np

__all__ = ["normalize", "rms_normalization", "multi_hot", "polar", "psnr", "ctc_loss",
           "ctc_decode"]


def _op(fn):
    return _dispatch.graph_op(fn, fn.__name__, "nn")


def _tensor(x):
    return _np.array(x) if not hasattr(x, "dtype") else x


def _compute_dtype(dtype):
    """float32 at least: half precision statistics are computed in float32."""
    dtype = standardize_dtype(dtype)
    return dtype if dtype == "float64" else "float32"


@_op
def normalize(x, axis=-1, order=2, epsilon=None):
    """x divided by its `order`-norm along `axis` (at least epsilon)."""
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"normalize: `order` must be an int >= 1; received {order!r}.")
    x = _tensor(x)
    if not is_float(x.dtype):
        x = _np.array(x, config.floatx())
    if len(x.shape) == 0:
        x = _np.expand_dims(x, 0)
    epsilon = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        inverse = _math.rsqrt(_np.sum(_np.square(x), axis=axis, keepdims=True))
        # 1 / epsilon past float16's range is inf there (as JAX rounds it).
        bound = 1.0 / epsilon
        if standardize_dtype(x.dtype) == "float16" and bound > 65504.0:
            bound = float("inf")
        return _np.multiply(x, _np.minimum(inverse, bound))
    norm = _np.norm(x, ord=order, axis=axis, keepdims=True)
    return _np.divide(x, _np.maximum(norm, epsilon))


@_op
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """x / sqrt(mean(x^2 over axis) + epsilon), times `scale`; computed in float32
    at least and returned in x's dtype."""
    x = _tensor(x)
    original = standardize_dtype(x.dtype)
    x = _np.array(x, _compute_dtype(original))
    epsilon = config.epsilon() if epsilon is None else epsilon
    if len(x.shape) == 0:
        x = _np.expand_dims(x, 0)
    axis = tuple(axis) if isinstance(axis, list) else axis
    inverse = _math.rsqrt(_np.add(_np.mean(_np.square(x), axis=axis, keepdims=True), epsilon))
    out = _np.multiply(x, inverse)
    if scale is not None:
        out = _np.multiply(out, _np.array(scale, standardize_dtype(x.dtype)))
    return _np.array(out, original)


def _num_classes(num_classes, kwargs):
    """num_classes (or its Keras 2 name num_tokens); any other keyword is an error."""
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if kwargs:
        raise TypeError(f"multi_hot: unexpected keyword argument(s) {sorted(kwargs)}.")
    if num_classes is None:
        raise ValueError("multi_hot: `num_classes` must be given.")
    return num_classes


def _dense_multi_hot(inputs, num_classes=None, axis=-1, dtype=None, **kwargs):
    num_classes = _num_classes(num_classes, kwargs)
    from layerkit.ops.nn import one_hot
    inputs = _tensor(inputs)
    dtype = standardize_dtype(dtype)
    encoded = one_hot(_np.array(inputs, "int32"), num_classes, axis=axis, dtype=dtype)
    return _np.max(encoded, axis=1 if len(inputs.shape) > 1 else 0)


_dense_multi_hot = _dispatch.graph_op(_dense_multi_hot, "multi_hot", "nn")


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """1 at each class listed in a row of `inputs` (a 1-D tensor is one row).
    sparse=True gives a BCOO on JAX and raises on PyTorch, as in Keras 3."""
    if not sparse:
        return _dense_multi_hot(inputs, num_classes, axis, dtype, **kwargs)
    from layerkit.ops.nn import _refuse_symbolic_sparse
    _refuse_symbolic_sparse("multi_hot", (inputs,))
    num_classes = _num_classes(num_classes, kwargs)
    return _engine_package.sparse.multi_hot(inputs, num_classes, axis=axis,
                                            dtype=standardize_dtype(dtype))


@_op
def polar(abs_, angle):
    """The complex number abs_ * (cos(angle) + i sin(angle))."""
    abs_, angle = _tensor(abs_), _tensor(angle)
    parts = _np.stack([_np.multiply(abs_, _np.cos(angle)), _np.multiply(abs_, _np.sin(angle))],
                      axis=-1)
    return _math.view_as_complex(parts)


@_op
def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio: 20 log10(max_val) - 10 log10(mean squared error)."""
    x1, x2 = _tensor(x1), _tensor(x2)
    if tuple(x1.shape) != tuple(x2.shape):
        raise ValueError(f"psnr: x1 and x2 must have the same shape; received "
                         f"{tuple(x1.shape)} and {tuple(x2.shape)}.")
    max_val = _np.array(max_val, standardize_dtype(x2.dtype))
    mse = _np.mean(_np.square(_np.subtract(x1, x2)))
    return _np.subtract(_np.multiply(20.0, _np.log10(max_val)),
                        _np.multiply(10.0, _np.log10(mse)))


ctc_loss = _dispatch.graph_op(_engine_package.ctc.ctc_loss, "ctc_loss", "nn")


def _greedy(inputs, sequence_lengths, merge_repeated, mask_index):
    """The best class per step; repeats merged, blanks dropped, the labels moved to
    the front and the rest filled with -1, as Keras gives."""
    batch, steps, _ = inputs.shape
    labels = _np.argmax(inputs, axis=-1)
    scores = _np.max(inputs, axis=-1)
    beyond = _np.greater_equal(_np.expand_dims(_np.arange(steps, dtype="int32"), 0),
                               _np.expand_dims(_np.array(sequence_lengths, "int32"), 1))
    labels = _np.where(beyond, mask_index, labels)
    scores = _np.where(beyond, _np.zeros_like(scores), scores)
    if merge_repeated:
        repeat = _np.equal(labels[:, 1:], labels[:, :-1])
        repeat = _np.pad(repeat, [(0, 0), (1, 0)])
        labels = _np.where(repeat, mask_index, labels)
    blank = _np.equal(labels, mask_index)
    labels = _np.where(blank, -1, labels)
    order = _np.where(blank, steps, _np.expand_dims(_np.arange(steps, dtype="int32"), 0))
    labels = _np.take_along_axis(labels, _np.argsort(order, axis=-1), axis=-1)
    return _np.expand_dims(labels, 0), _np.expand_dims(-_np.sum(scores, axis=1), 1)


@_op
def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """(decoded (top_paths, batch, steps) int32 labels padded with -1, scores
    (batch, top_paths))."""
    inputs = _tensor(inputs)
    inputs = _np.array(inputs, _compute_dtype(inputs.dtype))
    if strategy == "greedy":
        return _greedy(inputs, sequence_lengths, merge_repeated, mask_index)
    if strategy == "beam_search":
        for name, value in (("beam_width", beam_width), ("top_paths", top_paths)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"ctc_decode: `{name}` must be an int >= 1; received "
                                 f"{value!r}.")
        return _ctc_beam_search.beam_search(inputs, sequence_lengths, beam_width, top_paths,
                                            mask_index)
    raise ValueError(f"ctc_decode: strategy must be 'greedy' or 'beam_search'; received "
                     f"{strategy!r}.")
