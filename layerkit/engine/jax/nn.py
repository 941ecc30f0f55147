"""Activations and neural-network primitives on JAX."""
import functools
import math

import jax
import jax.numpy as jnp

from layerkit import config
from layerkit.engine.common.conv_utils import (conv_bias, conv_groups, conv_settings,
                                                  depthwise_channels, pool_settings,
                                                  transpose_settings)
from layerkit.engine.jax.core import convert_to_tensor

relu = jax.nn.relu
relu6 = jax.nn.relu6
sigmoid = jax.nn.sigmoid
tanh = jnp.tanh
softplus = jax.nn.softplus
softsign = jax.nn.soft_sign
silu = swish = jax.nn.silu
selu = jax.nn.selu
log_sigmoid = jax.nn.log_sigmoid


def elu(x, alpha=1.0):
    return jax.nn.elu(x, alpha)


def leaky_relu(x, negative_slope=0.2):
    return jax.nn.leaky_relu(x, negative_slope)


def gelu(x, approximate=True):
    return jax.nn.gelu(x, approximate=approximate)


def hard_sigmoid(x):
    # Keras's hard_sigmoid: relu6(x + 3) / 6.
    return jax.nn.relu6(x + 3.0) / 6.0


def softmax(x, axis=-1):
    return jax.nn.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return jax.nn.log_softmax(x, axis=axis)


def one_hot(x, num_classes, axis=-1, dtype="float32"):
    return jax.nn.one_hot(x, num_classes, axis=axis, dtype=dtype)


def dense(x, kernel, bias=None):
    """x @ kernel + bias: the matmul every Dense layer does."""
    y = jnp.matmul(x, kernel)
    return y if bias is None else y + bias


# ---------------------------------------------------------------------------
# Convolution and pooling (Keras 3 `keras.ops` signatures).
#
# Kernels are laid out (spatial..., in, out) as in Keras; inputs are
# channels_last (N, spatial..., C) unless data_format says channels_first.
# 'same' follows TF: out = ceil(size / stride), and an odd total padding puts
# the extra cell after (bottom/right), which even kernels and strides need.
# ---------------------------------------------------------------------------

def _dimension_numbers(n, data_format):
    spatial = "DHW"[3 - n:]
    lhs = "N" + spatial + "C" if data_format == "channels_last" else "NC" + spatial
    return (lhs, spatial + "IO", lhs)


# Each op's array work is one jitted kernel keyed by its static settings, so an
# eager call compiles once per shape and setting (not once per jnp step), and
# inside a traced step it simply inlines.
@functools.partial(jax.jit, static_argnames=(
    "strides", "pads", "lhs_dilation", "rhs_dilation", "dimension_numbers", "groups",
    "kernel_form"))
def _conv_kernel(x, kernel, *, strides, pads, lhs_dilation, rhs_dilation, dimension_numbers,
                 groups, kernel_form):
    dtype = jnp.result_type(x.dtype, kernel.dtype)
    x, kernel = x.astype(dtype), kernel.astype(dtype)
    n = len(strides)
    if kernel_form == "depthwise":
        # (spatial..., C, M) -> (spatial..., 1, C * M): output channel c * M + m.
        kernel = jnp.reshape(kernel, kernel.shape[:n] + (1, kernel.shape[-2] * kernel.shape[-1]))
    elif kernel_form == "transpose":
        # An ordinary convolution of the stride-dilated input with the spatially
        # flipped kernel, its two channel axes swapped to (in, out).
        kernel = jnp.swapaxes(jnp.flip(kernel, axis=tuple(range(n))), -1, -2)
    return jax.lax.conv_general_dilated(
        x, kernel, window_strides=strides, padding=pads, lhs_dilation=lhs_dilation,
        rhs_dilation=rhs_dilation, dimension_numbers=dimension_numbers,
        feature_group_count=groups)


