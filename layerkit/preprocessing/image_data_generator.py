"""`ImageDataGenerator`: Keras 2's real-time image augmentation.

The parameters are drawn exactly as Keras draws them (same calls, same order,
so the same seed gives the same parameters), but a whole batch is transformed
at once: the rotation, shifts, shear, zoom and flips of every image become one
affine map each, applied to the batch in one vectorised resampling call spread
over a thread pool (see `resample.py`), and the normalisation steps run on the
whole batch. A subclass that overrides `get_random_transform`,
`apply_transform`, `random_transform` or `standardize` gets Keras's one image
at a time path instead, so its overrides are honoured.
"""

import numbers
import warnings

import numpy as np

from layerkit import config
from layerkit.preprocessing import affine_transform as _affine
from layerkit.preprocessing import resample as _resample

_FIT_WARNING = ("This ImageDataGenerator specifies `{0}`, but it has not been fit on any "
                "training data. Fit it first by calling `.fit(numpy_data)`; continuing without it.")


def _is_number(v):
    return isinstance(v, numbers.Number) and not isinstance(v, bool)


def _check_number(name, value, allow_none=False):
    if value is None and allow_none:
        return value
    if not _is_number(value):
        raise TypeError(f"ImageDataGenerator: {name} must be a number; received {value!r} "
                        f"of type {type(value).__name__}.")
    return value


def _check_shift_range(name, value):
    if _is_number(value):
        return value
    if isinstance(value, (list, tuple, np.ndarray)):
        values = list(np.asarray(value).ravel().tolist())
        if values and all(_is_number(v) for v in values):
            return values
    raise TypeError(
        f"ImageDataGenerator: {name} must be a float (fraction of the size, or pixels when >= 1), "
        f"an int (pixels) or a non-empty list of numbers (allowed shifts); received {value!r}.")


def _check_pair(name, value):
    if (isinstance(value, (list, tuple, np.ndarray)) and len(value) == 2
            and all(_is_number(v) for v in np.asarray(value).tolist())):
        return [float(v) for v in np.asarray(value).tolist()]
    raise ValueError(f"ImageDataGenerator: {name} must be a tuple or list of two floats; "
                     f"received {value!r}.")


def _draw_shift(rng, shift_range, size):
    """Keras's draw for width/height_shift_range: a list or an int picks a value
    (and a sign); a float draws uniformly; a range below 1 is a fraction of `size`."""
    if not shift_range:
        return 0
    try:
        shift = rng.choice(shift_range)
        shift *= rng.choice([-1, 1])
    except ValueError:  # a float: numpy's choice refuses it without drawing
        shift = rng.uniform(-shift_range, shift_range)
    if np.max(shift_range) < 1:
        shift *= size
    return shift


