"""`layerkit.ops` neural-network functions: the engine's primitives plus the
losses' building blocks, written once over the primitives. Each records one graph
node when called on a symbolic tensor (see ops/dispatch.py)."""
from layerkit import config
from layerkit.engine import core as _core
from layerkit.engine import losses as _engine_losses
from layerkit.engine import nn as _engine
from layerkit.engine import numpy as _engine_np
from layerkit.engine.common.contract import CONTRACT
from layerkit.engine.common.dtypes import standardize_dtype
from layerkit.ops import numpy as np_ops
from layerkit.ops.dispatch import graph_op as _graph_op

__all__ = list(CONTRACT["nn"]) + ["moments", "separable_conv", "categorical_crossentropy",
                                  "sparse_categorical_crossentropy", "binary_crossentropy"]
for _name in CONTRACT["nn"]:
    globals()[_name] = _graph_op(getattr(_engine, _name), _name, "nn")
del _name

_dense_one_hot = one_hot  # noqa: F821 (bound above)


def _refuse_symbolic_sparse(op, args):
    from layerkit.engine.common.symbolic_tensor import any_symbolic
    if any_symbolic(args):
        raise TypeError(f"{op}: sparse=True cannot take a symbolic tensor (an Input or a "
                        "layer's output): layerkit's functional graph carries dense tensors. "
                        "Use sparse=False.")


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encoding of integer ids along `axis` (a zero row for an id outside
    [0, num_classes)). sparse=True gives a BCOO on JAX and raises on PyTorch, as in
    Keras 3."""
    dtype = "float32" if dtype is None else dtype
    if sparse:
        _refuse_symbolic_sparse("one_hot", (x,))
        from layerkit import engine
        return engine.sparse.one_hot(x, num_classes, axis=axis, dtype=dtype)
    return _dense_one_hot(x, num_classes, axis=axis, dtype=dtype)


def _moments(x, axes, keepdims=False):
    """The mean and variance of `x` over `axes`."""
    x = _core.convert_to_tensor(x)
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else (axes,)
    mean = _engine_np.mean(x, axis=axes, keepdims=True)
    # The variance's gradient through the mean is zero: stop_gradient spares computing it.
    centered = _engine_np.subtract(x, _core.stop_gradient(mean))
    variance = _engine_np.mean(_engine_np.square(centered), axis=axes, keepdims=True)
    if not keepdims:
        mean, variance = _engine_np.squeeze(mean, axes), _engine_np.squeeze(variance, axes)
    return mean, variance


moments = _graph_op(_moments, "moments", "nn")


@_graph_op
def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1, *, bias=None):
    """depthwise_conv, then a 1x1 conv with pointwise_kernel (1..., in * multiplier, out);
    `bias` (layerkit's) goes into the second conv, as in `conv`."""
    data_format = config.standardize_data_format(data_format)
    out = _engine.depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format,
                                 dilation_rate)
    return _engine.conv(out, pointwise_kernel, 1, "valid", data_format, 1, bias=bias)


def _loss_operands(target, output):
    """Both as tensors; the output float (float32 for ints), the target in its dtype."""
    output = _core.convert_to_tensor(output)
    if standardize_dtype(output.dtype) not in ("float16", "bfloat16", "float32", "float64"):
        output = _core.cast(output, "float32")
    return _core.convert_to_tensor(target, dtype=standardize_dtype(output.dtype)), output


@_graph_op
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _loss_operands(target, output)
    if from_logits:
        return -np_ops.sum(target * _engine.log_softmax(output, axis=axis), axis=axis)
    # Keras rescales the probabilities to sum to one, then clips away log(0).
    output = output / np_ops.sum(output, axis=axis, keepdims=True)
    eps = config.epsilon()
    output = np_ops.clip(output, eps, 1.0 - eps)
    return -np_ops.sum(target * np_ops.log(output), axis=axis)


@_graph_op
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    num_classes = output.shape[axis]
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = np_ops.squeeze(target, -1)
    onehot = _engine.one_hot(target, num_classes, axis=axis, dtype=output.dtype)
    return categorical_crossentropy(onehot, output, from_logits=from_logits, axis=axis)


@_graph_op
def binary_crossentropy(target, output, from_logits=False):
    target, output = _loss_operands(target, output)
    if from_logits:
        # max(x, 0) - x*z + log(1 + exp(-|x|)), stable for large |x|.
        return (np_ops.maximum(output, 0.0) - output * target
                + np_ops.log1p(np_ops.exp(-np_ops.abs(output))))
    # Keras's clip-and-log formula (fused into one kernel where the engine has one).
    return _engine_losses.binary_crossentropy_probabilities(target, output, config.epsilon())


from layerkit.ops.nn_activations import *  # noqa: E402,F401,F403
from layerkit.ops.nn_activations import __all__ as _activations  # noqa: E402
from layerkit.ops.nn_shapes import *  # noqa: E402,F401,F403
from layerkit.ops.nn_shapes import __all__ as _shapes  # noqa: E402
from layerkit.ops.nn_functions import *  # noqa: E402,F401,F403
from layerkit.ops.nn_functions import __all__ as _functions  # noqa: E402

__all__ += _activations + _shapes + _functions
