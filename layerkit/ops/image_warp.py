"""`ops.image` resampling, written once over the array ops: map_coordinates (scipy's
order 0/1 interpolation with its five fill modes), perspective_transform (a
homography solved from four point pairs, then sampled), elastic_transform (a
smoothed random displacement field, then sampled) and scale_and_translate
(jax.image's separable kernels: one weight matrix per spatial axis, built on the
host from the static sizes, scale and translation, contracted with tensordot).

Sampling reads the input by flat index with `take`, so one gather serves any rank
and both engines. Out-of-range reads follow scipy.ndimage: 'constant' gives
fill_value for any neighbour outside, the other modes fold the index back inside."""
import itertools

import numpy as np

from layerkit import config
from layerkit.engine.common.dtypes import is_float, is_int, standardize_dtype
from layerkit.ops import core as _core
from layerkit.ops import dispatch as _dispatch
from layerkit.ops import linalg as _linalg
from layerkit.ops import numpy as _np

__all__ = ["map_coordinates", "perspective_transform", "elastic_transform",
           "scale_and_translate"]

FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
INTERPOLATIONS = {"nearest": 0, "bilinear": 1}


def _op(fn):
    return _dispatch.graph_op(fn, fn.__name__, "image")


def _tensor(x):
    return _np.array(x) if not hasattr(x, "shape") else x


def _fold(index, size, mode):
    """An integer index tensor folded into [0, size) by `mode`."""
    if mode == "nearest":
        return _np.clip(index, 0, size - 1)
    if mode == "wrap":
        return _np.mod(index, size)
    if mode == "mirror":        # d c b | a b c d | c b a (edge not repeated)
        if size == 1:
            return _np.zeros_like(index)
        period = 2 * (size - 1)
        return _np.subtract(size - 1, _np.abs(_np.subtract(_np.mod(index, period), size - 1)))
    if mode == "reflect":       # c b a | a b c | c b a (edge repeated)
        period = 2 * size
        folded = _np.mod(index, period)
        return _np.where(_np.less(folded, size), folded, _np.subtract(period - 1, folded))
    return index


def _neighbours(coordinate, order):
    """[(int index, weight)] of the input points a coordinate interpolates."""
    if order == 0:
        # Round half away from zero, as scipy does.
        rounded = _np.multiply(_np.sign(coordinate), _np.floor(_np.add(_np.abs(coordinate), 0.5)))
        return [(_np.array(rounded, "int32"), None)]
    lower = _np.floor(coordinate)
    upper_weight = _np.subtract(coordinate, lower)
    index = _np.array(lower, "int32")
    return [(index, _np.subtract(1.0, upper_weight)), (_np.add(index, 1), upper_weight)]


def _sample(flat, sizes, coordinates, order, fill_mode, fill_value):
    """Interpolates `flat` (the input reshaped to (prod(sizes), ...rest)) at the
    coordinates (one tensor per input axis), gathering along its first axis."""
    per_axis = []
    for coordinate, size in zip(coordinates, sizes):
        points = []
        for index, weight in _neighbours(coordinate, order):
            inside = None
            if fill_mode == "constant":
                inside = _np.logical_and(_np.greater_equal(index, 0), _np.less(index, size))
            points.append((_fold(index, size, fill_mode), inside, weight))
        per_axis.append(points)
    strides = [int(np.prod(sizes[i + 1:])) for i in range(len(sizes))]
    rest = tuple(flat.shape[1:])
    total = None
    for combination in itertools.product(*per_axis):
        linear, inside, weight = None, None, None
        for (index, valid, w), stride, size in zip(combination, strides, sizes):
            # Clipped: a 'constant' read outside is masked below, but must not gather
            # out of range (torch raises where JAX clamps).
            term = _np.multiply(_np.clip(index, 0, size - 1), stride)
            linear = term if linear is None else _np.add(linear, term)
            if valid is not None:
                inside = valid if inside is None else _np.logical_and(inside, valid)
            if w is not None:
                weight = w if weight is None else _np.multiply(weight, w)
        shape = tuple(linear.shape)
        values = _np.take(flat, _np.reshape(linear, (-1,)), axis=0)
        values = _np.reshape(values, shape + rest)
        expand = lambda t: _np.reshape(t, tuple(t.shape) + (1,) * len(rest))  # noqa: E731
        if inside is not None:
            values = _np.where(expand(inside), values, _np.array(fill_value, values.dtype))
        if weight is not None:
            values = _np.multiply(values, expand(_np.array(weight, values.dtype)))
        total = values if total is None else _np.add(total, values)
    return total


def _check_modes(op, order, fill_mode):
    if order not in (0, 1):
        raise ValueError(f"{op}: order (interpolation) must be 0 (nearest) or 1 (linear); "
                         f"received {order!r}.")
    if fill_mode not in FILL_MODES:
        raise ValueError(f"{op}: fill_mode must be one of {FILL_MODES}; received "
                         f"{fill_mode!r}.")


