"""`ops.image` colour conversions, written once over the array ops: RGB to
grayscale (ITU-R 601 luma weights, as tf.image and Keras use) and RGB <-> HSV
(the hexcone model, hue in [0, 1))."""
from layerkit import config
from layerkit.engine.common.dtypes import is_float, standardize_dtype
from layerkit.ops import dispatch as _dispatch
from layerkit.ops import numpy as _np

__all__ = ["rgb_to_grayscale", "rgb_to_hsv", "hsv_to_rgb"]

LUMA = (0.2989, 0.5870, 0.1140)


def _op(fn):
    return _dispatch.graph_op(fn, fn.__name__, "image")


def _images(op, images, data_format, float_only=False):
    images = _np.array(images) if not hasattr(images, "shape") else images
    if len(images.shape) not in (3, 4):
        raise ValueError(f"{op}: invalid images rank: expected rank 3 (single image) or rank "
                         f"4 (batch of images); received shape {tuple(images.shape)}.")
    if float_only and not is_float(images.dtype):
        raise ValueError(f"{op}: invalid images dtype: expected a float dtype; received "
                         f"{standardize_dtype(images.dtype)}.")
    data_format = config.standardize_data_format(data_format)
    return images, (-1 if data_format == "channels_last" else -3)


@_op
def rgb_to_grayscale(images, data_format=None):
    images, axis = _images("rgb_to_grayscale", images, data_format)
    channels = images.shape[axis]
    if channels not in (1, 3):
        raise ValueError(f"rgb_to_grayscale: expected 3 (RGB) or 1 (grayscale) channels; "
                         f"received shape {tuple(images.shape)}.")
    if channels == 1:
        return images
    dtype = standardize_dtype(images.dtype)
    work = _np.array(images, dtype if is_float(dtype) else "float32")
    weights = _np.array(LUMA, standardize_dtype(work.dtype))
    gray = _np.tensordot(work, weights, axes=([len(images.shape) + axis], [0]))
    return _np.array(_np.expand_dims(gray, axis), dtype)


@_op
def rgb_to_hsv(images, data_format=None):
    images, axis = _images("rgb_to_hsv", images, data_format, float_only=True)
    red, green, blue = (_np.take(images, i, axis=axis) for i in range(3))
    value = _np.maximum(_np.maximum(red, green), blue)
    spread = _np.subtract(value, _np.minimum(_np.minimum(red, green), blue))
    saturation = _np.where(_np.greater(value, 0), _np.divide(
        spread, _np.where(_np.greater(value, 0), value, 1.0)), 0.0)
    safe = _np.where(_np.greater(spread, 0), spread, 1.0)
    # The sector's base hue plus the offset within it; red's sector wraps below 0.
    hue_red = _np.divide(_np.subtract(green, blue), _np.multiply(6.0, safe))
    hue_green = _np.add(_np.divide(_np.subtract(blue, red), _np.multiply(6.0, safe)), 1 / 3)
    hue_blue = _np.add(_np.divide(_np.subtract(red, green), _np.multiply(6.0, safe)), 2 / 3)
    hue = _np.where(_np.equal(value, red), hue_red,
                    _np.where(_np.equal(value, green), hue_green, hue_blue))
    hue = _np.where(_np.greater(spread, 0), hue, 0.0)
    hue = _np.where(_np.less(hue, 0.0), _np.add(hue, 1.0), hue)
    return _np.stack([hue, saturation, value], axis=axis)


@_op
def hsv_to_rgb(images, data_format=None):
    images, axis = _images("hsv_to_rgb", images, data_format, float_only=True)
    hue, saturation, value = (_np.take(images, i, axis=axis) for i in range(3))
    sector = _np.multiply(_np.mod(hue, 1.0), 6.0)

    def channel(n):
        # How far this channel's colour lies from the hue, as a 0..1 ramp.
        k = _np.mod(_np.add(sector, n), 6.0)
        ramp = _np.clip(_np.minimum(k, _np.subtract(4.0, k)), 0.0, 1.0)
        return _np.multiply(value, _np.subtract(1.0, _np.multiply(saturation, ramp)))

    return _np.stack([channel(5.0), channel(3.0), channel(1.0)], axis=axis)
