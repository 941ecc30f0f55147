"""Keras's geometric image transforms, composed into one affine map per image.

Keras 2 builds a 3x3 matrix `rotation @ shift @ shear @ zoom`, centres it on
the image (`transform_matrix_offset_center`), swaps the two spatial axes (its
matrices are written for `(x, y)` while arrays index `(row, col)`), resamples
each channel with `scipy.ndimage.affine_transform`, and flips afterwards.

Here the same matrix is built in closed form, vectorised over a batch, and the
flips are folded into it, so one resampling call per batch does all of it
(`resample.warp_affine`). The numbers are Keras's: the same parameters give the
same output to float32 rounding.
"""

import numpy as np

from layerkit.preprocessing import resample


def transform_matrix_offset_center(matrix, x, y):
    """Conjugates a 3x3 homogeneous matrix by a shift to the centre of an
    `x` by `y` image: `shift(+c) @ matrix @ shift(-c)`, `c = (x/2 - .5, y/2 - .5)`."""
    matrix = np.asarray(matrix, dtype=np.float64)
    centre = np.array([float(x) / 2 - 0.5, float(y) / 2 - 0.5])
    result = matrix.copy()
    result[:2, 2] = matrix[:2, 2] + centre - matrix[:2, :2] @ centre
    return result


def flip_axis(x, axis):
    """Reverses `x` along `axis` (a copy)."""
    x = np.asarray(x)
    index = [slice(None)] * x.ndim
    index[axis] = slice(None, None, -1)
    return x[tuple(index)].copy()


def is_identity(theta, tx, ty, shear, zx, zy):
    """Boolean array: True where Keras would not resample at all."""
    return ((np.asarray(theta) == 0) & (np.asarray(tx) == 0) & (np.asarray(ty) == 0)
            & (np.asarray(shear) == 0) & (np.asarray(zx) == 1) & (np.asarray(zy) == 1))


def compose_index_affine(theta, tx, ty, shear, zx, zy, size0, size1,
                         flip0=False, flip1=False, swap=True):
    """Keras's transform as scipy index-space maps, vectorised over a batch.

    Args:
        theta, shear: angles in degrees (scalars or arrays of shape (N,)).
        tx, ty: shifts along Keras's x (rows) and y (columns) in pixels.
        zx, zy: zoom factors.
        size0, size1: sizes of the first and second spatial array axes; Keras
            centres with `(h, w) = (rows, cols)`, passed here in that order.
        flip0, flip1: flip the output along the first / second spatial axis
            (applied after the transform, as Keras does).
        swap: Keras swaps the two coordinates when the column axis comes after
            the row axis (always, for its images).

    Returns:
        `(matrices (N, 2, 2), offsets (N, 2))` mapping an output index of the
        `(axis0, axis1)` array to input coordinates.
    """
    theta, tx, ty, shear, zx, zy, flip0, flip1 = np.broadcast_arrays(
        *[np.atleast_1d(np.asarray(v, dtype=np.float64))
          for v in (theta, tx, ty, shear, zx, zy, flip0, flip1)])
    n = theta.shape[0]
    t = np.deg2rad(theta)
    cos_t, sin_t = np.cos(t), np.sin(t)
    s = np.deg2rad(shear)
    # linear part of rotation @ shear @ zoom (the shift only translates)
    shear_zoom = np.zeros((n, 2, 2))
    shear_zoom[:, 0, 0] = zx
    shear_zoom[:, 0, 1] = -np.sin(s) * zy
    shear_zoom[:, 1, 1] = np.cos(s) * zy
    rot = np.empty((n, 2, 2))
    rot[:, 0, 0] = cos_t
    rot[:, 0, 1] = -sin_t
    rot[:, 1, 0] = sin_t
    rot[:, 1, 1] = cos_t
    linear = rot @ shear_zoom
    shift = np.stack([cos_t * tx - sin_t * ty, sin_t * tx + cos_t * ty], axis=-1)
    # centre on the image: shift(c) @ M @ shift(-c)
    centre = np.array([size0 / 2.0 - 0.5, size1 / 2.0 - 0.5])
    shift = shift + centre - linear @ centre
    if swap:
        linear = linear[:, ::-1, ::-1]
        shift = shift[:, ::-1]
    linear = np.array(linear)
    shift = np.array(shift)
    # fold the flips in: out[i, j] = warped[size0 - 1 - i, j] etc.
    for axis, flips, size in ((0, flip0, size0), (1, flip1, size1)):
        f = flips.astype(bool)
        if f.any():
            shift[f] += linear[f, :, axis] * (size - 1)
            linear[f, :, axis] *= -1
    return linear, shift


def _check_axes(x, row_axis, col_axis, channel_axis):
    if len({row_axis, col_axis, channel_axis}) != 3:
        raise ValueError(
            "apply_affine_transform: row_axis, col_axis and channel_axis must be distinct; "
            f"received {row_axis}, {col_axis}, {channel_axis}.")
    if {row_axis, col_axis, channel_axis} != {0, 1, 2}:
        raise ValueError(
            "apply_affine_transform: row_axis, col_axis and channel_axis must be a "
            f"permutation of 0, 1, 2; received {row_axis}, {col_axis}, {channel_axis}.")
    if x.ndim != 3:
        raise ValueError(
            "apply_affine_transform expects one image with channels (rank 3); "
            f"received an array of shape {x.shape}.")
    if channel_axis not in (0, 2):
        raise ValueError(
            f"apply_affine_transform: channel_axis must be 0 or 2; received {channel_axis}.")


