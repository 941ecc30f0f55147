"""Activations and neural-network primitives on PyTorch."""
import torch
import torch.nn.functional as F

from layerkit import config
from layerkit.engine.common.conv_utils import (conv_bias, conv_groups, conv_settings,
                                                  depthwise_channels, pool_settings,
                                                  transpose_settings)
from layerkit.engine.torch import conv_channels_last
from layerkit.engine.torch.core import convert_to_tensor

_T = torch.Tensor


def _t(x):
    return x if isinstance(x, _T) else convert_to_tensor(x)


def _f(x):
    """x as a float tensor: bool and integer inputs give float32, as Keras gives
    (torch's activation kernels take floats only)."""
    x = _t(x)
    return x if x.is_floating_point() or x.is_complex() else x.to(torch.float32)


def relu(x):
    x = _t(x)
    return torch.relu(x.to(torch.int32) if x.dtype == torch.bool else x)


def relu6(x):
    return F.relu6(_f(x))


def sigmoid(x):
    return torch.sigmoid(_t(x))


def tanh(x):
    return torch.tanh(_t(x))


def softplus(x):
    return F.softplus(_f(x))


def softsign(x):
    return F.softsign(_f(x))


def silu(x):
    return F.silu(_t(x))


swish = silu


def selu(x):
    return F.selu(_f(x))


def log_sigmoid(x):
    return F.logsigmoid(_f(x))


def elu(x, alpha=1.0):
    return F.elu(_f(x), alpha=alpha)


def leaky_relu(x, negative_slope=0.2):
    return F.leaky_relu(_f(x), negative_slope=negative_slope)


def gelu(x, approximate=True):
    return F.gelu(_f(x), approximate="tanh" if approximate else "none")


def hard_sigmoid(x):
    return F.relu6(_t(x) + 3.0) / 6.0


def _over_axes(fn, x, axis):
    """`fn` (softmax-like, over one dim) applied jointly over a tuple of axes: those
    axes moved last and merged, then put back."""
    x = _t(x)
    if not (x.is_floating_point() or x.is_complex()):
        x = x.to(torch.float32)   # integer inputs give float32, as Keras gives
    if isinstance(axis, int):
        return fn(x, dim=axis)
    axes = [a % x.ndim for a in axis]
    moved = torch.movedim(x, axes, list(range(x.ndim - len(axes), x.ndim)))
    out = fn(moved.reshape(moved.shape[:x.ndim - len(axes)] + (-1,)), dim=-1)
    return torch.movedim(out.reshape(moved.shape), list(range(x.ndim - len(axes), x.ndim)),
                         axes)


def softmax(x, axis=-1):
    return _over_axes(torch.softmax, x, axis)


def log_softmax(x, axis=-1):
    return _over_axes(torch.log_softmax, x, axis)


def one_hot(x, num_classes, axis=-1, dtype="float32"):
    from layerkit.engine.torch.core import to_torch_dtype
    # A comparison, not F.one_hot: an id outside [0, num_classes) gives a row of zeros
    # (as on JAX) instead of an error.
    x = _t(x)
    classes = torch.arange(num_classes, device=x.device)
    out = (x.long().unsqueeze(-1) == classes).to(to_torch_dtype(dtype))
    return out if axis == -1 else torch.moveaxis(out, -1, axis)


def dense(x, kernel, bias=None):
    """x @ kernel + bias in one fused call (addmm for 2-D inputs)."""
    x = _t(x)
    if bias is not None and x.ndim == 2:
        return torch.addmm(bias, x, kernel)
    y = torch.matmul(x, kernel)
    return y if bias is None else y + bias


# ---------------------------------------------------------------------------
# Convolution and pooling (Keras 3 `keras.ops` signatures).
#
# Kernels are laid out (spatial..., in, out) as in Keras; inputs are
# channels_last (N, spatial..., C) unless data_format says channels_first.
# Most 1-D and 2-D convs read channels_last data in its own layout
# (conv_channels_last.py); otherwise torch works channels_first, so
# channels_last inputs are permuted there and back. 'same' follows TF:
# out = ceil(size / stride), and an odd total padding puts the extra cell
# after (bottom/right); torch's own padding is symmetric, so that case pads
# explicitly with F.pad first. The argument checks and shape
# arithmetic are engine/common/conv_utils.py's, shared with the JAX engine.
# ---------------------------------------------------------------------------

def _first_order(n):
    """The permutation from (N, spatial x n, C) to (N, C, spatial x n)."""
    return (0, n + 1, *range(1, n + 1))


