"""Keras 3's `keras.ops.nn` ops that move values between positions, written once
over gathers, reshapes and segment sums: depth_to_space / space_to_depth,
adaptive average and max pooling, unfold (im2col) and fold (col2im).

Adaptive pooling uses PyTorch's (and Keras's) bins: output cell i of an axis of
length L pooled to O cells covers [floor(i L / O), ceil((i + 1) L / O)). Pooling is
separable, so each spatial axis is pooled in turn: averaging as a matmul with the
(L, O) bin-weight matrix, max as a gather of each bin (its last index repeated to
the widest bin's width, which leaves the max unchanged) and a max over the bin."""
import numpy as np

from layerkit import config
from layerkit.ops import dispatch as _dispatch
from layerkit.ops import numpy as _np

__all__ = ["depth_to_space", "space_to_depth", "adaptive_average_pool", "adaptive_max_pool",
           "unfold", "fold"]


def _op(fn):
    return _dispatch.graph_op(fn, fn.__name__, "nn")


def _tensor(x):
    return _np.array(x) if not hasattr(x, "shape") else x


def _check_4d(op, x):
    if len(x.shape) != 4:
        raise ValueError(f"{op}: `x` must be a 4-D tensor (batch, height, width, channels "
                         f"or batch, channels, height, width); received shape "
                         f"{tuple(x.shape)}.")


