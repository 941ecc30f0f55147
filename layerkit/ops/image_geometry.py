"""Keras 3's `resize`, `affine_transform`, `crop_images` and
`pad_images`, written once over `layerkit.ops` so both engines give the same numbers.

resize: every interpolation but "nearest" is a separable weighted sum, one weight
matrix per spatial axis contracted with one einsum. The matrices depend only on the
static sizes, so they are built on the host with numpy (float32, the precision
jax.image.resize builds them in) and become constants of the compiled step. This is
the formulation jax.image.resize (Keras 3's JAX resize) uses itself — triangle kernel
for bilinear, Keys cubic (a=-0.5) for bicubic, Lanczos with radius 3 and 5, half-pixel
centres, weights renormalised, kernel widened when downsampling only with
`antialias=True` — so the numbers agree with Keras on JAX to float32 rounding on both
engines. (torch.nn.functional.interpolate's bicubic uses a=-0.75, which is why Keras 3
on PyTorch differs from Keras 3 on JAX; we follow the JAX numbers on both engines.)
"nearest" gathers one source row/column per output (floor((i + 0.5) * in / out)).

affine_transform: the output pixel (x, y) reads the input at
((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1, by a gather of
the nearest or the four neighbouring pixels, with jax.scipy.ndimage.map_coordinates'
fill modes (Keras 3's JAX path). Keras on JAX drops the projective terms c0, c1; they
are 0 for every Keras layer, where the two agree.
"""
import functools

import numpy as np

from layerkit import config
from layerkit.ops import core as _core
from layerkit.ops import numpy as _np
from layerkit.ops.dispatch import graph_op as _graph_op

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic")
AFFINE_INTERPOLATIONS = ("nearest", "bilinear")
FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")

__all__ = ["resize", "affine_transform", "crop_images", "pad_images"]


def _check_rank(images, what):
    if len(images.shape) not in (3, 4):
        raise ValueError(f"{what}: invalid images rank: expected rank 3 (single image) or "
                         f"rank 4 (batch of images), received shape {tuple(images.shape)}.")


def _spatial_axes(ndim, data_format):
    """(height axis, width axis) for a rank-3 or rank-4 image tensor."""
    return (ndim - 3, ndim - 2) if data_format == "channels_last" else (ndim - 2, ndim - 1)


# --- resize -----------------------------------------------------------------------
def _triangle(x):
    return np.maximum(0.0, 1.0 - np.abs(x))


def _keys_cubic(x):
    near = ((1.5 * x - 2.5) * x) * x + 1.0
    far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    return np.where(x >= 2.0, 0.0, np.where(x >= 1.0, far, near))


def _lanczos(radius, x):
    with np.errstate(divide="ignore", invalid="ignore"):
        y = radius * np.sin(np.pi * x) * np.sin(np.pi * x / radius)
        out = np.where(x > 1e-3, y / np.where(x != 0, np.pi ** 2 * x ** 2, 1), 1.0)
    return np.where(x > radius, 0.0, out)


_KERNELS = {"bilinear": _triangle, "bicubic": _keys_cubic,
            "lanczos3": functools.partial(_lanczos, 3),
            "lanczos5": functools.partial(_lanczos, 5)}