@_op
def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """`inputs` interpolated at `coordinates` (rank(inputs), ...output shape), as
    scipy.ndimage.map_coordinates with order 0 or 1."""
    inputs = _tensor(inputs)
    coordinates = [_tensor(c) for c in coordinates] if isinstance(coordinates, (list, tuple)) \
        else list(_np.unstack(_tensor(coordinates)))
    if len(coordinates) != len(inputs.shape):
        raise ValueError(f"map_coordinates: `coordinates` must have one entry per input axis "
                         f"({len(inputs.shape)}); received {len(coordinates)}.")
    if coordinates and len(coordinates[0].shape) < 1:
        raise ValueError("map_coordinates: invalid coordinates rank: expected at least rank 2 "
                         "(input axes, points...).")
    _check_modes("map_coordinates", order, fill_mode)
    dtype = standardize_dtype(inputs.dtype)
    work = dtype if is_float(dtype) else "float32"
    coordinates = [_np.array(c, work) for c in coordinates]
    flat = _np.reshape(_np.array(inputs, work), (-1,))
    out = _sample(flat, tuple(inputs.shape), coordinates, order, fill_mode, fill_value)
    if is_int(dtype):
        out = _np.multiply(_np.sign(out), _np.floor(_np.add(_np.abs(out), 0.5)))
    return _np.array(out, dtype)


def _images(op, images, data_format):
    images = _tensor(images)
    if len(images.shape) not in (3, 4):
        raise ValueError(f"{op}: invalid images rank: expected rank 3 (single image) or rank "
                         f"4 (batch of images); received shape {tuple(images.shape)}.")
    single = len(images.shape) == 3
    x = _np.expand_dims(images, 0) if single else images
    channels_first = config.standardize_data_format(data_format) == "channels_first"
    if channels_first:
        x = _np.transpose(x, (0, 2, 3, 1))
    return x, single, channels_first


def _finish(x, single, channels_first):
    if channels_first:
        x = _np.transpose(x, (0, 3, 1, 2))
    return _np.squeeze(x, 0) if single else x


def _sample_images(x, rows, cols, order, fill_mode, fill_value):
    """NHWC images sampled at per-image (N, H, W) rows and cols (the batch index is
    a third coordinate that is always inside)."""
    n, h, w, c = x.shape
    batch = _np.broadcast_to(_np.reshape(_np.arange(n, dtype=rows.dtype), (n, 1, 1)),
                             tuple(rows.shape))
    flat = _np.reshape(x, (n * h * w, c))
    return _sample(flat, (n, h, w), [batch, rows, cols], order, fill_mode, fill_value)


def _homography(start_points, end_points):
    """The 8 projective coefficients mapping output (end) points to input (start)
    points: solve the 8x8 system of the four point pairs."""
    sx, sy = start_points[..., 0], start_points[..., 1]
    ex, ey = end_points[..., 0], end_points[..., 1]
    zero, one = _np.zeros_like(ex), _np.ones_like(ex)
    rows_x = _np.stack([ex, ey, one, zero, zero, zero, -sx * ex, -sx * ey], axis=-1)
    rows_y = _np.stack([zero, zero, zero, ex, ey, one, -sy * ex, -sy * ey], axis=-1)
    system = _np.concatenate([rows_x, rows_y], axis=1)
    target = _np.expand_dims(_np.concatenate([sx, sy], axis=-1), -1)
    return _np.squeeze(_linalg.solve(system, target), -1)