@_op
def depth_to_space(x, block_size, data_format="channels_last"):
    x = _tensor(x)
    _check_4d("depth_to_space", x)
    b = block_size
    if data_format == "channels_last":
        n, h, w, c = x.shape
        if c % (b * b):
            raise ValueError(f"depth_to_space: channels ({c}) must be divisible by "
                             f"block_size**2 ({b * b}).")
        y = _np.reshape(x, (n, h, w, b, b, c // (b * b)))
        y = _np.transpose(y, (0, 1, 3, 2, 4, 5))
        return _np.reshape(y, (n, h * b, w * b, c // (b * b)))
    n, c, h, w = x.shape
    if c % (b * b):
        raise ValueError(f"depth_to_space: channels ({c}) must be divisible by "
                         f"block_size**2 ({b * b}).")
    y = _np.reshape(x, (n, c // (b * b), b, b, h, w))
    y = _np.transpose(y, (0, 1, 4, 2, 5, 3))
    return _np.reshape(y, (n, c // (b * b), h * b, w * b))


@_op
def space_to_depth(x, block_size, data_format="channels_last"):
    x = _tensor(x)
    _check_4d("space_to_depth", x)
    b = block_size
    if data_format == "channels_last":
        n, h, w, c = x.shape
        if h % b or w % b:
            raise ValueError(f"space_to_depth: height and width ({h}, {w}) must be divisible "
                             f"by block_size ({b}).")
        y = _np.reshape(x, (n, h // b, b, w // b, b, c))
        y = _np.transpose(y, (0, 1, 3, 2, 4, 5))
        return _np.reshape(y, (n, h // b, w // b, c * b * b))
    n, c, h, w = x.shape
    if h % b or w % b:
        raise ValueError(f"space_to_depth: height and width ({h}, {w}) must be divisible "
                         f"by block_size ({b}).")
    y = _np.reshape(x, (n, c, h // b, b, w // b, b))
    y = _np.transpose(y, (0, 1, 3, 5, 2, 4))
    return _np.reshape(y, (n, c * b * b, h // b, w // b))


def _bins(length, out):
    starts = (np.arange(out) * length) // out
    ends = -((-(np.arange(out) + 1) * length) // out)
    return starts, ends


def _spatial(op, inputs, output_size, data_format):
    x = _tensor(inputs)
    rank = len(x.shape) - 2
    if rank not in (1, 2, 3):
        raise ValueError(f"{op}: `inputs` must be 3-D, 4-D or 5-D (batch, spatial..., "
                         f"channels); received shape {tuple(x.shape)}.")
    sizes = (output_size,) * rank if isinstance(output_size, int) else tuple(output_size)
    if len(sizes) != rank:
        raise ValueError(f"{op}: output_size must have {rank} entries for a {rank}-D "
                         f"input; received {output_size!r}.")
    data_format = config.standardize_data_format(data_format)
    first = 1 if data_format == "channels_last" else 2
    return x, sizes, list(range(first, first + rank))


@_op
def adaptive_average_pool(inputs, output_size, data_format=None):
    x, sizes, axes = _spatial("adaptive_average_pool", inputs, output_size, data_format)
    for axis, out in zip(axes, sizes):
        length = x.shape[axis]
        starts, ends = _bins(length, out)
        positions = np.arange(length)[:, None]
        weights = ((positions >= starts) & (positions < ends)) / (ends - starts)
        moved = _np.moveaxis(x, axis, -1)
        x = _np.moveaxis(_np.matmul(moved, _np.array(weights, moved.dtype)), -1, axis)
    return x


@_op
def adaptive_max_pool(inputs, output_size, data_format=None):
    x, sizes, axes = _spatial("adaptive_max_pool", inputs, output_size, data_format)
    for axis, out in zip(axes, sizes):
        starts, ends = _bins(x.shape[axis], out)
        width = int((ends - starts).max())
        index = np.minimum(starts[:, None] + np.arange(width)[None], ends[:, None] - 1)
        gathered = _np.take(x, _np.array(index.reshape(-1).astype("int32")), axis=axis)
        shape = tuple(x.shape[:axis]) + (out, width) + tuple(x.shape[axis + 1:])
        x = _np.max(_np.reshape(gathered, shape), axis=axis + 1)
    return x


def _pair(value, name):
    if isinstance(value, int):
        return value, value
    if len(value) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints; received {value!r}.")
    return tuple(value)


def _patch_rows(size, kernel, dilation, stride):
    """index[k, o] of the input row read by kernel row k at output row o."""
    count = (size - dilation * (kernel - 1) - 1) // stride + 1
    return np.arange(kernel)[:, None] * dilation + np.arange(count)[None] * stride, count


@_op
def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding blocks of a (N, C, H, W) tensor as columns: (N, C * kH * kW, L), in
    PyTorch's order (channel, then kernel row, then kernel column)."""
    x = _tensor(x)
    if len(x.shape) != 4:
        raise ValueError(f"unfold: `x` must be 4-D (N, C, H, W); received shape "
                         f"{tuple(x.shape)}.")
    (kh, kw), (dh, dw) = _pair(kernel_size, "kernel_size"), _pair(dilation, "dilation")
    (ph, pw), (sh, sw) = _pair(padding, "padding"), _pair(stride, "stride")
    x = _np.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
    n, c, h, w = x.shape
    rows, oh = _patch_rows(h, kh, dh, sh)
    cols, ow = _patch_rows(w, kw, dw, sw)
    y = _np.take(x, _np.array(rows.reshape(-1).astype("int32")), axis=2)
    y = _np.take(y, _np.array(cols.reshape(-1).astype("int32")), axis=3)
    y = _np.reshape(y, (n, c, kh, oh, kw, ow))
    y = _np.transpose(y, (0, 1, 2, 4, 3, 5))
    return _np.reshape(y, (n, c * kh * kw, oh * ow))


@_op
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The adjoint of unfold: columns (N, C * kH * kW, L) summed back into an image
    (N, C, H, W); overlapping blocks add up."""
    x = _tensor(x)
    if len(x.shape) != 3:
        raise ValueError(f"fold: `x` must be 3-D (N, C * kH * kW, L); received shape "
                         f"{tuple(x.shape)}.")
    (oh_, ow_), (kh, kw) = _pair(output_size, "output_size"), _pair(kernel_size, "kernel_size")
    (dh, dw), (ph, pw) = _pair(dilation, "dilation"), _pair(padding, "padding")
    sh, sw = _pair(stride, "stride")
    n, ckk, length = x.shape
    c = ckk // (kh * kw)
    h, w = oh_ + 2 * ph, ow_ + 2 * pw
    rows, nh = _patch_rows(h, kh, dh, sh)
    cols, nw = _patch_rows(w, kw, dw, sw)
    if nh * nw != length or c * kh * kw != ckk:
        raise ValueError(f"fold: `x` of shape {tuple(x.shape)} does not hold the "
                         f"{nh * nw} blocks of {kh}x{kw} that output_size {output_size} "
                         "with this kernel, dilation, padding and stride gives.")
    # Flat target position of (kernel row, kernel col, block row, block col).
    target = (rows[:, None, :, None] * w + cols[None, :, None, :]).reshape(-1)
    y = _np.reshape(x, (n, c, kh * kw * nh * nw))
    y = _np.moveaxis(y, -1, 0)
    y = _np.segment_sum(y, _np.array(target.astype("int32")), num_segments=h * w)
    y = _np.reshape(_np.moveaxis(y, 0, -1), (n, c, h, w))
    return y[:, :, ph:ph + oh_, pw:pw + ow_]
