"""Affine resampling of image batches: one vectorised call per batch of images.

`warp_affine(src, matrices, offsets, ...)` computes, for every image `n` of a
channels-last batch `src` of shape `(N, H, W, C)`:

    out[n, i, j, :] = interpolate(src[n], matrices[n] @ (i, j) + offsets[n])

which is exactly what `scipy.ndimage.affine_transform(src[n, ..., c], matrix,
offset, order, mode, cval)` computes channel by channel (and therefore what
Keras's `apply_affine_transform` computes). The result agrees with scipy to
float32 rounding for every fill mode Keras accepts:

- "nearest": the coordinate is clamped into `[0, n - 1]` (edge pixels repeat);
- "constant": a coordinate outside `[0, n - 1]` on either axis gives `cval`
  (scipy's "constant": no interpolation beyond the edge);
- "reflect": half-sample symmetric extension (`d c b a | a b c d | d c b a`);
- "wrap": scipy's legacy "wrap": outside `[0, n - 1]` the coordinate is wrapped
  with period `n - 1` (the first and last samples overlap).

Why numpy and not scipy/Pillow (measured on a 2-core machine, 3-channel
float32 images, rotation + zoom, fill_mode="nearest"):

- scipy.ndimage.affine_transform, one call per channel: 1.1 ms at 64x64,
  12.4 ms at 224x224; one 3-D call over all channels at once is ~2x slower
  still (it interpolates along the channel axis too);
- Pillow `Image.transform(AFFINE, BILINEAR)` on "F" planes: 0.5 ms / 3.4 ms,
  but it only has a constant fill and a different edge rule, so it cannot
  reproduce Keras's "nearest"/"reflect"/"wrap" results (and differs from scipy
  on border pixels even for "constant");
- this module (order 1): about 0.3 ms / 2 ms, computing the four taps and
  weights of every output pixel with numpy and gathering whole pixels (all
  channels) at once, in blocks of 8192 output pixels. It runs on one thread:
  numpy's gathers hold the GIL, and two threads were measured slower.

Interpolation orders other than 1, and non-float dtypes, go to scipy (one call
per channel, the fastest scipy variant), spread over a thread pool (scipy
releases the GIL).
"""

import numpy as np

from layerkit.preprocessing import _pools

FILL_MODES = ("constant", "nearest", "reflect", "wrap")

# Output pixels handled by one task: small enough for the temporaries (< 128 KiB
# each) to stay in the CPU caches and in malloc's heap (larger ones are mmapped
# and page-faulted afresh on every call), large enough for the numpy call
# overhead to vanish.
_BLOCK_PIXELS = 8192


def check_fill_mode(fill_mode, where="fill_mode"):
    if fill_mode not in FILL_MODES:
        raise ValueError(
            f"Invalid {where}: expected one of {', '.join(repr(m) for m in FILL_MODES)}; "
            f"received {fill_mode!r}.")
    return fill_mode


def _axis_taps(coord, size, mode):
    """The two interpolation taps along one axis, the weight of the second tap,
    and (constant mode only) the mask of coordinates inside the image."""
    valid = None
    if mode == "nearest":
        np.clip(coord, 0, size - 1, out=coord)
    elif mode == "constant":
        valid = (coord >= 0) & (coord <= size - 1)
        np.clip(coord, 0, size - 1, out=coord)
    elif mode == "wrap":
        if size <= 1:
            coord[...] = 0
        else:
            period = size - 1
            outside = (coord < 0) | (coord > period)
            if outside.any():
                wrapped = coord - period * np.floor(coord / period)
                # scipy maps an exact negative multiple of the period to the
                # last sample, a positive one to the first.
                wrapped[(coord < 0) & (wrapped == 0)] = period
                coord = np.where(outside, wrapped, coord)
    elif mode == "reflect":
        first = np.floor(coord)
        frac = coord - first
        i0 = first.astype(np.intp)
        if size <= 1:
            zeros = np.zeros_like(i0)
            return zeros, zeros, frac, None
        i1 = i0 + 1
        period = 2 * size
        for idx in (i0, i1):
            np.remainder(idx, period, out=idx)
            high = idx >= size
            idx[high] = period - 1 - idx[high]
        return i0, i1, frac, None
    else:  # pragma: no cover - callers validate
        check_fill_mode(mode)
    # Coordinates are now inside [0, size - 1]: truncation is floor.
    i0 = coord.astype(np.intp)
    frac = coord - i0
    i1 = np.minimum(i0 + 1, size - 1)
    return i0, i1, frac, valid


