"""Iterators over image files: `DirectoryIterator` (one sub-folder per class)
and `DataFrameIterator` (file names and labels in a pandas DataFrame).

The files of a batch are decoded and resized in a thread pool (Pillow releases
the GIL), then augmented as one batch by the `ImageDataGenerator`.

Bad files: the folder scan only looks at names (it stays cheap for large
datasets). A file that cannot be decoded (not an image, truncated) raises
`ImageDecodeError` naming the file when its batch is loaded; a file removed
after the scan raises `FileNotFoundError` naming it. Remove or fix the file
and rerun.
"""

import collections
import errno
import os
import warnings

import numpy as np

from layerkit.preprocessing import _pools
from layerkit.preprocessing import image_utils
from layerkit.preprocessing.image_iterators import Iterator, takes_random_state


class DirectoryNotFoundError(FileNotFoundError, ValueError):
    """The directory given to flow_from_directory does not exist (also a ValueError)."""


def _check_target_size(target_size):
    try:
        size = tuple(int(v) for v in target_size)
    except (TypeError, ValueError):
        size = ()
    if len(size) != 2 or min(size) <= 0 or any(int(v) != v for v in target_size):
        raise ValueError("target_size must be a tuple of two positive integers (height, width); "
                         f"received {target_size!r}.")
    return size


def _iter_valid_files(directory, formats, follow_links):
    """(root, file name) of the image files under `directory`, in sorted order."""
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links), key=lambda t: t[0]):
        for name in sorted(files):
            if name.lower().endswith(formats):
                yield root, name


def _list_class_files(directory, class_name, formats, split, follow_links):
    class_dir = os.path.join(directory, class_name)
    files = list(_iter_valid_files(class_dir, formats, follow_links))
    total = len(files)
    if split:
        files = files[int(split[0] * total):int(split[1] * total)]
    names = [os.path.join(class_name, os.path.relpath(os.path.join(root, name), class_dir))
             for root, name in files]
    return names, total


class _FileBatchIterator(Iterator):
    """Shared logic of the file iterators: decoding, augmenting, labelling."""

    def _set_processing_attrs(self, image_data_generator, target_size, color_mode, data_format,
                              save_to_dir, save_prefix, save_format, subset, interpolation,
                              keep_aspect_ratio):
        from layerkit import config

        self.image_data_generator = image_data_generator
        self.target_size = _check_target_size(target_size)
        self.keep_aspect_ratio = keep_aspect_ratio
        self.color_mode = image_utils.check_color_mode(color_mode)
        self.data_format = config.standardize_data_format(data_format)
        channels = {"rgba": 4, "rgb": 3, "grayscale": 1}[color_mode]
        if self.data_format == "channels_last":
            self.image_shape = self.target_size + (channels,)
        else:
            self.image_shape = (channels,) + self.target_size
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        image_utils._resampling(interpolation)  # validates the name
        self.interpolation = interpolation
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError(f"subset must be 'training' or 'validation'; received {subset!r}.")
            split = image_data_generator._validation_split if image_data_generator else 0
            if not split and subset == "validation":
                raise ValueError("subset='validation' needs a validation_split between 0 and 1 "
                                 "in the ImageDataGenerator; it is 0.")
            self.split = (0, split) if subset == "validation" else (split, 1)
        else:
            self.split = None
        self.subset = subset

    def _check_class_mode(self, class_mode):
        if class_mode not in self.allowed_class_modes:
            allowed = ", ".join(repr(m) for m in self.allowed_class_modes)
            raise ValueError(
                f"Invalid class_mode: expected one of {allowed}; received {class_mode!r}.")
        self.class_mode = class_mode

    def _load_into(self, batch, i, path):
        img = image_utils.load_img(path, color_mode=self.color_mode, target_size=self.target_size,
                                   interpolation=self.interpolation,
                                   keep_aspect_ratio=self.keep_aspect_ratio)
        try:
            batch[i] = image_utils.img_to_array(img, data_format=self.data_format, dtype=self.dtype)
        finally:
            img.close()

    @takes_random_state
    def _get_batches_of_transformed_samples(self, index_array, random_state=None):
        rng = random_state if random_state is not None else np.random.RandomState(
            np.random.randint(0, 2**31 - 1))
        batch = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        paths = self.filepaths
        jobs = [(self._load_into, (batch, i, paths[j])) for i, j in enumerate(index_array)]
        _pools.run_all(jobs, pool=_pools.io_pool())
        batch = self._augment(self.image_data_generator, batch, rng)
        if self.save_to_dir:
            self._save_batch(batch, index_array, rng, 10**7)
        mode = self.class_mode
        if mode == "input":
            labels = batch.copy()
        elif mode in ("binary", "sparse"):
            labels = np.asarray(self.classes, dtype=self.dtype)[index_array]
        elif mode == "categorical":
            labels = np.zeros((len(batch), len(self.class_indices)), dtype=self.dtype)
            for i, j in enumerate(index_array):
                labels[i, self.classes[j]] = 1.0
        elif mode == "multi_output":
            labels = [output[index_array] for output in self.labels]
        elif mode == "raw":
            labels = self.labels[index_array]
        else:
            return batch
        if self.sample_weight is None:
            return batch, labels
        return batch, labels, self.sample_weight[index_array]