@functools.lru_cache(maxsize=256)
def resize_weights(in_size, out_size, interpolation, antialias):
    """The (in_size, out_size) float32 matrix mapping one axis of the input to the
    output for a kernel interpolation (see the module docstring)."""
    f32 = np.float32
    inv_scale = f32(1.0) / (f32(out_size) / f32(in_size))
    kernel_scale = max(inv_scale, f32(1.0)) if antialias else f32(1.0)
    sample = (np.arange(out_size, dtype=f32) + f32(0.5)) * inv_scale - f32(0.5)
    distance = np.abs(sample[None, :] - np.arange(in_size, dtype=f32)[:, None]) / kernel_scale
    weights = _KERNELS[interpolation](distance).astype(f32)
    total = weights.sum(axis=0, keepdims=True)
    weights = np.where(np.abs(total) > 1000.0 * np.finfo(np.float32).eps,
                       weights / np.where(total != 0, total, 1), 0.0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return np.where(inside[None, :], weights, 0.0).astype(f32)


@functools.lru_cache(maxsize=256)
def _nearest_indices(in_size, out_size):
    offsets = (np.arange(out_size, dtype=np.float32) + 0.5) * np.float32(in_size) \
        / np.float32(out_size)
    return np.floor(offsets).astype(np.int32)


def _aspect_crop(images, target_h, target_w, h_axis, w_axis):
    height, width = images.shape[h_axis], images.shape[w_axis]
    crop_h = max(min(height, int(float(width * target_h) / target_w)), 1)
    crop_w = max(min(width, int(float(height * target_w) / target_h)), 1)
    top, left = int(float(height - crop_h) / 2), int(float(width - crop_w) / 2)
    index = [slice(None)] * len(images.shape)
    index[h_axis] = slice(top, top + crop_h)
    index[w_axis] = slice(left, left + crop_w)
    return images[tuple(index)]


def _aspect_pad(images, target_h, target_w, h_axis, w_axis, fill_value):
    height, width = images.shape[h_axis], images.shape[w_axis]
    pad_h = max(height, int(float(width * target_h) / target_w))
    pad_w = max(width, int(float(height * target_w) / target_h))
    top, left = int(float(pad_h - height) / 2), int(float(pad_w - width) / 2)
    # Keras pads the same amount on both sides (an odd remainder is dropped).
    widths = [[0, 0] for _ in images.shape]
    if top > 0:
        widths[h_axis] = [top, top]
    elif left > 0:
        widths[w_axis] = [left, left]
    else:
        return images
    return _np.pad(images, widths, constant_values=fill_value)


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resizes images (rank 3 or 4) to `size` = (height, width)."""
    data_format = config.standardize_data_format(data_format)
    if interpolation not in RESIZE_INTERPOLATIONS:
        raise ValueError(f"resize: invalid `interpolation` {interpolation!r}; expected one of "
                         f"{RESIZE_INTERPOLATIONS}.")
    if fill_mode != "constant":
        raise ValueError(f"resize: only fill_mode='constant' is supported, received "
                         f"fill_mode={fill_mode!r}.")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("resize: only one of `pad_to_aspect_ratio` and "
                         "`crop_to_aspect_ratio` can be True.")
    if len(size) != 2:
        raise ValueError(f"resize: `size` must be (height, width), received size={size!r}.")
    images = _core.convert_to_tensor(images)
    _check_rank(images, "resize")
    target_h, target_w = int(size[0]), int(size[1])
    h_axis, w_axis = _spatial_axes(len(images.shape), data_format)
    if crop_to_aspect_ratio:
        images = _aspect_crop(images, target_h, target_w, h_axis, w_axis)
    elif pad_to_aspect_ratio:
        images = _aspect_pad(images, target_h, target_w, h_axis, w_axis, fill_value)
    if interpolation != "nearest" and not _core.dtype(images).startswith(("float", "bfloat")):
        images = _core.cast(images, config.floatx())   # nearest keeps the dtype, as JAX's
    if interpolation == "nearest":
        for axis, out in ((h_axis, target_h), (w_axis, target_w)):
            if images.shape[axis] != out:
                images = _np.take(images, _nearest_indices(images.shape[axis], out), axis=axis)
        return images
    letters = "abcd"[:len(images.shape)]
    result = letters
    operands, subscripts = [images], [letters]
    for axis, out, new in ((h_axis, target_h, "y"), (w_axis, target_w, "x")):
        if images.shape[axis] == out:
            continue   # identity on this axis: skipped, as jax.image.resize does
        weights = resize_weights(images.shape[axis], out, interpolation, bool(antialias))
        operands.append(_np.array(weights, dtype=_core.dtype(images)))
        subscripts.append(letters[axis] + new)
        result = result.replace(letters[axis], new)
    if len(operands) == 1:
        return images
    return _np.einsum(",".join(subscripts) + "->" + result, *operands)


# --- affine_transform ---------------------------------------------------------------
def _mirror(index, size):
    s = max(size - 1, 1)
    return _np.abs(_np.mod(index + s, 2 * s) - s)


def _reflect(index, size):
    return _np.floor_divide(_mirror(2 * index + 1, 2 * size + 1) - 1, 2)


_INDEX_FIXERS = {"constant": lambda i, size: _np.clip(i, 0, size - 1),
                 "nearest": lambda i, size: _np.clip(i, 0, size - 1),
                 "wrap": lambda i, size: _np.mod(i, size),
                 "mirror": _mirror, "reflect": _reflect}


def _round_half_away(x):
    return _np.sign(x) * _np.floor(_np.abs(x) + 0.5)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Applies one projective transform per image (see the module docstring)."""
    data_format = config.standardize_data_format(data_format)
    if interpolation not in AFFINE_INTERPOLATIONS:
        raise ValueError(f"affine_transform: invalid `interpolation` {interpolation!r}; "
                         f"expected one of {AFFINE_INTERPOLATIONS}.")
    if fill_mode not in FILL_MODES:
        raise ValueError(f"affine_transform: invalid `fill_mode` {fill_mode!r}; expected one "
                         f"of {FILL_MODES}.")
    images = _core.convert_to_tensor(images)
    transform = _core.convert_to_tensor(transform)
    _check_rank(images, "affine_transform")
    if len(transform.shape) not in (1, 2) or transform.shape[-1] != 8:
        raise ValueError("affine_transform: `transform` must have shape (8,) or (batch, 8), "
                         f"received shape {tuple(transform.shape)}.")
    single = len(images.shape) == 3
    if single:
        images = _np.expand_dims(images, 0)
    if data_format == "channels_first":
        images = _np.transpose(images, (0, 2, 3, 1))
    batch, height, width, channels = images.shape
    if len(transform.shape) == 1:
        transform = _np.expand_dims(transform, 0)
    dtype = _core.dtype(images) if _core.dtype(images).startswith("float") else "float32"
    t = _core.cast(transform, dtype)
    t = [_np.reshape(t[:, i], (-1, 1, 1)) for i in range(8)]
    ys = _np.reshape(_np.arange(height, dtype=dtype), (1, height, 1))
    xs = _np.reshape(_np.arange(width, dtype=dtype), (1, 1, width))
    k = t[6] * xs + t[7] * ys + 1.0
    src_x = (t[0] * xs + t[1] * ys + t[2]) / k
    src_y = (t[3] * xs + t[4] * ys + t[5]) / k
    src_x = _np.broadcast_to(src_x, (batch, height, width))
    src_y = _np.broadcast_to(src_y, (batch, height, width))

    if interpolation == "nearest":
        nodes_y = [(_core.cast(_round_half_away(src_y), "int32"), None)]
        nodes_x = [(_core.cast(_round_half_away(src_x), "int32"), None)]
    else:
        y0, x0 = _np.floor(src_y), _np.floor(src_x)
        wy, wx = src_y - y0, src_x - x0
        y0, x0 = _core.cast(y0, "int32"), _core.cast(x0, "int32")
        nodes_y = [(y0, 1.0 - wy), (y0 + 1, wy)]
        nodes_x = [(x0, 1.0 - wx), (x0 + 1, wx)]

    flat = _np.reshape(images, (batch * height * width, channels))
    base = _np.reshape(_np.arange(batch, dtype="int32") * (height * width), (batch, 1, 1))
    fix = _INDEX_FIXERS[fill_mode]
    fill = _core.cast(fill_value, _core.dtype(images))
    out = None
    for iy, wy in nodes_y:
        for ix, wx in nodes_x:
            index = base + fix(iy, height) * width + fix(ix, width)
            value = _np.take(flat, index, axis=0)
            if fill_mode == "constant":
                valid = (iy >= 0) & (iy < height) & (ix >= 0) & (ix < width)
                value = _np.where(_np.expand_dims(valid, -1), value, fill)
            weight = None if wy is None else _np.expand_dims(wy * wx, -1)
            term = value if weight is None else _core.cast(value, dtype) * weight
            out = term if out is None else out + term
    if not _core.dtype(images).startswith("float"):
        out = _core.cast(_round_half_away(out) if interpolation != "nearest" else out,
                         _core.dtype(images))
    if data_format == "channels_first":
        out = _np.transpose(out, (0, 3, 1, 2))
    return out[0] if single else out


# --- crop_images / pad_images ---------------------------------------------------------
def _resolve(what, names, values):
    """(start, end, target) of one axis, of which exactly two must be given."""
    if sum(v is not None for v in values) != 2:
        raise ValueError(f"{what}: give exactly two of {names}, received "
                         + ", ".join(f"{n}={v}" for n, v in zip(names, values)) + ".")
    return values


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None, data_format=None):
    """Crops images (rank 3 or 4) to a box given by two of each axis's three numbers."""
    data_format = config.standardize_data_format(data_format)
    images = _core.convert_to_tensor(images)
    _check_rank(images, "crop_images")
    h_axis, w_axis = _spatial_axes(len(images.shape), data_format)
    index = [slice(None)] * len(images.shape)
    for axis, (start, end, target), names in (
            (h_axis, (top_cropping, bottom_cropping, target_height),
             ("top_cropping", "bottom_cropping", "target_height")),
            (w_axis, (left_cropping, right_cropping, target_width),
             ("left_cropping", "right_cropping", "target_width"))):
        start, end, target = _resolve("crop_images", names, (start, end, target))
        size = images.shape[axis]
        if start is None:
            start = size - target - end
        if target is None:
            target = size - end - start
        for name, value in zip(names, (start, end if end is not None else 0, target)):
            if value < 0:
                raise ValueError(f"crop_images: {name} must be >= 0, received {value} "
                                 f"(image size {size} on that axis).")
        if start + target > size:
            raise ValueError(f"crop_images: the crop ({names[0]}={start} + {names[2]}="
                             f"{target}) exceeds the image size {size}.")
        index[axis] = slice(start, start + target)
    return images[tuple(index)]


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Zero-pads images (rank 3 or 4) given two of each axis's three numbers."""
    data_format = config.standardize_data_format(data_format)
    images = _core.convert_to_tensor(images)
    _check_rank(images, "pad_images")
    h_axis, w_axis = _spatial_axes(len(images.shape), data_format)
    widths = [[0, 0] for _ in images.shape]
    for axis, values, names in (
            (h_axis, (top_padding, bottom_padding, target_height),
             ("top_padding", "bottom_padding", "target_height")),
            (w_axis, (left_padding, right_padding, target_width),
             ("left_padding", "right_padding", "target_width"))):
        start, end, target = _resolve("pad_images", names, values)
        size = images.shape[axis]
        if start is None:
            start = target - end - size
        if end is None:
            end = target - start - size
        for name, value in ((names[0], start), (names[1], end)):
            if value < 0:
                raise ValueError(f"pad_images: {name} must be >= 0, received {value} "
                                 f"(image size {size} on that axis).")
        widths[axis] = [start, end]
    return _np.pad(images, widths)



# Called on a symbolic tensor, each records one graph node (ops/dispatch.py).
resize = _graph_op(resize, "resize", "image")
affine_transform = _graph_op(affine_transform, "affine_transform", "image")
crop_images = _graph_op(crop_images, "crop_images", "image")
pad_images = _graph_op(pad_images, "pad_images", "image")
