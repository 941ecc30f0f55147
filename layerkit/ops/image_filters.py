"""`ops.image` filters and patch extraction, written once over the array ops:
gaussian_blur and sobel_edges (depthwise convolutions with 'same' zero padding),
ssim (Gaussian-window structural similarity, Wang et al. 2004, 'valid' windows),
extract_patches / extract_patches_3d (gathers of each window; a patch is flattened
in (row, column[, depth], channel) order, as Keras's identity-kernel convolution
gives)."""
import numpy as np

from layerkit import config
from layerkit.engine.common.dtypes import is_float, standardize_dtype
from layerkit.ops import dispatch as _dispatch
from layerkit.ops import nn as _nn
from layerkit.ops import numpy as _np

__all__ = ["gaussian_blur", "sobel_edges", "ssim", "extract_patches", "extract_patches_3d"]


def _op(fn):
    return _dispatch.graph_op(fn, fn.__name__, "image")


def _batched(op, images, data_format):
    """(NHWC float images, whether a batch axis was added)."""
    images = _np.array(images) if not hasattr(images, "shape") else images
    if len(images.shape) not in (3, 4):
        raise ValueError(f"{op}: invalid images rank: expected rank 3 (single image) or rank "
                         f"4 (batch of images); received shape {tuple(images.shape)}.")
    single = len(images.shape) == 3
    if single:
        images = _np.expand_dims(images, 0)
    if config.standardize_data_format(data_format) == "channels_first":
        images = _np.transpose(images, (0, 2, 3, 1))
    return images, single


def _restore(images, single, data_format):
    if config.standardize_data_format(data_format) == "channels_first":
        images = _np.moveaxis(images, 3, 1)
    return _np.squeeze(images, 0) if single else images


def _gaussian(size, sigma):
    x = np.arange(size, dtype="float64") - (size - 1) / 2.0
    g = np.exp(-0.5 * (x / sigma) ** 2)
    return g / g.sum()


def _depthwise(images, kernel2d, padding):
    channels = images.shape[-1]
    kernel = np.broadcast_to(kernel2d[:, :, None, None], kernel2d.shape + (channels, 1))
    kernel = _np.array(np.ascontiguousarray(kernel), standardize_dtype(images.dtype))
    return _nn.depthwise_conv(images, kernel, 1, padding, "channels_last")


@_op
def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """A Gaussian blur; kernel_size and sigma are (width, height) pairs, as Keras takes
    them."""
    x, single = _batched("gaussian_blur", images, data_format)
    kernel_size = (kernel_size,) * 2 if isinstance(kernel_size, int) else tuple(kernel_size)
    sigma = (sigma,) * 2 if isinstance(sigma, (int, float)) else tuple(float(s) for s in sigma)
    kernel = np.outer(_gaussian(kernel_size[1], sigma[1]), _gaussian(kernel_size[0], sigma[0]))
    return _restore(_depthwise(x, kernel, "same"), single, data_format)


_SOBEL_Y = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype="float64")


@_op
def sobel_edges(images, data_format=None):
    """The vertical and horizontal Sobel responses stacked on a new last axis:
    (..., 2) holding (dy, dx)."""
    x, single = _batched("sobel_edges", images, data_format)
    dy = _restore(_depthwise(x, _SOBEL_Y, "same"), single, data_format)
    dx = _restore(_depthwise(x, _SOBEL_Y.T.copy(), "same"), single, data_format)
    return _np.stack([dy, dx], axis=-1)