class DirectoryIterator(_FileBatchIterator):
    """Reads images from `directory`, one sub-folder per class.

    Classes are the sorted sub-folder names (or `classes`, in that order);
    `class_indices` maps each to its index; `classes` holds the label of every
    sample, `filenames` its path relative to `directory`, `samples` the count.
    Files are found recursively in each class folder and kept when their
    extension is png, jpg, jpeg, bmp, ppm, tif or tiff.

    Errors: a missing `directory` raises `DirectoryNotFoundError` (a
    FileNotFoundError and a ValueError); a listed class without a folder, or no
    image at all, raises ValueError; an empty class folder only warns (the
    class keeps its index). Files are not opened while scanning: a file that
    cannot be decoded raises `ImageDecodeError` (an OSError and a ValueError)
    naming it when its batch is loaded.

    Args: those of `ImageDataGenerator.flow_from_directory`, plus the
    generator, `data_format` and `dtype`.
    """

    allowed_class_modes = ("categorical", "binary", "sparse", "input", None)

    def __init__(self, directory, image_data_generator, target_size=(256, 256), color_mode="rgb",
                 classes=None, class_mode="categorical", batch_size=32, shuffle=True, seed=None,
                 data_format=None, save_to_dir=None, save_prefix="", save_format="png",
                 follow_links=False, subset=None, interpolation="nearest", keep_aspect_ratio=False,
                 dtype=None):
        from layerkit import config

        if not isinstance(directory, (str, bytes, os.PathLike)):
            raise TypeError("flow_from_directory: directory must be a path; received "
                            f"{type(directory).__name__}.")
        directory = os.fsdecode(directory)
        if not os.path.exists(directory):
            raise DirectoryNotFoundError(
                errno.ENOENT, f"flow_from_directory: the directory {directory!r} does not exist",
                directory)
        if not os.path.isdir(directory):
            raise ValueError(f"flow_from_directory: {directory!r} is not a directory; pass the "
                             "folder that holds one sub-folder per class.")
        self.dtype = str(np.dtype(dtype or config.floatx()))
        self._set_processing_attrs(image_data_generator, target_size, color_mode, data_format,
                                   save_to_dir, save_prefix, save_format, subset, interpolation,
                                   keep_aspect_ratio)
        self._check_class_mode(class_mode)
        self.directory = directory
        if not classes:
            classes = sorted(d for d in os.listdir(directory)
                             if os.path.isdir(os.path.join(directory, d)))
        else:
            classes = list(classes)
            missing = [c for c in classes if not os.path.isdir(os.path.join(directory, c))]
            if missing:
                raise ValueError(f"flow_from_directory: class folder(s) {missing} not found in "
                                 f"{directory!r} (classes={classes}).")
        self.num_classes = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes))))
        formats = self.white_list_formats
        listed = _pools.run_all(
            [(_list_class_files, (directory, c, formats, self.split, follow_links))
             for c in classes],
            pool=_pools.io_pool())
        self.filenames = []
        labels = []
        for index, (class_name, (names, total)) in enumerate(zip(classes, listed)):
            if total == 0:
                warnings.warn(f"flow_from_directory: the class folder "
                              f"{os.path.join(directory, class_name)!r} holds no image files "
                              f"({', '.join(formats)}); class {class_name!r} has no samples.",
                              stacklevel=3)
            self.filenames += names
            labels += [index] * len(names)
        self.samples = len(self.filenames)
        self.classes = np.asarray(labels, dtype="int32")
        if self.samples == 0:
            if any(total for _, total in listed):
                raise ValueError(
                    f"flow_from_directory: subset={subset!r} of {directory!r} is empty with "
                    f"validation_split={image_data_generator._validation_split}; there are too "
                    "few images per class for this split.")
            raise ValueError(
                f"flow_from_directory: found no images in {directory!r}. It must hold one "
                f"sub-folder per class with image files ({', '.join(formats)}); "
                f"found class folders {classes}.")
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        self._filepaths = [os.path.join(directory, name) for name in self.filenames]
        super().__init__(self.samples, batch_size, shuffle, seed)

    @property
    def filepaths(self):
        """Absolute (directory-joined) paths of every sample."""
        return self._filepaths

    @property
    def labels(self):
        return self.classes

    @property
    def sample_weight(self):
        return None