def _last_order(n):
    """The permutation from (N, C, spatial x n) back to (N, spatial x n, C)."""
    return (0, *range(2, n + 2), 1)


def _to_channels_first(x, data_format):
    if data_format == "channels_last":
        if x.shape[-1] == 1 and x.is_contiguous():
            # One channel: the same memory read as (N, 1, spatial...), with canonical
            # strides. The permuted view's odd stride on the size-1 axis has corrupted
            # the heap in torch's CPU conv backward (the seed's 64x64x1 mini-Xception).
            return x.reshape(x.shape[0], 1, *x.shape[1:-1])
        return x.permute(_first_order(x.ndim - 2))
    return x


def _dense_layout(x):
    """x (N, C, spatial...) made contiguous in torch's default layout before a conv
    that torch 2.13 cannot run safely in the channels_last format (a strided 1x1 conv's
    weight gradient segfaults there, a permuted one-channel tensor corrupted the heap:
    conv_channels_last.py). Each such conv's output is this memory seen channels_last,
    which a next such conv reads without a copy."""
    return x.contiguous()


def _from_channels_first(x, data_format):
    if data_format == "channels_last":
        return x.permute(_last_order(x.ndim - 2))
    return x


def _split_pads(pads):
    """[(before, after)] per spatial axis as (F.pad's flat pads, or None where torch's
    own symmetric `padding` does it all; that symmetric padding)."""
    if all(b == a for b, a in pads):
        return None, tuple(b for b, _ in pads)
    return tuple(p for before, after in reversed(pads) for p in (before, after)), \
        (0,) * len(pads)


def _pad_spatial(x, pads, value=0.0):
    """Pads a channels_first x by [(before, after)] per spatial axis. Returns x
    and the symmetric padding left for torch's own `padding` argument."""
    flat, sym = _split_pads(pads)
    return (x if flat is None else F.pad(x, flat, value=value)), sym


def _promote(a, b):
    a, b = _t(a), _t(b)
    if a.dtype == b.dtype and a.is_floating_point():
        return a, b
    dtype = torch.promote_types(a.dtype, b.dtype)
    if not dtype.is_floating_point and not dtype.is_complex:
        dtype = torch.float32
    return a.to(dtype), b.to(dtype)


_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
_MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


# The checked plan of a conv or max-pool call per (op, shapes, dtypes, arguments): an
# eager step calls each layer with the same ones every time, and checking them again,
# with the layout helpers' calls, cost a third of a small Conv1D's forward pass. A conv
# plan starts with the function that runs it, `plan[0](plan, inputs, kernel, bias)`:
# conv_channels_last.run (see its plan), or _run_channels_first, whose plan holds
# (that runner, conv fn, input permutation or None, explicit pads or None, kernel
# permutation, strides, symmetric padding, dilation, groups, output permutation or
# None); a max-pool plan, see max_pool.
_PLANS = {}


def _plan_key(inputs, data_format, arguments, kernel=None, bias=None):
    """(key, the plan kept under it or None): the op's `arguments` (a tuple) with the
    inputs', kernel's and bias's shapes and dtypes. No key where no plan may be kept:
    inputs that are not plain tensors (numpy, a DTensor), one channels_last channel (read
    by its strides, see _to_channels_first), or arguments that are not hashable (lists)
    or not tensors where tensors go."""
    if type(inputs) is not _T or (data_format == "channels_last" and inputs.shape[-1] == 1):
        return None, None
    try:
        key = (inputs.shape, inputs.dtype, data_format, arguments,
               None if kernel is None else (kernel.shape, kernel.dtype),
               None if bias is None else (bias.shape, bias.dtype))
        return key, _PLANS.get(key)
    except (AttributeError, TypeError):
        return None, None


def _keep_plan(key, plan):
    if key is not None and len(_PLANS) < 4096:
        _PLANS[key] = plan


def _run_channels_first(plan, inputs, kernel, bias):
    to_first = plan[2]
    x = inputs if to_first is None else inputs.permute(to_first)
    if not x.is_contiguous():
        x = x.contiguous()      # see _dense_layout
    return _convolve(plan, x, kernel, bias)


def _convolve(plan, x, kernel, bias):
    """The plan's convolution of x, already channels-first and contiguous."""
    _, fn, _, pads, kernel_order, strides, sym, dilation_rate, groups, to_last = plan
    if pads is not None:
        x = F.pad(x, pads)
    weight = kernel.permute(kernel_order)
    if not weight.is_contiguous():
        weight = weight.contiguous()
    y = fn(x, weight, bias, strides, sym, dilation_rate, groups)
    return y if to_last is None else y.permute(to_last)


