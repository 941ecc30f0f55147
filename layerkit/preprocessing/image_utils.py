"""Loading, saving and converting images (Pillow <-> numpy), Keras semantics.

Pillow is imported inside the functions, so importing this module is cheap.
"""

import io
import os
import pathlib

import numpy as np

from layerkit import config

COLOR_MODES = ("grayscale", "rgb", "rgba")
INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


class ImageDecodeError(OSError, ValueError):
    """An image file could not be opened or decoded (missing, not an image,
    truncated). Both an `OSError` (what Pillow raises) and a `ValueError`."""


def _pil():
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - Pillow is a dependency
        raise ImportError("Image loading and saving need Pillow: pip install pillow.") from e
    return Image


def _resampling(name):
    Image = _pil()
    if name not in INTERPOLATIONS:
        raise ValueError(
            f"Invalid interpolation: expected one of {', '.join(repr(i) for i in INTERPOLATIONS)}; "
            f"received {name!r}.")
    return getattr(Image.Resampling, name.upper())


def check_color_mode(color_mode):
    if color_mode not in COLOR_MODES:
        raise ValueError(
            f"Invalid color_mode: expected one of {', '.join(repr(m) for m in COLOR_MODES)}; "
            f"received {color_mode!r}.")
    return color_mode


def _data_format(data_format):
    return config.standardize_data_format(data_format)


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """Converts a 3-D array to a Pillow image.

    Args:
        x: array of shape (height, width, channels) or (channels, height, width)
            with 1, 3 or 4 channels.
        data_format: "channels_last" or "channels_first" (default: the global
            image data format).
        scale: rescale the values to [0, 255] first (min to 0, max to 255).
        dtype: float type used for the arithmetic (default floatx).

    Returns:
        A Pillow image: "L" (or "I" for grayscale values above 255), "RGB" or "RGBA".
    """
    Image = _pil()
    data_format = _data_format(data_format)
    x = np.asarray(x, dtype=dtype or config.floatx())
    if x.ndim != 3:
        raise ValueError(
            f"array_to_img expects one image of rank 3; received an array of shape {x.shape}.")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x /= top
        x *= 255
    channels = x.shape[2]
    if channels == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(
        f"array_to_img: unsupported number of channels {channels} (shape {x.shape}, "
        f"data_format={data_format!r}); expected 1, 3 or 4.")