class DataFrameIterator(_FileBatchIterator):
    """Reads the images listed in a pandas DataFrame.

    `x_col` holds file names (joined to `directory` when given), `y_col` the
    labels: strings (or lists of strings for multi-label "categorical") for
    "categorical", "binary" and "sparse", anything for "raw", a list of columns
    for "multi_output". With `validate_filenames`, rows whose file is missing
    or has another extension are dropped with a warning. Decoding errors are
    raised when a batch is loaded, as in `DirectoryIterator`.
    """

    allowed_class_modes = ("binary", "categorical", "input", "multi_output", "raw", "sparse", None)

    def __init__(self, dataframe, directory=None, image_data_generator=None, x_col="filename",
                 y_col="class", weight_col=None, target_size=(256, 256), color_mode="rgb",
                 classes=None, class_mode="categorical", batch_size=32, shuffle=True, seed=None,
                 data_format="channels_last", save_to_dir=None, save_prefix="", save_format="png",
                 subset=None, interpolation="nearest", keep_aspect_ratio=False, dtype="float32",
                 validate_filenames=True):
        self.dtype = str(np.dtype(dtype))
        self._set_processing_attrs(image_data_generator, target_size, color_mode, data_format,
                                   save_to_dir, save_prefix, save_format, subset, interpolation,
                                   keep_aspect_ratio)
        self._check_class_mode(class_mode)
        if not hasattr(dataframe, "columns") or not hasattr(dataframe, "copy"):
            raise TypeError("flow_from_dataframe: dataframe must be a pandas DataFrame; received "
                            f"{type(dataframe).__name__}.")
        df = dataframe.copy()
        self.directory = os.fsdecode(directory) if directory else ""
        self._check_params(df, x_col, y_col, weight_col, classes)
        if validate_filenames:
            df = self._filter_valid_filepaths(df, x_col)
        labelled = class_mode not in ("input", "multi_output", "raw", None)
        if labelled:
            df, classes = self._filter_classes(df, y_col, classes)
            self.class_indices = dict(zip(classes, range(len(classes))))
        if self.split:
            start, stop = int(self.split[0] * len(df)), int(self.split[1] * len(df))
            df = df.iloc[start:stop, :]
        if labelled:
            self.classes = self._get_classes(df, y_col)
        self.filenames = df[x_col].tolist()
        self._sample_weight = df[weight_col].values if weight_col else None
        if class_mode == "multi_output":
            self._targets = [np.array(df[col].tolist()) for col in y_col]
        if class_mode == "raw":
            self._targets = df[y_col].values
        self.samples = len(self.filenames)
        checked = "validated" if validate_filenames else "non-validated"
        if labelled:
            print(f"Found {self.samples} {checked} image filenames belonging to "
                  f"{len(classes)} classes.")
        else:
            print(f"Found {self.samples} {checked} image filenames.")
        self._filepaths = [os.path.join(self.directory, f) for f in self.filenames]
        super().__init__(self.samples, batch_size, shuffle, seed)

    def _check_params(self, df, x_col, y_col, weight_col, classes):
        mode = self.class_mode
        for col in [x_col] + ([weight_col] if weight_col else []):
            if col not in df.columns:
                raise ValueError(f"flow_from_dataframe: column {col!r} not in the dataframe "
                                 f"(columns: {list(df.columns)}).")
        if mode is not None and mode != "input":
            for col in (y_col if isinstance(y_col, list) else [y_col]):
                if col not in df.columns:
                    raise ValueError(f"flow_from_dataframe: y_col {col!r} not in the dataframe "
                                     f"(columns: {list(df.columns)}).")
        if mode == "multi_output" and not isinstance(y_col, list):
            raise TypeError(f'If class_mode="multi_output", y_col must be a list; received '
                            f"{type(y_col).__name__}.")
        if not all(isinstance(v, str) for v in df[x_col]):
            raise TypeError(
                f"All values in column x_col={x_col!r} must be strings (file names).")
        if mode in ("binary", "sparse") and not all(isinstance(v, str) for v in df[y_col]):
            raise TypeError(
                f'If class_mode="{mode}", the values of y_col={y_col!r} must be strings.')
        if mode == "binary":
            count = len(set(classes)) if classes else df[y_col].nunique()
            if count != 2:
                raise ValueError(f'If class_mode="binary" there must be 2 classes; found {count}.')
        if mode == "categorical" and not all(isinstance(v, (str, list, tuple)) for v in df[y_col]):
            raise TypeError(f'If class_mode="categorical", the values of y_col={y_col!r} must be '
                            "strings, lists or tuples.")
        if classes and mode in ("input", "multi_output", "raw", None):
            warnings.warn(f'`classes` is ignored with class_mode="{mode}".', stacklevel=4)
        if weight_col and not np.issubdtype(df[weight_col].dtype, np.number):
            raise TypeError(f"Column weight_col={weight_col!r} must be numeric.")

    def _get_classes(self, df, y_col):
        labels = []
        for label in df[y_col]:
            if isinstance(label, (list, tuple)):
                labels.append([self.class_indices[v] for v in label])
            else:
                labels.append(self.class_indices[label])
        return labels

    @staticmethod
    def _filter_classes(df, y_col, classes):
        df = df.copy()
        if classes:
            classes = list(collections.OrderedDict.fromkeys(classes))
            keep = set(classes)

            def restrict(labels):
                if isinstance(labels, (list, tuple)):
                    return [v for v in labels if v in keep] or None
                return labels if labels in keep else None

            df[y_col] = df[y_col].apply(restrict)
        else:
            found = set()
            for v in df[y_col]:
                found.update(v if isinstance(v, (list, tuple)) else [v])
            classes = sorted(found)
        return df.dropna(subset=[y_col]), classes

    def _filter_valid_filepaths(self, df, x_col):
        formats = self.white_list_formats
        mask = df[x_col].map(
            lambda name: name.lower().endswith(formats)
            and os.path.isfile(os.path.join(self.directory, name)))
        invalid = int((~mask).sum())
        if invalid:
            warnings.warn(f'Found {invalid} invalid image filename(s) in x_col="{x_col}"; they are '
                          "ignored.", stacklevel=4)
        return df[mask]

    @property
    def filepaths(self):
        return self._filepaths

    @property
    def labels(self):
        if self.class_mode in ("multi_output", "raw"):
            return self._targets
        return self.classes

    @property
    def sample_weight(self):
        return self._sample_weight