def _conv(inputs, kernel, strides, padding, data_format, dilation_rate, groups, op, bias,
          key=None):
    """The checked convolution; with `key`, its plan is kept for the next call."""
    n, strides, dilation_rate, pads = conv_settings(inputs, kernel, strides, padding,
                                                    data_format, dilation_rate, op)
    if bias is not None:
        bias = conv_bias(_t(bias), kernel.shape[-1], op)
        if bias.dtype != inputs.dtype:
            bias, key = bias.to(inputs.dtype), None
    last = data_format == "channels_last"
    flat, sym = _split_pads(pads)
    if last and conv_channels_last.reads_in_place(n, inputs.shape[-1], kernel.shape[:n],
                                                  strides, groups):
        plan = conv_channels_last.plan(n, flat, sym, strides, dilation_rate, groups)
        _keep_plan(key, plan)
        return conv_channels_last.run(plan, inputs, kernel, bias)
    # The kernel (spatial..., in / groups, out) is read as torch's (out, in / groups,
    # spatial...), contiguous for the same reason as the input (a depthwise kernel has one
    # input channel per group); a kernel Variable kept in that memory
    # (keep_conv_kernel_layout) is read without a copy.
    plan = (_run_channels_first, _CONV[n], _first_order(n) if last else None, flat,
            (n + 1, n, *range(n)), strides, sym, dilation_rate, groups,
            _last_order(n) if last else None)
    _keep_plan(key, plan)
    return _convolve(plan, _dense_layout(_to_channels_first(inputs, data_format)), kernel,
                     bias)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1, *,
         bias=None):
    """N-D convolution; a kernel with fewer input channels than the input makes
    a grouped convolution (channels // kernel_in_channels groups). `bias` (one value
    per output channel; layerkit's, not in Keras's signature) is added inside torch's
    kernel: a separate add and its gradient's sum each cost a pass over the output."""
    # Resolved first: None means the global image_data_format, which may change.
    data_format = config.standardize_data_format(data_format)
    key, plan = _plan_key(inputs, data_format, ("conv", strides, padding, dilation_rate),
                          kernel, bias)
    if plan is not None:
        return plan[0](plan, inputs, kernel, bias)
    promoted = _promote(inputs, kernel)
    if promoted[0] is not inputs or promoted[1] is not kernel:
        key = None     # a plan is kept only for inputs that need no conversion
    inputs, kernel = promoted
    groups = conv_groups(inputs, kernel, data_format)
    return _conv(inputs, kernel, strides, padding, data_format, dilation_rate, groups, "conv",
                 bias, key)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1, *, bias=None):
    """Each input channel convolved with its own kernel (spatial..., in, multiplier);
    output channel c * multiplier + m; `bias` as in `conv`."""
    data_format = config.standardize_data_format(data_format)
    key, plan = _plan_key(inputs, data_format, ("depthwise", strides, padding, dilation_rate),
                          kernel, bias)
    if plan is not None:
        return plan[0](plan, inputs, _grouped_kernel(kernel), bias)
    promoted = _promote(inputs, kernel)
    if promoted[0] is not inputs or promoted[1] is not kernel:
        key = None
    inputs, kernel = promoted
    channels = depthwise_channels(inputs, kernel, data_format)
    return _conv(inputs, _grouped_kernel(kernel), strides, padding, data_format,
                 dilation_rate, channels, "depthwise_conv", bias, key)


def _grouped_kernel(kernel):
    """(spatial..., in, multiplier) as a grouped conv's (spatial..., 1, in * multiplier):
    a view of a kernel kept by keep_conv_kernel_layout(depthwise=True)."""
    shape = kernel.shape
    return kernel.reshape(tuple(shape[:-2]) + (1, shape[-2] * shape[-1]))


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """The gradient of `conv` with respect to its input. The kernel is laid out
    (spatial..., out_channels, in_channels), in_channels matching the input.

    Keras's extent is the full transposed output cut unevenly at each end, or
    extended with zero cells after it. torch's `padding` cuts both ends
    evenly, so it does the common part and a slice or F.pad the rest (torch's
    own output_padding could not always express Keras's sizes)."""
    data_format = config.standardize_data_format(data_format)
    inputs, kernel = _promote(inputs, kernel)
    n, strides, dilation_rate, pads = transpose_settings(
        inputs, kernel, strides, padding, output_padding, dilation_rate, data_format)
    windows = [(k - 1) * d + 1 for k, d in zip(kernel.shape[:n], dilation_rate)]
    # Cells to cut from each end of the full output (negative: zeros to add).
    cuts = [(w - 1 - b, w - 1 - a) for w, (b, a) in zip(windows, pads)]
    sym = tuple(min(b, max(a, 0)) for b, a in cuts)
    x = _to_channels_first(inputs, data_format)
    weight = kernel.permute(n + 1, n, *range(n))  # (in, out, spatial...)
    y = _CONV_T[n](x, weight, None, strides, sym, 0, 1, dilation_rate)
    cuts = [(b - s, a - s) for (b, a), s in zip(cuts, sym)]
    if any(b or a for b, a in cuts):
        index = (slice(None),) * 2 + tuple(
            slice(b, size - max(a, 0)) for (b, a), size in zip(cuts, y.shape[2:]))
        y = y[index]
        grow = []
        for _, a in reversed(cuts):
            grow += [0, max(-a, 0)]
        if any(grow):
            y = F.pad(y, grow)
    return _from_channels_first(y, data_format)