class ImageDataGenerator:
    """Generates batches of image data with real-time data augmentation.

    Arguments are Keras 2's (an unknown keyword raises `TypeError`):
        featurewise_center: subtract the dataset mean (per channel); needs `fit`.
        samplewise_center: subtract each sample's mean.
        featurewise_std_normalization: divide by the dataset std; needs `fit`.
        samplewise_std_normalization: divide each sample by its std.
        zca_whitening: apply ZCA whitening; needs `fit`.
        zca_epsilon: epsilon for ZCA whitening.
        rotation_range: degrees; angle drawn from [-range, range].
        width_shift_range, height_shift_range: float < 1: fraction of the
            width/height; float >= 1: pixels, drawn from [-range, range];
            int: pixels drawn from range(int) with a random sign; list: one of
            its values with a random sign.
        brightness_range: (lo, hi) brightness factor.
        shear_range: shear angle in degrees, counter-clockwise.
        zoom_range: float `z` for [1 - z, 1 + z], or [lo, hi].
        channel_shift_range: intensity of a random channel shift.
        fill_mode: "constant", "nearest" (default), "reflect" or "wrap".
        cval: fill value for "constant".
        horizontal_flip, vertical_flip: random flips.
        rescale: factor multiplied into the data (after the augmentation).
        preprocessing_function: called on each image (rank 3) after the
            augmentation; must return an array of the same shape.
        data_format: "channels_last" or "channels_first" (default: global).
        validation_split: fraction of the data reserved for `subset="validation"`.
        interpolation_order: spline order of the resampling (1 = bilinear).
        dtype: dtype of the generated arrays (default floatx).
    """

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, zca_epsilon=1e-6, rotation_range=0, width_shift_range=0.0,
                 height_shift_range=0.0, brightness_range=None, shear_range=0.0, zoom_range=0.0,
                 channel_shift_range=0.0, fill_mode="nearest", cval=0.0, horizontal_flip=False,
                 vertical_flip=False, rescale=None, preprocessing_function=None, data_format=None,
                 validation_split=0.0, interpolation_order=1, dtype=None):
        if data_format is None:
            data_format = config.image_data_format()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(
                "ImageDataGenerator: data_format must be 'channels_last' (channels after rows "
                f"and columns) or 'channels_first'; received {data_format!r}.")
        self.data_format = data_format
        if data_format == "channels_first":
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        self.dtype = str(np.dtype(dtype or config.floatx()))

        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.zca_epsilon = _check_number("zca_epsilon", zca_epsilon)
        self.rotation_range = _check_number("rotation_range", rotation_range)
        self.width_shift_range = _check_shift_range("width_shift_range", width_shift_range)
        self.height_shift_range = _check_shift_range("height_shift_range", height_shift_range)
        self.shear_range = _check_number("shear_range", shear_range)
        self.channel_shift_range = _check_number("channel_shift_range", channel_shift_range)
        self.fill_mode = _resample.check_fill_mode(fill_mode)
        self.cval = _check_number("cval", cval)
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = _check_number("rescale", rescale, allow_none=True)
        if preprocessing_function is not None and not callable(preprocessing_function):
            raise TypeError("ImageDataGenerator: preprocessing_function must be callable or None; "
                            f"received {preprocessing_function!r}.")
        self.preprocessing_function = preprocessing_function
        if (not isinstance(interpolation_order, numbers.Integral)
                or isinstance(interpolation_order, bool) or not 0 <= interpolation_order <= 5):
            raise ValueError("ImageDataGenerator: interpolation_order must be an integer from 0 "
                             f"to 5; received {interpolation_order!r}.")
        self.interpolation_order = int(interpolation_order)
        _check_number("validation_split", validation_split)
        if validation_split and not 0 < validation_split < 1:
            raise ValueError("ImageDataGenerator: validation_split must be strictly between 0 "
                             f"and 1; received {validation_split!r}.")
        self._validation_split = validation_split

        if _is_number(zoom_range):
            self.zoom_range = [1 - zoom_range, 1 + zoom_range]
        else:
            self.zoom_range = _check_pair("zoom_range", zoom_range)
        self.brightness_range = (None if brightness_range is None
                                 else _check_pair("brightness_range", brightness_range))

        self.mean = None
        self.std = None
        self.zca_whitening_matrix = None

        if zca_whitening:
            if not featurewise_center:
                self.featurewise_center = True
                warnings.warn("This ImageDataGenerator specifies `zca_whitening`, which overrides "
                              "setting of `featurewise_center`.", stacklevel=2)
            if featurewise_std_normalization:
                self.featurewise_std_normalization = False
                warnings.warn("This ImageDataGenerator specifies `zca_whitening`, which overrides "
                              "setting of `featurewise_std_normalization`.", stacklevel=2)
        if featurewise_std_normalization and not self.featurewise_center:
            self.featurewise_center = True
            warnings.warn("This ImageDataGenerator specifies `featurewise_std_normalization`, "
                          "which overrides setting of `featurewise_center`.", stacklevel=2)
        if samplewise_std_normalization and not samplewise_center:
            self.samplewise_center = True
            warnings.warn("This ImageDataGenerator specifies `samplewise_std_normalization`, "
                          "which overrides setting of `samplewise_center`.", stacklevel=2)

    # ------------------------------------------------------------------ flows
    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
             save_to_dir=None, save_prefix="", save_format="png", ignore_class_split=False,
             subset=None):
        """Batches of augmented data from arrays: see `NumpyArrayIterator`."""
        from layerkit.preprocessing.image_iterators import NumpyArrayIterator

        return NumpyArrayIterator(
            x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
            seed=seed, data_format=self.data_format, save_to_dir=save_to_dir,
            save_prefix=save_prefix, save_format=save_format,
            ignore_class_split=ignore_class_split, subset=subset, dtype=self.dtype)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode="rgb", classes=None,
                            class_mode="categorical", batch_size=32, shuffle=True, seed=None,
                            save_to_dir=None, save_prefix="", save_format="png", follow_links=False,
                            subset=None, interpolation="nearest", keep_aspect_ratio=False):
        """Batches of augmented images read from one sub-folder per class: see
        `DirectoryIterator`. Classes are the sorted sub-folder names (or
        `classes`); files are decoded in a thread pool. A file that cannot be
        decoded raises `ImageDecodeError` naming it when its batch is loaded
        (the scan does not open files); an empty class folder warns."""
        from layerkit.preprocessing.directory_iterators import DirectoryIterator

        return DirectoryIterator(
            directory, self, target_size=target_size, color_mode=color_mode, classes=classes,
            class_mode=class_mode, data_format=self.data_format, batch_size=batch_size,
            shuffle=shuffle, seed=seed, save_to_dir=save_to_dir, save_prefix=save_prefix,
            save_format=save_format, follow_links=follow_links, subset=subset,
            interpolation=interpolation, keep_aspect_ratio=keep_aspect_ratio, dtype=self.dtype)

    def flow_from_dataframe(self, dataframe, directory=None, x_col="filename", y_col="class",
                            weight_col=None, target_size=(256, 256), color_mode="rgb", classes=None,
                            class_mode="categorical", batch_size=32, shuffle=True, seed=None,
                            save_to_dir=None, save_prefix="", save_format="png", subset=None,
                            interpolation="nearest", validate_filenames=True, **kwargs):
        """Batches of augmented images listed in a pandas DataFrame: see
        `DataFrameIterator`. The deprecated Keras keywords `has_ext`, `sort` and
        `drop_duplicates` warn and are ignored; any other keyword is a TypeError."""
        from layerkit.preprocessing.directory_iterators import DataFrameIterator

        for name in ("has_ext", "sort", "drop_duplicates"):
            if name in kwargs:
                kwargs.pop(name)
                warnings.warn(f"flow_from_dataframe: `{name}` is deprecated and ignored.",
                              DeprecationWarning, stacklevel=2)
        if kwargs:
            raise TypeError("flow_from_dataframe() got unexpected keyword argument(s): "
                            + ", ".join(repr(k) for k in kwargs))
        if class_mode == "other":
            warnings.warn('class_mode="other" is deprecated; use class_mode="raw".',
                          DeprecationWarning, stacklevel=2)
            class_mode = "raw"
        return DataFrameIterator(
            dataframe, directory, self, x_col=x_col, y_col=y_col, weight_col=weight_col,
            target_size=target_size, color_mode=color_mode, classes=classes,
            class_mode=class_mode, data_format=self.data_format, batch_size=batch_size,
            shuffle=shuffle, seed=seed, save_to_dir=save_to_dir, save_prefix=save_prefix,
            save_format=save_format, subset=subset, interpolation=interpolation,
            validate_filenames=validate_filenames, dtype=self.dtype)

    # ---------------------------------------------------------- normalisation
    def standardize(self, x):
        """Applies the normalisation configuration (in place where possible) to
        `x` (one image or, with Keras's whole-array statistics, an array) and
        returns it. Order: preprocessing_function, rescale, samplewise
        centre/std, featurewise centre/std, ZCA."""
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, keepdims=True) + 1e-6
        return self._featurewise(x)

    def _featurewise(self, x):
        if self.featurewise_center:
            if self.mean is not None:
                x -= self.mean
            else:
                warnings.warn(_FIT_WARNING.format("featurewise_center"), stacklevel=3)
        if self.featurewise_std_normalization:
            if self.std is not None:
                x /= self.std + 1e-6
            else:
                warnings.warn(_FIT_WARNING.format("featurewise_std_normalization"), stacklevel=3)
        if self.zca_whitening:
            if self.zca_whitening_matrix is not None:
                n_features = int(np.prod(x.shape[-3:]))
                flat = x.reshape(-1, n_features) @ self.zca_whitening_matrix
                x = np.reshape(flat, x.shape).astype(x.dtype, copy=False)
            else:
                warnings.warn(_FIT_WARNING.format("zca_whitening"), stacklevel=3)
        return x

    def _standardize_batch(self, batch):
        """`standardize` for a batch (N, ...): sample-wise statistics per sample."""
        if self.preprocessing_function:
            for i in range(len(batch)):
                result = self.preprocessing_function(batch[i])
                if result is None:
                    raise ValueError("ImageDataGenerator: preprocessing_function returned None; it "
                                     "must return the processed image (an array of rank 3).")
                if np.shape(result) != batch.shape[1:]:
                    raise ValueError(
                        "ImageDataGenerator: preprocessing_function must return an array of the "
                        f"same shape as its input {batch.shape[1:]}; it returned shape "
                        f"{np.shape(result)}.")
                batch[i] = result
        if self.rescale:
            batch *= self.rescale
        axes = tuple(range(1, batch.ndim))
        if self.samplewise_center:
            batch -= np.mean(batch, axis=axes, keepdims=True)
        if self.samplewise_std_normalization:
            batch /= np.std(batch, axis=axes, keepdims=True) + 1e-6
        return self._featurewise(batch)

    # ----------------------------------------------------------- augmentation
    def _draw_params(self, rng, img_shape):
        """Keras's random draws, in Keras's order, from `rng` (the `np.random`
        module or a `RandomState`)."""
        row, col = self.row_axis - 1, self.col_axis - 1
        theta = rng.uniform(-self.rotation_range, self.rotation_range) if self.rotation_range else 0
        tx = _draw_shift(rng, self.height_shift_range, img_shape[row])
        ty = _draw_shift(rng, self.width_shift_range, img_shape[col])
        shear = rng.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = rng.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = (rng.random() < 0.5) * self.horizontal_flip
        flip_vertical = (rng.random() < 0.5) * self.vertical_flip
        channel_shift_intensity = None
        if self.channel_shift_range != 0:
            channel_shift_intensity = rng.uniform(-self.channel_shift_range,
                                                  self.channel_shift_range)
        brightness = None
        if self.brightness_range is not None:
            brightness = rng.uniform(self.brightness_range[0], self.brightness_range[1])
        return {"theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
                "flip_horizontal": flip_horizontal, "flip_vertical": flip_vertical,
                "channel_shift_intensity": channel_shift_intensity, "brightness": brightness}

    def get_random_transform(self, img_shape, seed=None):
        """Random transformation parameters for one image of shape `img_shape`
        (drawn from `np.random`, seeded with `seed` when given), as a dict with
        theta, tx, ty, shear, zx, zy, flip_horizontal, flip_vertical,
        channel_shift_intensity and brightness."""
        if seed is not None:
            np.random.seed(seed)
        return self._draw_params(np.random, img_shape)

    def apply_transform(self, x, transform_parameters):
        """Applies the transformation described by `transform_parameters` (as
        returned by `get_random_transform`; missing keys mean no change) to one
        image `x` (rank 3). The geometric part is one resampling call."""
        p = transform_parameters
        x = np.asarray(x)
        row, col, channel = self.row_axis - 1, self.col_axis - 1, self.channel_axis - 1
        x = _affine.transform_image(
            x, p.get("theta", 0), p.get("tx", 0), p.get("ty", 0), p.get("shear", 0),
            p.get("zx", 1), p.get("zy", 1), row_axis=row, col_axis=col, channel_axis=channel,
            fill_mode=self.fill_mode, cval=self.cval, order=self.interpolation_order,
            flip_rows=bool(p.get("flip_vertical", False)),
            flip_cols=bool(p.get("flip_horizontal", False)))
        if p.get("channel_shift_intensity") is not None:
            x = _affine.apply_channel_shift(x, p["channel_shift_intensity"], channel)
        if p.get("brightness") is not None:
            x = _affine.apply_brightness_shift(x, p["brightness"], scale=False,
                                               data_format=self.data_format)
        return x

    def random_transform(self, x, seed=None):
        """Applies a random transformation to one image (rank 3)."""
        params = self.get_random_transform(np.shape(x), seed)
        return self.apply_transform(x, params)

    def _default_pipeline(self):
        """True unless a subclass overrides one of the per-image hooks."""
        cls = type(self)
        return all(getattr(cls, name) is getattr(ImageDataGenerator, name)
                   for name in ("get_random_transform", "apply_transform", "random_transform",
                                "standardize"))

    def _transform_batch(self, batch, rng):
        """Augments and standardises a batch (N, ...) of `self.dtype`; `rng`
        supplies the random draws (Keras's per-image order). Returns the batch."""
        if not self._default_pipeline():
            for i in range(len(batch)):
                x = batch[i].copy()
                params = self.get_random_transform(x.shape)
                x = self.apply_transform(x, params)
                batch[i] = self.standardize(x)
            return batch
        params = [self._draw_params(rng, batch.shape[1:]) for _ in range(len(batch))]
        batch = self._apply_transform_batch(batch, params)
        return self._standardize_batch(batch)

    def _apply_transform_batch(self, batch, params):
        """`apply_transform` for a whole batch: one resampling call for every
        image that needs one (flips folded in), then channel shift and brightness."""
        if not params:
            return batch

        def get(key, default):
            return np.array([p.get(key, default) for p in params], dtype=np.float64)

        theta, tx, ty = get("theta", 0), get("tx", 0), get("ty", 0)
        shear, zx, zy = get("shear", 0), get("zx", 1), get("zy", 1)
        flip_h = get("flip_horizontal", 0).astype(bool)
        flip_v = get("flip_vertical", 0).astype(bool)
        identity = _affine.is_identity(theta, tx, ty, shear, zx, zy)
        warp = np.flatnonzero(~identity)
        channels_first = self.data_format == "channels_first"
        if warp.size:
            h, w = batch.shape[self.row_axis], batch.shape[self.col_axis]
            matrices, offsets = _affine.compose_index_affine(
                theta[warp], tx[warp], ty[warp], shear[warp], zx[warp], zy[warp], h, w,
                flip0=flip_v[warp], flip1=flip_h[warp])
            src = batch if warp.size == len(batch) else batch[warp]
            if channels_first:
                src = src.transpose(0, 2, 3, 1)
            out = _resample.warp_affine(src, matrices, offsets, self.fill_mode, self.cval,
                                        self.interpolation_order)
            if channels_first:
                out = out.transpose(0, 3, 1, 2)
            if warp.size == len(batch):
                batch = np.ascontiguousarray(out)
            else:
                batch[warp] = out
        for i in np.flatnonzero(identity & (flip_h | flip_v)):
            image = batch[i]
            if flip_v[i]:
                image = _affine.flip_axis(image, self.row_axis - 1)
            if flip_h[i]:
                image = _affine.flip_axis(image, self.col_axis - 1)
            batch[i] = image
        shifts = [p.get("channel_shift_intensity") for p in params]
        for i, intensity in enumerate(shifts):
            if intensity is not None:
                low, high = batch[i].min(), batch[i].max()
                np.clip(batch[i] + intensity, low, high, out=batch[i])
        for i, p in enumerate(params):
            if p.get("brightness") is not None:
                batch[i] = _affine.apply_brightness_shift(batch[i], p["brightness"], scale=False,
                                                          data_format=self.data_format)
        return batch

    # -------------------------------------------------------------- statistics
    def fit(self, x, augment=False, rounds=1, seed=None):
        """Computes the dataset statistics used by featurewise_center,
        featurewise_std_normalization and zca_whitening.

        Args:
            x: sample data of rank 4 (1, 3 or 4 channels).
            augment: fit on randomly augmented copies of the samples.
            rounds: number of augmentation passes when `augment`.
            seed: seed for the augmentation draws.
        """
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError("ImageDataGenerator.fit: x must have rank 4 (samples, height, "
                             "width, channels or samples, channels, height, width); received "
                             f"shape {x.shape}.")
        if x.shape[self.channel_axis] not in (1, 3, 4):
            warnings.warn(
                f'Expected input to be images following the data format "{self.data_format}" '
                f"(channels on axis {self.channel_axis}), i.e. 1, 3 or 4 channels on axis "
                f"{self.channel_axis}; received an array of shape {x.shape} "
                f"({x.shape[self.channel_axis]} channels).", stacklevel=2)
        if seed is not None:
            np.random.seed(seed)
        x = np.copy(x)
        if self.rescale:
            x *= self.rescale
        if augment:
            rounds = int(rounds)
            if rounds < 1:
                raise ValueError(f"ImageDataGenerator.fit: rounds must be >= 1; received {rounds}.")
            augmented = np.zeros((rounds * x.shape[0],) + x.shape[1:], dtype=self.dtype)
            for r in range(rounds):
                for i in range(x.shape[0]):
                    augmented[i + r * x.shape[0]] = self.random_transform(x[i])
            x = augmented
        stat_shape = [1, 1, 1]
        stat_shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        axes = (0, self.row_axis, self.col_axis)
        if self.featurewise_center:
            self.mean = np.reshape(np.mean(x, axis=axes), stat_shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.reshape(np.std(x, axis=axes), stat_shape)
            x /= self.std + 1e-6
        if self.zca_whitening:
            n = len(x)
            flat = np.reshape(x, (n, -1))
            u, s, _ = np.linalg.svd(flat.T, full_matrices=False)
            s_inv = np.sqrt(n) / (s + self.zca_epsilon)
            self.zca_whitening_matrix = (u * s_inv) @ u.T
