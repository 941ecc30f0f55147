"""`image_dataset_from_directory`: a `layerkit.data.Dataset` of image batches
read from one sub-folder per class (Keras 3 semantics).

Images are decoded and resized with Pillow in the dataset's parallel map
(threads). Resizing differs from TensorFlow's `tf.image.resize` in detail:
Pillow filters when shrinking and rounds 8-bit images, so values can differ
from Keras-on-TensorFlow by a few grey levels. The interpolation names map to
Pillow's filters: bilinear, nearest, bicubic, area (box), lanczos3 / lanczos5
(lanczos), gaussian and mitchellcubic (bicubic).
"""

import os

import numpy as np

from layerkit import config
from layerkit.preprocessing import image_utils
from layerkit.preprocessing.directory_iterators import DirectoryNotFoundError, _iter_valid_files

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_INTERPOLATIONS = {"bilinear": "bilinear", "nearest": "nearest", "bicubic": "bicubic",
                   "area": "box", "lanczos3": "lanczos", "lanczos5": "lanczos",
                   "gaussian": "bicubic", "mitchellcubic": "bicubic"}
_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}


def _check_directory(directory):
    if not isinstance(directory, (str, bytes, os.PathLike)):
        raise TypeError(f"directory must be a path; received {type(directory).__name__}.")
    directory = os.fsdecode(directory)
    if not os.path.isdir(directory):
        if not os.path.exists(directory):
            raise DirectoryNotFoundError(2, f"The directory {directory!r} does not exist",
                                         directory)
        raise ValueError(f"{directory!r} is not a directory.")
    return directory


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """Lists the image files: `(file_paths, labels, class_names)`.

    With `labels="inferred"` every non-hidden sub-folder is a class (sorted, or
    `class_names` in that order); otherwise the files of the whole tree are
    listed in sorted order and `labels` (a list, one per file) or None is used.
    With `shuffle`, paths and labels are shuffled together with `seed`.
    """
    directory = _check_directory(directory)
    if labels == "inferred":
        subdirs = sorted(d for d in os.listdir(directory)
                         if os.path.isdir(os.path.join(directory, d)) and not d.startswith("."))
        if class_names is not None:
            unknown = [c for c in class_names if c not in subdirs]
            if unknown:
                raise ValueError(f"class_names {list(class_names)} do not match the sub-folders "
                                 f"of {directory!r}: {unknown} not found among {subdirs}.")
            subdirs = list(class_names)
    else:
        subdirs = [""]
    class_indices = {name: i for i, name in enumerate(subdirs)}
    files, found = [], []
    for sub in subdirs:
        sub_dir = os.path.join(directory, sub)
        for root, name in _iter_valid_files(sub_dir, formats, follow_links):
            files.append(os.path.join(root, name))
            found.append(class_indices[sub])
    if labels == "inferred":
        labels = np.asarray(found, dtype="int32")
        names = subdirs
    elif labels is None:
        names = None
    else:
        if len(labels) != len(files):
            raise ValueError(f"labels has {len(labels)} entries but {len(files)} image files were "
                             f"found in {directory!r}; pass one label per file (sorted path "
                             "order).")
        names = [str(v) for v in sorted(set(labels))]
        labels = np.asarray(labels)
    if verbose:
        if labels is None:
            print(f"Found {len(files)} files.")
        else:
            print(f"Found {len(files)} files belonging to {len(names)} classes.")
    if shuffle:
        order = np.random.RandomState(seed).permutation(len(files))
        files = [files[i] for i in order]
        if labels is not None:
            labels = labels[order]
    return files, labels, names


def _split(paths, labels, validation_split, subset, verbose=True):
    if not validation_split:
        return paths, labels
    n_val = int(validation_split * len(paths))
    if subset == "training":
        if verbose:
            print(f"Using {len(paths) - n_val} files for training.")
        keep = slice(0, len(paths) - n_val)
    else:
        if verbose:
            print(f"Using {n_val} files for validation.")
        keep = slice(len(paths) - n_val, len(paths))
    return paths[keep], (None if labels is None else labels[keep])