def _pool_args(inputs, pool_size, strides, padding, data_format, op):
    data_format = config.standardize_data_format(data_format)
    inputs = _t(inputs)
    n, pool_size, strides, pads = pool_settings(inputs, pool_size, strides, padding,
                                                data_format, op)
    return data_format, n, _to_channels_first(inputs, data_format), pool_size, strides, pads


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Its plan: (pool fn, input permutation or None, explicit -inf pads or None, pool
    size, strides, torch's padding, ceil_mode, output permutation or None)."""
    data_format = config.standardize_data_format(data_format)   # as in conv
    key, plan = _plan_key(inputs, data_format, ("max_pool", pool_size, strides, padding))
    if plan is not None:
        return _run_pool_plan(plan, inputs)
    data_format, n, x, pool_size, strides, pads = _pool_args(
        inputs, pool_size, strides, padding, data_format, "max_pool")
    last = data_format == "channels_last"
    ceil = _ceil_mode_pads(x.shape[2:], pool_size, strides, pads)
    flat, torch_padding = (None, ceil) if ceil is not None else _split_pads(pads)
    plan = (_MAX_POOL[n], _first_order(n) if last else None, flat, pool_size, strides,
            torch_padding, ceil is not None, _last_order(n) if last else None)
    _keep_plan(key, plan)
    return _run_pool_plan(plan, x, permuted=True)


def _run_pool_plan(plan, x, permuted=False):
    """`permuted`: x is channels-first already."""
    fn, to_first, pads, pool_size, strides, torch_padding, ceil, to_last = plan
    if to_first is not None and not permuted:
        x = x.permute(to_first)
    if pads is not None:
        x = F.pad(x, pads, value=float("-inf"))
    y = fn(x, pool_size, strides, torch_padding, ceil_mode=ceil)
    return y if to_last is None else y.permute(to_last)


def _ceil_mode_pads(sizes, pool_size, strides, pads):
    """torch's own padding for TF 'same' max pooling with one cell more after than
    before (the seed's 3x3 stride-2 pools on even sizes): the before-padding on both
    sides plus ceil_mode, which lets the last window run past the end, gives the same
    windows without an F.pad copy of the input (and of its gradient). None where the
    output sizes would differ."""
    if all(b == a for b, a in pads):
        return None
    for size, k, s, (b, a) in zip(sizes, pool_size, strides, pads):
        expected = (size + b + a - k) // s + 1
        got = -(-(size + 2 * b - k) // s) + 1
        if (got - 1) * s >= size + b:  # torch drops a window starting in the padding
            got -= 1
        if a not in (b, b + 1) or 2 * b > k or got != expected:
            return None
    return tuple(b for b, _ in pads)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Mean over each window; with 'same' the padded cells are left out of the
    count (as in TF and Keras)."""
    data_format, n, x, pool_size, strides, pads = _pool_args(
        inputs, pool_size, strides, padding, data_format, "average_pool")
    if not x.is_floating_point():
        x = x.float()
    padded, sym = _pad_spatial(x, pads)
    y = _AVG_POOL[n](padded, pool_size, strides, sym, False, False)
    if padded is not x:
        # Asymmetric padding: divide by the real cells each window covers.
        ones = torch.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype, device=x.device)
        y = y / _AVG_POOL[n](_pad_spatial(ones, pads)[0], pool_size, strides)
    return _from_channels_first(y, data_format)


# Normalization primitives live in their own file.
from layerkit.engine.torch.normalization import (batch_normalization,  # noqa: E402,F401
                                                  fused_batch_normalization,
                                                  layer_normalization)

# Attention lives in its own file.
from layerkit.engine.torch.attention import dot_product_attention  # noqa: E402,F401