def transform_image(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=0, col_axis=1,
                    channel_axis=2, fill_mode="nearest", cval=0.0, order=1,
                    flip_rows=False, flip_cols=False):
    """One image: Keras's affine transform followed by optional flips, in one
    resampling call (or none: flips alone are slicing)."""
    x = np.asarray(x)
    _check_axes(x, row_axis, col_axis, channel_axis)
    resample.check_fill_mode(fill_mode)
    spatial = [a for a in range(3) if a != channel_axis]  # array order
    if bool(is_identity(theta, tx, ty, shear, zx, zy)):
        if flip_rows:
            x = flip_axis(x, row_axis)
        if flip_cols:
            x = flip_axis(x, col_axis)
        return x
    h, w = x.shape[row_axis], x.shape[col_axis]
    flips = {row_axis: flip_rows, col_axis: flip_cols}
    matrices, offsets = compose_index_affine(
        theta, tx, ty, shear, zx, zy, h, w,
        flip0=flips[spatial[0]], flip1=flips[spatial[1]], swap=col_axis > row_axis)
    image = np.moveaxis(x, channel_axis, -1)[None]
    result = resample.warp_affine(image, matrices, offsets, fill_mode, cval, order)
    return np.moveaxis(result[0], -1, channel_axis)


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=1, col_axis=2,
                           channel_axis=0, fill_mode="nearest", cval=0.0, order=1):
    """Applies Keras's affine transform to one image (Keras 2 signature).

    Args:
        x: 3-D array, one image with a channel axis.
        theta: rotation angle in degrees.
        tx, ty: shift along the row axis and the column axis, in pixels.
        shear: shear angle in degrees.
        zx, zy: zoom along the row axis and the column axis.
        row_axis, col_axis, channel_axis: axes of `x` (channels first by default,
            as in Keras).
        fill_mode: "constant", "nearest", "reflect" or "wrap".
        cval: fill value for "constant".
        order: spline interpolation order.

    Returns:
        The transformed image, same shape (and dtype) as `x`.
    """
    return transform_image(x, theta, tx, ty, shear, zx, zy, row_axis, col_axis, channel_axis,
                           fill_mode, cval, order)


def apply_channel_shift(x, intensity, channel_axis=0):
    """Adds `intensity` to every channel, clipped to the image's own min/max."""
    x = np.asarray(x)
    low, high = np.min(x), np.max(x)
    return np.clip(x + intensity, low, high)


def apply_brightness_shift(x, brightness, scale=True, data_format="channels_last"):
    """Keras's brightness shift: through an 8-bit Pillow image and
    `ImageEnhance.Brightness(img).enhance(brightness)`.

    Values outside [0, 255] are first scaled into it and, with `scale=False`,
    scaled back afterwards.
    """
    from PIL import ImageEnhance

    from layerkit.preprocessing import image_utils

    x = np.asarray(x)
    low, high = np.min(x), np.max(x)
    out_of_range = (low < 0) or (high > 255)
    img = image_utils.array_to_img(x, data_format=data_format, scale=out_of_range or scale)
    img = ImageEnhance.Brightness(img).enhance(brightness)
    result = image_utils.img_to_array(img, data_format=data_format)
    if not scale and out_of_range:
        result = result / 255 * (high - low) + low
    return result


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                    cval=0.0, interpolation_order=1):
    """Rotates by an angle drawn uniformly from [-rg, rg] degrees."""
    theta = np.random.uniform(-rg, rg)
    return apply_affine_transform(x, theta=theta, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0, interpolation_order=1):
    """Shifts by fractions drawn from [-hrg, hrg] (rows) and [-wrg, wrg] (cols)."""
    h, w = x.shape[row_axis], x.shape[col_axis]
    tx = np.random.uniform(-hrg, hrg) * h
    ty = np.random.uniform(-wrg, wrg) * w
    return apply_affine_transform(x, tx=tx, ty=ty, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_shear(x, intensity, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0, interpolation_order=1):
    """Shears by an angle drawn from [-intensity, intensity] degrees."""
    shear = np.random.uniform(-intensity, intensity)
    return apply_affine_transform(x, shear=shear, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_zoom(x, zoom_range, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                cval=0.0, interpolation_order=1):
    """Zooms rows and columns by factors drawn from `zoom_range = (lo, hi)`."""
    if len(zoom_range) != 2:
        raise ValueError(
            "random_zoom: zoom_range must be a tuple or list of two floats; "
            f"received {zoom_range!r}.")
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1, 1
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return apply_affine_transform(x, zx=zx, zy=zy, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_channel_shift(x, intensity_range, channel_axis=0):
    """Channel shift by an intensity drawn from [-intensity_range, intensity_range]."""
    intensity = np.random.uniform(-intensity_range, intensity_range)
    return apply_channel_shift(x, intensity, channel_axis=channel_axis)


def random_brightness(x, brightness_range, scale=True):
    """Brightness shift by a factor drawn from `brightness_range = (lo, hi)`."""
    if len(brightness_range) != 2:
        raise ValueError(
            "random_brightness: brightness_range must be a tuple or list of two floats; "
            f"received {brightness_range!r}.")
    factor = np.random.uniform(brightness_range[0], brightness_range[1])
    return apply_brightness_shift(x, factor, scale)