def _load_image(path, image_size, color_mode, resample, data_format, crop, pad):
    img = image_utils.load_img(path, color_mode=color_mode)
    height, width = int(image_size[0]), int(image_size[1])
    try:
        if crop:
            img = image_utils._resize(img, (width, height), image_utils._resampling(resample), True)
        elif pad:
            ratio = min(width / img.width, height / img.height)
            inner = (max(1, round(img.width * ratio)), max(1, round(img.height * ratio)))
            resized = img.resize(inner, image_utils._resampling(resample))
            from PIL import Image

            canvas = Image.new(img.mode, (width, height))
            canvas.paste(resized, ((width - inner[0]) // 2, (height - inner[1]) // 2))
            img = canvas
        elif img.size != (width, height):
            img = img.resize((width, height), image_utils._resampling(resample))
        return image_utils.img_to_array(img, data_format=data_format, dtype="float32")
    finally:
        img.close()


def _make_dataset(paths, labels, label_mode, num_classes, image_size, color_mode, resample,
                  data_format, crop, pad, shuffle, buffer_size, seed, batch_size):
    from layerkit.data import AUTOTUNE, Dataset

    paths = list(paths)
    index = np.arange(len(paths), dtype=np.int64)

    def load(i):
        return _load_image(paths[int(i)], image_size, color_mode, resample, data_format, crop, pad)

    if label_mode:
        if label_mode == "binary":
            label_values = np.asarray(labels, dtype="float32").reshape(-1, 1)
        elif label_mode == "categorical":
            label_values = np.eye(num_classes, dtype="float32")[np.asarray(labels, dtype=np.int64)]
        else:
            label_values = np.asarray(labels, dtype="int32")
        ds = Dataset.from_tensor_slices((index, label_values))
        if shuffle:
            ds = ds.shuffle(buffer_size, seed=seed)
        ds = ds.map(lambda i, y: (load(i), y), num_parallel_calls=AUTOTUNE)
    else:
        ds = Dataset.from_tensor_slices(index)
        if shuffle:
            ds = ds.shuffle(buffer_size, seed=seed)
        ds = ds.map(load, num_parallel_calls=AUTOTUNE)
    if batch_size is not None:
        ds = ds.batch(batch_size)
    return ds.prefetch(AUTOTUNE)


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                 color_mode="rgb", batch_size=32, image_size=(256, 256),
                                 shuffle=True, seed=None, validation_split=None, subset=None,
                                 interpolation="bilinear", follow_links=False,
                                 crop_to_aspect_ratio=False, pad_to_aspect_ratio=False,
                                 data_format=None, verbose=True):
    """A `Dataset` of `(images, labels)` batches (or `images` alone) from a folder.

    Args:
        directory: folder with one sub-folder per class (`labels="inferred"`),
            or any image tree when `labels` is a list or None.
        labels: "inferred", None, or a list of integer labels, one per image
            file in sorted path order.
        label_mode: "int" (int32), "categorical" (float32 one-hot), "binary"
            (float32, shape (batch, 1)) or None (images only).
        class_names: explicit class order (with `labels="inferred"`).
        color_mode: "grayscale", "rgb" or "rgba".
        batch_size: images per batch; None yields single images.
        image_size: (height, width) (an int means square).
        shuffle: shuffle the files (once, with `seed`) and each pass.
        seed: seed of the shuffles (required with validation_split and shuffle).
        validation_split: fraction of the files for validation (the last part).
        subset: "training", "validation" or "both" (a tuple of two datasets).
        interpolation: see the module docstring.
        follow_links: follow symbolic links to sub-folders.
        crop_to_aspect_ratio: crop the centre to the target aspect ratio.
        pad_to_aspect_ratio: pad (black) to the target aspect ratio.
        data_format: "channels_last" or "channels_first".
        verbose: print what was found.

    Returns:
        A `layerkit.data.Dataset` with `class_names` and `file_paths`
        attributes (or a tuple of two for `subset="both"`). Images are float32
        in [0, 255].
    """
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple, np.ndarray)):
            raise ValueError("labels must be 'inferred', None, or a list/tuple of integer labels "
                             f"(one per image file); received {labels!r}.")
        if class_names:
            raise ValueError("class_names can only be given with labels='inferred'; received "
                             f"labels={labels!r}, class_names={class_names!r}.")
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError("label_mode must be 'int', 'categorical', 'binary' or None; received "
                         f"{label_mode!r}.")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    image_utils.check_color_mode(color_mode)
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    if (not isinstance(image_size, (list, tuple)) or len(image_size) != 2
            or not all(isinstance(v, (int, np.integer)) and v > 0 for v in image_size)):
        raise ValueError("image_size must be a tuple of two positive integers (height, width); "
                         f"received {image_size!r}.")
    if not isinstance(interpolation, str) or interpolation.lower() not in _INTERPOLATIONS:
        raise ValueError(f"interpolation must be one of {tuple(_INTERPOLATIONS)}; received "
                         f"{interpolation!r}.")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True.")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(
            batch_size, (int, np.integer)) or batch_size <= 0):
        raise ValueError(f"batch_size must be a positive integer or None; received {batch_size!r}.")
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(
            f"validation_split must be between 0 and 1; received {validation_split!r}.")
    if bool(validation_split) != bool(subset):
        raise ValueError("subset and validation_split must be given together; received "
                         f"subset={subset!r}, validation_split={validation_split!r}.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f"subset must be 'training', 'validation' or 'both'; received {subset!r}.")
    if validation_split and shuffle and seed is None:
        raise ValueError("With validation_split and shuffle=True, pass a seed so that the "
                         "training and validation subsets do not overlap.")
    if seed is None:
        seed = int(np.random.randint(1_000_000))
    data_format = config.standardize_data_format(data_format)
    paths, labels, class_names = index_directory(
        directory, labels, ALLOWLIST_FORMATS, class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f"label_mode='binary' needs exactly 2 classes; found {class_names}.")
    buffer_size = batch_size * 8 if batch_size is not None else 1024
    common = dict(label_mode=label_mode, num_classes=len(class_names) if class_names else 0,
                  image_size=image_size, color_mode=color_mode,
                  resample=_INTERPOLATIONS[interpolation.lower()], data_format=data_format,
                  crop=crop_to_aspect_ratio, pad=pad_to_aspect_ratio, batch_size=batch_size)
    formats = ", ".join(ALLOWLIST_FORMATS)
    parts = ("training", "validation") if subset == "both" else (subset,)
    datasets = []
    for part in parts:
        part_paths, part_labels = _split(paths, labels, validation_split, part, verbose)
        if not part_paths:
            what = f"{part} " if part else ""
            raise ValueError(
                f"No {what}images found in {directory!r} (allowed formats: {formats}).")
        ds = _make_dataset(part_paths, part_labels, shuffle=shuffle and part != "validation",
                           buffer_size=buffer_size, seed=seed, **common)
        ds.class_names = class_names
        ds.file_paths = list(part_paths)
        datasets.append(ds)
    return tuple(datasets) if subset == "both" else datasets[0]