def img_to_array(img, data_format=None, dtype=None):
    """Converts a Pillow image to a 3-D float array ((H, W, C) or (C, H, W))."""
    data_format = _data_format(data_format)
    x = np.asarray(img, dtype=dtype or config.floatx())
    if x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    elif x.ndim == 2:
        if data_format == "channels_first":
            x = x.reshape((1,) + x.shape)
        else:
            x = x.reshape(x.shape + (1,))
    else:
        raise ValueError(f"img_to_array: unsupported image array shape {x.shape}.")
    return x


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Saves an array as an image file (written to a temporary name, then renamed).

    Args:
        path: file path or writable file object.
        x: 3-D array.
        data_format: "channels_last" or "channels_first".
        file_format: e.g. "png"; inferred from the extension when omitted
            (required for file objects).
        scale: rescale the values to [0, 255].
        **kwargs: passed to `PIL.Image.save`.
    """
    data_format = _data_format(data_format)
    if file_format is None and isinstance(path, (str, os.PathLike)):
        file_format = pathlib.Path(path).suffix[1:]
    if file_format:
        file_format = file_format.lower()
        if file_format == "jpg":
            file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        import warnings

        warnings.warn("save_img: JPEG cannot store an alpha channel; saving as RGB.", stacklevel=2)
        img = img.convert("RGB")
    save_pil_image(img, path, file_format, **kwargs)


def save_pil_image(img, path, file_format=None, **kwargs):
    """Writes a Pillow image to `path` through a temporary file and a rename."""
    if not isinstance(path, (str, os.PathLike)):
        img.save(path, format=file_format, **kwargs)
        return
    path = os.fspath(path)
    if file_format is None:
        file_format = pathlib.Path(path).suffix[1:].lower()
        if file_format == "jpg":
            file_format = "jpeg"
    tmp = f"{path}.tmp-{os.getpid()}-{id(img)}"
    try:
        img.save(tmp, format=file_format or None, **kwargs)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _open(path):
    Image = _pil()
    if isinstance(path, (str, bytes, os.PathLike)):
        name = os.fsdecode(path)
        with open(name, "rb") as f:  # a missing file raises FileNotFoundError naming it
            source = io.BytesIO(f.read())
    elif hasattr(path, "read"):
        name, source = "<file object>", path
    else:
        raise TypeError(f"load_img: path must be a path or a binary file object; received "
                        f"{type(path).__name__}.")
    try:
        return Image.open(source), name
    except (OSError, SyntaxError, ValueError) as e:
        raise ImageDecodeError(f"Could not decode image file {name!r}: {e}") from e


def load_img(path, grayscale=False, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Loads an image file into a Pillow image.

    Args:
        path: file path (str, bytes, pathlib.Path) or a binary file object.
        grayscale: Keras 1 spelling of `color_mode="grayscale"`.
        color_mode: "grayscale", "rgb" or "rgba".
        target_size: None or (height, width).
        interpolation: "nearest", "bilinear", "bicubic", "hamming", "box" or
            "lanczos"; used when the image must be resized.
        keep_aspect_ratio: crop the centre to the target aspect ratio before
            resizing instead of distorting the image.

    Returns:
        A loaded (decoded) Pillow image.

    Raises:
        FileNotFoundError: the file does not exist.
        ImageDecodeError: (an OSError and a ValueError) the file is not an
            image or is truncated; the message names the file.
    """
    if isinstance(grayscale, str):  # load_img(path, "rgb"): Keras 3's positional order
        grayscale, color_mode = False, grayscale
    if grayscale:
        color_mode = "grayscale"
    check_color_mode(color_mode)
    if target_size is not None:
        resample = _resampling(interpolation)
    img, name = _open(path)
    try:
        img.load()
        if color_mode == "grayscale":
            if img.mode not in ("L", "I;16", "I"):
                img = img.convert("L")
        elif color_mode == "rgba":
            if img.mode != "RGBA":
                img = img.convert("RGBA")
        elif img.mode != "RGB":
            img = img.convert("RGB")
        if target_size is not None:
            size = (int(target_size[1]), int(target_size[0]))
            if img.size != size:
                img = _resize(img, size, resample, keep_aspect_ratio)
    except ImageDecodeError:
        raise
    except (OSError, SyntaxError, ValueError) as e:
        raise ImageDecodeError(f"Could not decode image file {name!r}: {e}") from e
    return img


def _resize(img, size, resample, keep_aspect_ratio):
    if not keep_aspect_ratio:
        return img.resize(size, resample)
    width, height = img.size
    target_w, target_h = size
    crop_h = min(height, (width * target_h) // target_w)
    crop_w = min(width, (height * target_w) // target_h)
    top = (height - crop_h) // 2
    left = (width - crop_w) // 2
    return img.resize(size, resample, box=(left, top, left + crop_w, top + crop_h))


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last"):
    """Resizes an image (or batch) to `size` without distorting it: the
    largest centred crop with the target aspect ratio is resized.

    Works per channel through Pillow's float ("F") images, so any value range
    is kept. Returns a float32 array.
    """
    Image = _pil()
    resample = _resampling(interpolation)
    if len(size) != 2:
        raise ValueError(f"smart_resize: size must be (height, width); received {size!r}.")
    x = np.asarray(x)
    if x.ndim not in (3, 4):
        raise ValueError(
            "smart_resize expects an image (rank 3) or a batch (rank 4); received shape "
            f"{x.shape}.")
    batch = x if x.ndim == 4 else x[None]
    if data_format == "channels_first":
        batch = batch.transpose(0, 2, 3, 1)
    height, width = batch.shape[1:3]
    target_h, target_w = int(size[0]), int(size[1])
    crop_h = min(height, int(width * target_h / target_w))
    crop_w = min(width, int(height * target_w / target_h))
    crop_h, crop_w = max(crop_h, 1), max(crop_w, 1)
    top = (height - crop_h) // 2
    left = (width - crop_w) // 2
    out = np.empty((batch.shape[0], target_h, target_w, batch.shape[3]), dtype=np.float32)
    box = (left, top, left + crop_w, top + crop_h)
    for n in range(batch.shape[0]):
        for ch in range(batch.shape[3]):
            plane = Image.fromarray(np.ascontiguousarray(batch[n, :, :, ch], dtype=np.float32), "F")
            out[n, :, :, ch] = np.asarray(plane.resize((target_w, target_h), resample, box=box))
    if data_format == "channels_first":
        out = out.transpose(0, 3, 1, 2)
    return out if x.ndim == 4 else out[0]