@_op
def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Warps the images so each start point (x, y) lands on its end point."""
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"perspective_transform: interpolation must be one of "
                         f"{tuple(INTERPOLATIONS)}; received {interpolation!r}.")
    start_points, end_points = _tensor(start_points), _tensor(end_points)
    for name, points in (("start_points", start_points), ("end_points", end_points)):
        if tuple(points.shape[-2:]) != (4, 2) or len(points.shape) not in (2, 3):
            raise ValueError(f"perspective_transform: {name} must have shape (4, 2) or "
                             f"(batch, 4, 2); received {tuple(points.shape)}.")
    if tuple(start_points.shape) != tuple(end_points.shape):
        raise ValueError("perspective_transform: start_points and end_points must have the "
                         f"same shape; received {tuple(start_points.shape)} and "
                         f"{tuple(end_points.shape)}.")
    x, single, channels_first = _images("perspective_transform", images, data_format)
    n, h, w, _ = x.shape
    if len(start_points.shape) == 2:
        start_points, end_points = start_points[None], end_points[None]
    t = _homography(_np.array(start_points, "float32"), _np.array(end_points, "float32"))
    t = _np.reshape(_np.broadcast_to(t, (n, 8)) if t.shape[0] == 1 else t, (n, 8, 1, 1))
    gx, gy = (_np.array(g, "float32") for g in np.meshgrid(np.arange(w), np.arange(h)))
    k = [t[:, i] for i in range(8)]
    denom = _np.add(_np.add(_np.multiply(k[6], gx), _np.multiply(k[7], gy)), 1.0)
    src_x = _np.divide(_np.add(_np.add(_np.multiply(k[0], gx), _np.multiply(k[1], gy)), k[2]),
                       denom)
    src_y = _np.divide(_np.add(_np.add(_np.multiply(k[3], gx), _np.multiply(k[4], gy)), k[5]),
                       denom)
    dtype = standardize_dtype(x.dtype)
    out = _sample_images(_np.array(x, "float32") if not is_float(dtype) else x,
                         _np.array(src_y, "float32"), _np.array(src_x, "float32"),
                         INTERPOLATIONS[interpolation], "constant", fill_value)
    return _finish(_np.array(out, dtype), single, channels_first)


@_op
def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear",
                      fill_mode="reflect", fill_value=0.0, seed=None, data_format=None):
    """Moves each pixel by a random displacement field (normal noise smoothed by a
    Gaussian of `sigma`, scaled by `alpha`). The noise is drawn with numpy from an int
    `seed` (or fresh entropy for None), so the call needs concrete inputs."""
    from layerkit.ops.image_filters import gaussian_blur
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"elastic_transform: interpolation must be one of "
                         f"{tuple(INTERPOLATIONS)}; received {interpolation!r}.")
    _check_modes("elastic_transform", 1, fill_mode)
    x, single, channels_first = _images("elastic_transform", images, data_format)
    n, h, w, _ = x.shape
    dtype = standardize_dtype(x.dtype)
    work = dtype if is_float(dtype) else "float32"
    rng = np.random.default_rng(None if seed is None else int(seed))
    size = int(6 * sigma) | 1
    fields = []
    for _ in range(2):
        noise = _np.array(rng.standard_normal((n, h, w, 1)) * sigma, work)
        fields.append(_np.squeeze(gaussian_blur(noise, (size, size), (sigma, sigma),
                                                "channels_last"), -1))
    gx, gy = (_np.array(g, work) for g in np.meshgrid(np.arange(w), np.arange(h)))
    cols = _np.add(gx, _np.multiply(alpha, fields[0]))
    rows = _np.add(gy, _np.multiply(alpha, fields[1]))
    out = _sample_images(_np.array(x, work), rows, cols, INTERPOLATIONS[interpolation],
                         fill_mode, fill_value)
    return _finish(_np.array(out, dtype), single, channels_first)


def _triangle(x):
    return np.maximum(0.0, 1.0 - x)


def _keys_cubic(x):
    # Keys (1981) cubic convolution with a = -0.5.
    return np.where(x >= 2.0, 0.0, np.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0,
                                            ((1.5 * x - 2.5) * x) * x + 1.0))


def _lanczos(radius):
    def kernel(x):
        with np.errstate(divide="ignore", invalid="ignore"):
            y = radius * np.sin(np.pi * x) * np.sin(np.pi * x / radius) / (np.pi * x) ** 2
        return np.where(x > radius, 0.0, np.where(x > 1e-3, y, 1.0))
    return kernel


SCALE_KERNELS = {"linear": _triangle, "bilinear": _triangle, "trilinear": _triangle,
                 "cubic": _keys_cubic, "bicubic": _keys_cubic, "tricubic": _keys_cubic,
                 "lanczos3": _lanczos(3), "lanczos5": _lanczos(5)}


def _scale_weights(in_size, out_size, scale, translation, kernel, antialias):
    """(in_size, out_size) weights of jax.image.scale_and_translate's resampling."""
    inv = 1.0 / scale
    kernel_scale = max(inv, 1.0) if antialias else 1.0
    sample = (np.arange(out_size) + 0.5) * inv - translation * inv - 0.5
    weights = kernel(np.abs(sample[None, :] - np.arange(in_size)[:, None]) / kernel_scale)
    total = weights.sum(axis=0, keepdims=True)
    weights = np.where(np.abs(total) > 1000 * np.finfo(np.float32).eps,
                       weights / np.where(total != 0, total, 1), 0.0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return np.where(inside[None, :], weights, 0.0)


@_op
def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """jax.image.scale_and_translate: output pixel i of each spatial axis samples the
    input at (i + 0.5 - translation) / scale - 0.5. `scale` and `translation` must be
    concrete (the weights are built on the host)."""
    if method not in SCALE_KERNELS:
        raise ValueError(f"scale_and_translate: method must be one of {tuple(SCALE_KERNELS)}; "
                         f"received {method!r}.")
    x = _tensor(images)
    scale = np.asarray(_core.convert_to_numpy(scale) if hasattr(scale, "shape") else scale,
                       dtype="float64").reshape(-1)
    translation = np.asarray(_core.convert_to_numpy(translation) if hasattr(translation, "shape")
                             else translation, dtype="float64").reshape(-1)
    dtype = standardize_dtype(x.dtype)
    work = dtype if is_float(dtype) else "float32"
    x = _np.array(x, work)
    for i, axis in enumerate(spatial_dims):
        axis = axis % len(x.shape)
        weights = _scale_weights(x.shape[axis], output_shape[axis], scale[i], translation[i],
                                 SCALE_KERNELS[method], antialias)
        moved = _np.moveaxis(x, axis, -1)
        x = _np.moveaxis(_np.matmul(moved, _np.array(weights, work)), -1, axis)
    return x