@_op
def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """Mean structural similarity of each image pair (a scalar for single images)."""
    a, single = _batched("ssim", image1, data_format)
    b, _ = _batched("ssim", image2, data_format)
    dtype = standardize_dtype(a.dtype)
    work = dtype if is_float(dtype) else "float32"
    a, b = _np.array(a, work), _np.array(b, work)
    window = np.outer(_gaussian(filter_size, filter_sigma), _gaussian(filter_size,
                                                                       filter_sigma))
    mean = lambda t: _depthwise(t, window, "valid")  # noqa: E731
    mu1, mu2 = mean(a), mean(b)
    mu11, mu22, mu12 = _np.square(mu1), _np.square(mu2), _np.multiply(mu1, mu2)
    var1 = _np.subtract(mean(_np.square(a)), mu11)
    var2 = _np.subtract(mean(_np.square(b)), mu22)
    cov = _np.subtract(mean(_np.multiply(a, b)), mu12)
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    numerator = _np.multiply(_np.add(_np.multiply(2.0, mu12), c1),
                             _np.add(_np.multiply(2.0, cov), c2))
    denominator = _np.multiply(_np.add(_np.add(mu11, mu22), c1),
                               _np.add(_np.add(var1, var2), c2))
    out = _np.mean(_np.divide(numerator, denominator), axis=(1, 2, 3))
    return _np.array(_np.squeeze(out, 0) if single else out, dtype)


def _tuple(value, n, name):
    if isinstance(value, int):
        return (value,) * n
    if len(value) != n:
        raise ValueError(f"{name} must be an int or a tuple of {n} ints; received {value!r}.")
    return tuple(value)


def _patches(op, x, size, strides, dilation_rate, padding, n):
    """Windows of the n spatial axes (1..n) of channels_last `x`, flattened into the
    last axis in (spatial..., channel) order."""
    size = _tuple(size, n, "size")
    strides = size if strides is None else _tuple(strides, n, "strides")
    dilation = _tuple(dilation_rate, n, "dilation_rate")
    padding = padding.lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"{op}: padding must be 'valid' or 'same'; received {padding!r}.")
    if padding == "same":
        pads = []
        for length, k, s, d in zip(x.shape[1:1 + n], size, strides, dilation):
            out = -(-length // s)
            total = max((out - 1) * s + (k - 1) * d + 1 - length, 0)
            pads.append((total // 2, total - total // 2))
        x = _np.pad(x, [(0, 0)] + pads + [(0, 0)])
    counts = []
    for i, (k, s, d) in enumerate(zip(size, strides, dilation)):
        axis = 1 + 2 * i    # each axis done before this one became two
        count = (x.shape[axis] - (k - 1) * d - 1) // s + 1
        if count < 1:
            raise ValueError(f"{op}: the patch size {size} does not fit the input shape "
                             f"{tuple(x.shape)}.")
        index = np.arange(count)[:, None] * s + np.arange(k)[None] * d
        x = _np.take(x, _np.array(index.reshape(-1).astype("int32")), axis=axis)
        shape = tuple(x.shape)
        x = _np.reshape(x, shape[:axis] + (count, k) + shape[axis + 1:])
        counts.append(count)
    # Axes now: batch, (count_i, k_i) for each spatial axis, channels.
    order = [0] + [1 + 2 * i for i in range(n)] + [2 + 2 * i for i in range(n)] + [1 + 2 * n]
    x = _np.transpose(x, order)
    return _np.reshape(x, (x.shape[0],) + tuple(counts) + (-1,))


def _extract(op, images, size, strides, dilation_rate, padding, data_format, n):
    images = _np.array(images) if not hasattr(images, "shape") else images
    if len(images.shape) not in (n + 1, n + 2):
        raise ValueError(f"{op}: expected a rank {n + 2} batch or a rank {n + 1} single "
                         f"input; received shape {tuple(images.shape)}.")
    single = len(images.shape) == n + 1
    x = _np.expand_dims(images, 0) if single else images
    channels_first = config.standardize_data_format(data_format) == "channels_first"
    if channels_first:
        x = _np.moveaxis(x, 1, -1)
    out = _patches(op, x, size, strides, dilation_rate, padding, n)
    if channels_first:
        out = _np.moveaxis(out, -1, 1)
    return _np.squeeze(out, 0) if single else out


@_op
def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                    data_format=None):
    return _extract("extract_patches", images, size, strides, dilation_rate, padding,
                    data_format, 2)


@_op
def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None):
    return _extract("extract_patches_3d", volumes, size, strides, dilation_rate, padding,
                    data_format, 3)
