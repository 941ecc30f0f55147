"""Keras's image iterators: the `Iterator` base and `NumpyArrayIterator`.

An iterator is both an endless Python iterator (`next(it)`, `it.next()`,
`for batch in it`, reshuffled after each pass) and a `Sequence` (`len(it)`
batches per pass, the last one partial, `it[i]`, `on_epoch_end()`), so `fit`
can consume it either way.

Randomness: each batch gets its own `np.random.RandomState`, made under the
iterator's lock together with the batch's indices. With a `seed` it is
`RandomState(seed + total_batches_seen)`, which is the state Keras seeds the
global generator with, and the draws follow Keras's order (shuffle, then each
image's parameters, then the file-name hashes), so a seeded layerkit iterator
yields Keras's batches. Without a seed the batch state is seeded from the
global `np.random`, so `np.random.seed(...)` makes a run repeatable. Several
threads may call `next()` at once: only index generation is locked.
"""

import os
import threading
import warnings

import numpy as np

from layerkit.preprocessing import image_utils
from layerkit.utils.data_sequence import Sequence


class _OutOfRange(IndexError, ValueError):
    """Index past the end of an iterator (an IndexError and, as in Keras, a ValueError)."""


def check_batch_size(batch_size):
    if (isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer))
            or batch_size <= 0):
        raise ValueError(f"batch_size must be a positive integer; received {batch_size!r}.")
    return int(batch_size)


def takes_random_state(method):
    """Marks a `_get_batches_of_transformed_samples` that accepts `random_state`."""
    method._takes_random_state = True
    return method


class Iterator(Sequence):
    """Base class for image data iterators.

    Subclasses implement `_get_batches_of_transformed_samples(index_array)`.

    Args:
        n: number of samples.
        batch_size: samples per batch (> 0).
        shuffle: reshuffle the order at the start of every pass.
        seed: seed for the shuffling and the augmentation.
    """

    white_list_formats = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")

    def __init__(self, n, batch_size, shuffle, seed):
        self.n = int(n)
        self.batch_size = check_batch_size(batch_size)
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self.index_generator = self._flow_index()

    # ------------------------------------------------------------- randomness
    def _batch_random_state(self):
        """The RandomState of the next batch (call under the lock)."""
        if self.seed is not None:
            seed = self.seed + self.total_batches_seen
            if not self._takes_random_state():
                np.random.seed(seed)  # a Keras-style subclass draws from np.random
            return np.random.RandomState(seed)
        return np.random.RandomState(np.random.randint(0, 2**31 - 1))

    def _takes_random_state(self):
        return getattr(type(self)._get_batches_of_transformed_samples, "_takes_random_state", False)

    def _set_index_array(self, rng=None):
        self.index_array = np.arange(self.n)
        if self.shuffle:
            self.index_array = (rng or np.random).permutation(self.n)

    # --------------------------------------------------------------- Sequence
    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    def __getitem__(self, idx):
        length = len(self)
        if isinstance(idx, (int, np.integer)) and -length <= idx < 0:
            idx += length
        if not isinstance(idx, (int, np.integer)) or not 0 <= idx < length:
            raise _OutOfRange(f"Asked to retrieve batch {idx!r}, but the iterator has {length} "
                              "batches per pass (valid indices 0 to len - 1).")
        with self.lock:
            rng = self._batch_random_state()
            self.total_batches_seen += 1
            if self.index_array is None:
                self._set_index_array(rng)
            index_array = self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)]
        return self._produce(index_array, rng)

    def on_epoch_end(self):
        """Reshuffles (called by `fit` after each epoch)."""
        with self.lock:
            rng = None
            if self.seed is not None:
                rng = np.random.RandomState(self.seed + self.total_batches_seen)
            self._set_index_array(rng)

    def reset(self):
        """Restarts the next pass from its first batch."""
        self.batch_index = 0

    # --------------------------------------------------------------- iterator
    def _flow_index(self):
        self.reset()
        while True:
            rng = self._batch_random_state()
            if self.batch_index == 0:
                self._set_index_array(rng)
            current = (self.batch_index * self.batch_size) % self.n if self.n else 0
            if self.n > current + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
            self.total_batches_seen += 1
            yield self.index_array[current:current + self.batch_size], rng

    def __iter__(self):
        return self

    def __next__(self):
        return self.next()

    def next(self):
        """The next batch (Keras 2's `.next()`)."""
        with self.lock:
            index_array, rng = next(self.index_generator)
        # the transformation runs outside the lock, so threads work in parallel
        return self._produce(index_array, rng)

    def _produce(self, index_array, rng):
        if self._takes_random_state():
            return self._get_batches_of_transformed_samples(index_array, random_state=rng)
        return self._get_batches_of_transformed_samples(index_array)

    def _get_batches_of_transformed_samples(self, index_array):
        """Returns the batch for the sample indices `index_array`."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement "
            "_get_batches_of_transformed_samples(index_array).")

    # ---------------------------------------------------------------- helpers
    def _augment(self, generator, batch, rng):
        """Runs the generator's augmentation on a batch."""
        if generator is None:
            return batch
        if self.seed is not None and not generator._default_pipeline():
            # overridden per-image hooks draw from np.random, as in Keras
            np.random.seed(rng.randint(0, 2**31 - 1))
        return generator._transform_batch(batch, rng)

    def _save_batch(self, batch, index_array, rng, hash_range):
        """Writes each image as `{prefix}_{index}_{hash}.{format}` in save_to_dir."""
        os.makedirs(self.save_to_dir, exist_ok=True)
        for i, j in enumerate(index_array):
            img = image_utils.array_to_img(batch[i], self.data_format, scale=True)
            name = "{prefix}_{index}_{hash}.{format}".format(
                prefix=self.save_prefix, index=j, hash=rng.randint(hash_range),
                format=self.save_format)
            fmt = self.save_format.lower()
            image_utils.save_pil_image(img, os.path.join(self.save_to_dir, name),
                                       "jpeg" if fmt == "jpg" else fmt)