def _conv(x, kernel, strides, padding, data_format, dilation_rate, groups, op, kernel_form,
          bias):
    n, strides, dilation_rate, pads = conv_settings(x, kernel, strides, padding, data_format,
                                                    dilation_rate, op)
    y = _conv_kernel(x, kernel, strides=strides, pads=tuple(pads), lhs_dilation=(1,) * n,
                     rhs_dilation=dilation_rate,
                     dimension_numbers=_dimension_numbers(n, data_format), groups=groups,
                     kernel_form=kernel_form)
    if bias is None:
        return y
    bias = conv_bias(convert_to_tensor(bias), y.shape[-1 if data_format == "channels_last"
                                                       else 1], op)
    if data_format == "channels_first":
        bias = jnp.reshape(bias, (-1,) + (1,) * n)
    # XLA fuses the add into the convolution's output.
    return y + bias.astype(y.dtype)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1, *,
         bias=None):
    """N-D convolution; a kernel with fewer input channels than the input makes
    a grouped convolution (channels // kernel_in_channels groups). `bias` (one value
    per output channel; layerkit's, not in Keras's signature) is added to the output
    (inside torch's kernel on the torch engine)."""
    data_format = config.standardize_data_format(data_format)
    inputs, kernel = convert_to_tensor(inputs), convert_to_tensor(kernel)
    groups = conv_groups(inputs, kernel, data_format)
    return _conv(inputs, kernel, strides, padding, data_format, dilation_rate, groups, "conv",
                 None, bias)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1, *, bias=None):
    """Each input channel convolved with its own kernel (spatial..., in, multiplier);
    output channel c * multiplier + m; `bias` as in `conv`."""
    data_format = config.standardize_data_format(data_format)
    inputs, kernel = convert_to_tensor(inputs), convert_to_tensor(kernel)
    channels = depthwise_channels(inputs, kernel, data_format)
    return _conv(inputs, kernel, strides, padding, data_format, dilation_rate, channels,
                 "depthwise_conv", "depthwise", bias)


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """The gradient of `conv` with respect to its input. The kernel is laid out
    (spatial..., out_channels, in_channels), in_channels matching the input."""
    data_format = config.standardize_data_format(data_format)
    inputs, kernel = convert_to_tensor(inputs), convert_to_tensor(kernel)
    n, strides, dilation_rate, pads = transpose_settings(
        inputs, kernel, strides, padding, output_padding, dilation_rate, data_format)
    pads = tuple(pads)
    return _conv_kernel(inputs, kernel, strides=(1,) * n, pads=pads, lhs_dilation=strides,
                        rhs_dilation=dilation_rate,
                        dimension_numbers=_dimension_numbers(n, data_format), groups=1,
                        kernel_form="transpose")


@functools.partial(jax.jit, static_argnames=("kind", "window", "strides", "pads"))
def _pool_kernel(x, *, kind, window, strides, pads):
    # The initial values stay Python scalars: reduce_window recognises a
    # concrete (max, -inf) or (add, 0) pair as the differentiable max/sum
    # window primitives, and an array made inside this trace is not concrete.
    if kind == "max":
        if jnp.issubdtype(x.dtype, jnp.floating):
            init = -float("inf")
        else:
            init = int(jnp.iinfo(x.dtype).min)
        return jax.lax.reduce_window(x, init, jax.lax.max, window, strides, pads)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype("float32")
    zero = 0.0
    sums = jax.lax.reduce_window(x, zero, jax.lax.add, window, strides, pads)
    if all(p == (0, 0) for p in pads):
        return sums / math.prod(window)
    # How many real cells each window covers: a sum over ones with the same
    # padding, on the spatial axes only (it broadcasts over batch and channels).
    ones_shape = tuple(d if w != 1 else 1 for d, w in zip(x.shape, window))
    counts = jax.lax.reduce_window(jnp.ones(ones_shape, x.dtype), zero, jax.lax.add,
                                   window, strides, pads)
    return sums / counts


def _pool(kind, inputs, pool_size, strides, padding, data_format, op):
    data_format = config.standardize_data_format(data_format)
    inputs = convert_to_tensor(inputs)
    _, pool_size, strides, pads = pool_settings(inputs, pool_size, strides, padding,
                                                data_format, op)
    if data_format == "channels_last":
        full = lambda t, fill: (fill,) + tuple(t) + (fill,)  # noqa: E731
    else:
        full = lambda t, fill: (fill, fill) + tuple(t)  # noqa: E731
    return _pool_kernel(inputs, kind=kind, window=full(pool_size, 1),
                        strides=full(strides, 1), pads=full(pads, (0, 0)))


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _pool("max", inputs, pool_size, strides, padding, data_format, "max_pool")


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Mean over each window; with 'same' the padded cells are left out of the
    count (as in TF and Keras)."""
    return _pool("average", inputs, pool_size, strides, padding, data_format, "average_pool")


# Normalization primitives live in their own file.
from layerkit.engine.jax.normalization import (batch_normalization,  # noqa: E402,F401
                                                  fused_batch_normalization,
                                                  layer_normalization)

# Attention lives in its own file.
from layerkit.engine.jax.attention import dot_product_attention  # noqa: E402,F401