def _bilinear_task(flat, shape, matrices, offsets, out, n0, n1, r0, r1, mode, cval):
    """Order-1 resampling of images n0:n1, output rows r0:r1."""
    _, height, width, channels = shape
    dtype = out.dtype
    a = matrices[n0:n1]
    b = offsets[n0:n1]
    rows = np.arange(r0, r1, dtype=np.float64)[None, :, None]
    cols = np.arange(width, dtype=np.float64)[None, None, :]
    r = a[:, 0, 0, None, None] * rows + (a[:, 0, 1, None, None] * cols + b[:, 0, None, None])
    c = a[:, 1, 0, None, None] * rows + (a[:, 1, 1, None, None] * cols + b[:, 1, None, None])
    ri0, ri1, fr, valid_r = _axis_taps(r, height, mode)
    ci0, ci1, fc, valid_c = _axis_taps(c, width, mode)
    base = (np.arange(n0, n1, dtype=np.intp) * (height * width))[:, None, None]
    ri0 *= width
    ri0 += base
    ri1 *= width
    ri1 += base
    fr = fr.astype(dtype, copy=False).ravel()
    fc = fc.astype(dtype, copy=False).ravel()
    if channels > 1:
        fr = np.repeat(fr, channels)
        fc = np.repeat(fc, channels)

    def gather(index):
        return flat.take(index.ravel()).view(dtype)

    top = gather(ri0 + ci0)
    top_right = gather(ri0 + ci1)
    top_right -= top
    top_right *= fc
    top_right += top  # interpolated along the columns, upper row
    bottom = gather(ri1 + ci0)
    bottom_right = gather(ri1 + ci1)
    bottom_right -= bottom
    bottom_right *= fc
    bottom_right += bottom
    bottom_right -= top_right
    bottom_right *= fr
    bottom_right += top_right
    result = bottom_right.reshape(n1 - n0, r1 - r0, width, channels)
    if valid_r is not None:
        valid_r &= valid_c
        result[~valid_r] = cval
    out[n0:n1, r0:r1] = result


def _scipy_task(src, matrices, offsets, out, n, order, mode, cval):
    from scipy import ndimage

    for ch in range(src.shape[-1]):
        out[n, :, :, ch] = ndimage.affine_transform(
            src[n, :, :, ch], matrices[n], offsets[n], order=order, mode=mode, cval=cval)


def _tasks(n_images, height, width):
    """(n0, n1, r0, r1) work items of about _BLOCK_PIXELS output pixels each."""
    pixels = height * width
    if pixels >= _BLOCK_PIXELS:
        step = max(1, _BLOCK_PIXELS // max(width, 1))
        return [(n, n + 1, r, min(height, r + step))
                for n in range(n_images) for r in range(0, height, step)]
    per_task = max(1, _BLOCK_PIXELS // max(pixels, 1))
    return [(n, min(n_images, n + per_task), 0, height) for n in range(0, n_images, per_task)]


def warp_affine(src, matrices, offsets, fill_mode="nearest", cval=0.0, order=1, out=None):
    """Resamples each image of a channels-last batch with its own affine map.

    Args:
        src: array `(N, H, W, C)`.
        matrices: `(N, 2, 2)` maps from output index `(i, j)` to input
            coordinates (scipy's `affine_transform` convention).
        offsets: `(N, 2)`.
        fill_mode: "constant", "nearest", "reflect" or "wrap" (scipy's meaning).
        cval: value outside the image for "constant".
        order: spline order; 1 (bilinear) is done here in numpy, the others by
            scipy.
        out: optional output array of the same shape and dtype as `src`.

    Returns:
        The resampled batch (`out` when given).
    """
    check_fill_mode(fill_mode)
    src = np.asarray(src)
    if src.ndim != 4:
        raise ValueError(
            f"warp_affine expects a batch of shape (N, H, W, C); received shape {src.shape}.")
    if src.dtype == np.float16:  # computed in float32, returned in float16
        result = warp_affine(src.astype(np.float32), matrices, offsets, fill_mode, cval, order)
        if out is None:
            return result.astype(np.float16)
        out[...] = result
        return out
    n_images, height, width, channels = src.shape
    matrices = np.asarray(matrices, dtype=np.float64).reshape(n_images, 2, 2)
    offsets = np.asarray(offsets, dtype=np.float64).reshape(n_images, 2)
    if out is None:
        out = np.empty(src.shape, dtype=src.dtype)
    if src.size == 0:
        return out
    fast = order == 1 and src.dtype in (np.float32, np.float64)
    if fast:
        src = np.ascontiguousarray(src)
        flat = src.reshape(-1).view(np.dtype((np.void, channels * src.dtype.itemsize)))
        jobs = [(_bilinear_task, (flat, src.shape, matrices, offsets, out, n0, n1, r0, r1,
                                  fill_mode, float(cval)))
                for n0, n1, r0, r1 in _tasks(n_images, height, width)]
    else:
        jobs = [(_scipy_task, (src, matrices, offsets, out, n, int(order), fill_mode, cval))
                for n in range(n_images)]
    if fast:
        # numpy's gathers and small ufunc calls mostly hold the GIL: threads
        # were measured 1.2-1.8x slower than one thread here, so run serially.
        for fn, args in jobs:
            fn(*args)
    else:
        _pools.run_all(jobs)  # scipy releases the GIL: ~1.7x on 2 cores
    return out