def _as_array(value, name):
    try:
        return np.asarray(value)
    except Exception as e:  # ragged lists and the like
        raise ValueError(f"NumpyArrayIterator: could not convert {name} to an array: {e}") from e


class NumpyArrayIterator(Iterator):
    """Iterator over arrays: yields `(x, y)`, `(x, y, sample_weight)` or `x`.

    Args:
        x: images of rank 4, or a list/tuple `[images, extra]`,
            `[images, [extra1, extra2]]` or `[images, extra1, extra2, ...]`;
            the extra arrays are batched alongside, unchanged, and `x` is then
            the list `[images_batch, extra_batch, ...]`.
        y: labels (array or list) or None.
        image_data_generator: the `ImageDataGenerator` (or None: no augmentation).
        batch_size, shuffle, seed: see `Iterator`.
        sample_weight: per-sample weights, returned as the third element.
        data_format: "channels_last" or "channels_first".
        save_to_dir: folder (created when missing) to save each augmented
            image to, as `{save_prefix}_{index}_{hash}.{save_format}`.
        subset: "training" or "validation" with the generator's
            validation_split (the validation part is the first fraction).
        ignore_class_split: do not require both parts to contain every class.
        dtype: dtype of the image batches.
    """

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False,
                 sample_weight=None, seed=None, data_format=None, save_to_dir=None,
                 save_prefix="", save_format="png", subset=None, ignore_class_split=False,
                 dtype=None):
        from layerkit import config

        data_format = config.standardize_data_format(data_format)
        self.dtype = str(np.dtype(dtype or config.floatx()))
        check_batch_size(batch_size)
        if isinstance(x, (tuple, list)):
            if len(x) < 2:
                raise ValueError("NumpyArrayIterator: when x is a list or tuple it must be "
                                 f"[images, extra_inputs...]; received a {type(x).__name__} of "
                                 f"length {len(x)}.")
            extras = x[1] if len(x) == 2 and isinstance(x[1], list) else list(x[1:])
            x_misc = [_as_array(e, "an extra input of x") for e in extras]
            x = x[0]
            for k, extra in enumerate(x_misc):
                if len(extra) != len(x):
                    raise ValueError(
                        "NumpyArrayIterator: all arrays in x must have the same length; "
                        f"the images have {len(x)} samples, extra input {k} has {len(extra)}.")
        else:
            x_misc = []
        if y is not None and len(x) != len(y):
            raise ValueError(
                "NumpyArrayIterator: x (images) and y (labels) must have the same length; "
                f"received x.shape = {np.shape(x)}, y.shape = {np.shape(y)}.")
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError(
                "NumpyArrayIterator: x (images) and sample_weight must have the same length; "
                f"received x.shape = {np.shape(x)}, "
                f"sample_weight.shape = {np.shape(sample_weight)}.")
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError("NumpyArrayIterator: subset must be 'training' or 'validation'; "
                                 f"received {subset!r}.")
            split = image_data_generator._validation_split if image_data_generator else 0
            if not split and subset == "validation":
                raise ValueError("NumpyArrayIterator: subset='validation' needs a validation_split "
                                 "between 0 and 1 in the ImageDataGenerator; it is 0.")
            split_idx = int(len(x) * split)
            if (y is not None and not ignore_class_split and split_idx
                    and not np.array_equal(np.unique(np.asarray(y[:split_idx])),
                                           np.unique(np.asarray(y[split_idx:])))):
                raise ValueError(
                    "Training and validation subsets have different classes after the split. "
                    "If your arrays are sorted by label, shuffle them first (or pass "
                    "ignore_class_split=True).")
            part = slice(None, split_idx) if subset == "validation" else slice(split_idx, None)
            x = x[part]
            x_misc = [extra[part] for extra in x_misc]
            if y is not None:
                y = y[part]
            if sample_weight is not None:
                sample_weight = sample_weight[part]
        try:
            self.x = np.asarray(x, dtype=self.dtype)
        except (TypeError, ValueError) as e:
            raise ValueError(
                f"NumpyArrayIterator: x must be a numeric array of images: {e}") from e
        if self.x.ndim != 4:
            raise ValueError(
                "NumpyArrayIterator: x (images) must have rank 4, (samples, height, width, "
                "channels)"
                " or (samples, channels, height, width); received an array of shape "
                f"{self.x.shape}.")
        channels_axis = 3 if data_format == "channels_last" else 1
        if self.x.shape[channels_axis] not in (1, 3, 4):
            warnings.warn(
                f'NumpyArrayIterator is set to use the data format convention "{data_format}" '
                f"(channels on axis {channels_axis}), i.e. 1, 3 or 4 channels on axis "
                f"{channels_axis}; received an array of shape {self.x.shape} "
                f"({self.x.shape[channels_axis]} channels).", stacklevel=3)
        self.x_misc = x_misc
        self.y = None if y is None else _as_array(y, "y")
        self.sample_weight = None if sample_weight is None else _as_array(sample_weight,
                                                                          "sample_weight")
        self.image_data_generator = image_data_generator
        self.data_format = data_format
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        super().__init__(self.x.shape[0], batch_size, shuffle, seed)

    @takes_random_state
    def _get_batches_of_transformed_samples(self, index_array, random_state=None):
        rng = random_state if random_state is not None else np.random.RandomState(
            np.random.randint(0, 2**31 - 1))
        batch = self.x[index_array]  # a copy, of self.dtype
        batch = self._augment(self.image_data_generator, batch, rng)
        if self.save_to_dir:
            self._save_batch(batch, index_array, rng, 10**4)
        extras = [extra[index_array] for extra in self.x_misc]
        out_x = [batch] + extras if extras else batch
        if self.y is None:
            return out_x
        if self.sample_weight is None:
            return out_x, self.y[index_array]
        return out_x, self.y[index_array], self.sample_weight[index_array]
