"""Turns what fit/evaluate/predict receive into batches of (x, y, sample_weight).

Arrays (numpy, lists, engine tensors, dicts of them), Python generators and
iterators, `Sequence`s (ImageDataGenerator iterators among them), layerkit
Datasets, and any re-iterable loader (a tf.data.Dataset, a torch DataLoader).
"""
import contextlib
import itertools
import math
import warnings

import numpy as np

from layerkit import engine
from layerkit.training import process_share
from layerkit.utils.tree import flatten, map_structure
from layerkit.utils.data_sequence import Sequence


def _to_numpy(a, what):
    if isinstance(a, np.ndarray):
        arr = a
    elif engine.is_tensor(a) or isinstance(a, engine.Variable):
        arr = engine.convert_to_numpy(a)
    elif hasattr(a, "numpy") and callable(a.numpy) and not isinstance(a, (list, tuple)):
        arr = np.asarray(a.numpy())   # another framework's tensor
    else:
        try:
            arr = np.asarray(a)
        except ValueError as e:
            raise ValueError(f"`{what}` could not be converted to an array: {e}") from e
    if arr.dtype.kind in "USO" and what.startswith("x"):
        return arr   # strings stay on the host for the model's host layers (host_layer.py)
    if arr.dtype == object or arr.dtype.kind in "USV":
        raise TypeError(f"`{what}` must hold numbers, but it has dtype {arr.dtype} "
                        f"(first item: {arr.flat[0]!r:.40}). Convert it to a numeric array.")
    if arr.dtype == np.float64:
        arr = arr.astype(np.float32)   # once per fit, not per batch
    if arr.ndim == 0:
        raise ValueError(f"`{what}` must be an array with a batch axis, received a scalar.")
    return arr


def is_array_like(x):
    if x is None:
        return True
    if isinstance(x, (np.ndarray, list, tuple, dict)):
        leaves = flatten(x)
        return all(l is None or isinstance(l, (np.ndarray, list, int, float, np.generic))
                   or engine.is_tensor(l) or _foreign_tensor(l) for l in leaves)
    return engine.is_tensor(x) or _foreign_tensor(x)


def _foreign_tensor(x):
    return hasattr(x, "shape") and hasattr(x, "dtype") and hasattr(x, "__array__")


def _structure_to_numpy(x, what):
    if x is None:
        return None
    if isinstance(x, dict):
        return {k: _to_numpy(v, f"{what}[{k!r}]") for k, v in x.items()}
    if isinstance(x, (list, tuple)) and x and all(
            isinstance(v, np.ndarray) or engine.is_tensor(v) or _foreign_tensor(v)
            for v in x):
        return [_to_numpy(v, f"{what}[{i}]") for i, v in enumerate(x)]
    return _to_numpy(x, what)


def check_finite(x, what):
    for i, arr in enumerate(flatten(x)):
        if arr is None or arr.dtype.kind not in "fc":
            continue
        bad = ~np.isfinite(arr)
        if bad.any():
            index = tuple(int(v) for v in np.argwhere(bad)[0])
            kind = "NaN" if np.isnan(arr[index]) else "an infinite value"
            raise ValueError(f"`{what}` contains {kind} at index {index}; the model "
                             "cannot be trained on it. Clean or impute the data first.")


def class_weight_to_sample_weight(y, class_weight):
    if isinstance(y, (list, dict)) and len(flatten(y)) > 1:
        raise ValueError("class_weight is only supported for models with a single output.")
    y = flatten(y)[0]
    if y.ndim == 2 and y.shape[1] > 1:
        labels = np.argmax(y, axis=1)
    elif y.ndim == 2 and y.shape[1] == 1 or y.ndim == 1:
        labels = np.round(y.reshape(-1)).astype(np.int64)
    else:
        raise ValueError(f"class_weight needs targets of rank 1 or 2, received shape {y.shape}.")
    missing = sorted(set(np.unique(labels).tolist()) - set(int(k) for k in class_weight))
    if missing:
        raise ValueError(f"class_weight has no entry for class(es) {missing} found in y.")
    table = np.zeros(int(max(max(class_weight), labels.max())) + 1, dtype=np.float32)
    for k, w in class_weight.items():
        table[int(k)] = w
    return table[labels]


class ArrayAdapter:
    """In-memory arrays, shuffled once per epoch and cut into contiguous batches."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, shuffle=False,
                 class_weight=None, check_nan=True):
        self.x = _structure_to_numpy(x, "x")
        self.y = _structure_to_numpy(y, "y")
        sw = _structure_to_numpy(sample_weight, "sample_weight")
        if class_weight is not None:
            if self.y is None:
                raise ValueError("class_weight needs targets `y`.")
            cw = class_weight_to_sample_weight(self.y, class_weight)
            sw = cw if sw is None else sw * cw
        self.sample_weight = sw
        sizes = {}
        for name, part in (("x", self.x), ("y", self.y), ("sample_weight", self.sample_weight)):
            if part is not None:
                sizes[name] = [a.shape[0] for a in flatten(part)]
        all_sizes = {s for v in sizes.values() for s in v}
        if len(all_sizes) > 1:
            detail = "\n".join(f"'{k}' sizes: {', '.join(map(str, v))}" for k, v in sizes.items())
            raise ValueError("Data cardinality is ambiguous. Make sure all arrays contain the "
                             f"same number of samples.\n{detail}")
        self.num_samples = all_sizes.pop() if all_sizes else 0
        if check_nan:
            check_finite(self.x, "x")
            if self.y is not None:
                check_finite(self.y, "y")
        self.batch_size = 32 if batch_size is None else int(batch_size)
        if self.batch_size <= 0:
            raise ValueError(f"batch_size must be a positive integer, received {batch_size}.")
        self.shuffle = shuffle

    @property
    def num_batches(self):
        return math.ceil(self.num_samples / self.batch_size)

    def split(self, fraction):
        """Keras's validation_split: the last `fraction` of the samples, before shuffling."""
        if not 0 < fraction < 1:
            raise ValueError(f"validation_split must be in (0, 1), received {fraction}.")
        cut = int(self.num_samples * (1.0 - fraction))
        if cut == 0 or cut == self.num_samples:
            raise ValueError(f"validation_split={fraction} leaves no samples for training or "
                             f"validation with {self.num_samples} samples.")
        take = lambda part, s: None if part is None else map_structure(lambda a: a[s], part)
        head, tail = slice(0, cut), slice(cut, None)
        val = (take(self.x, tail), take(self.y, tail), take(self.sample_weight, tail))
        self.x, self.y = take(self.x, head), take(self.y, head)
        self.sample_weight = take(self.sample_weight, head)
        self.num_samples = cut
        return val

    def epoch(self, rng=None):
        x, y, sw = self.x, self.y, self.sample_weight
        bs = self.batch_size
        if self.shuffle and self.shuffle != "batch":
            perm = (rng or np.random).permutation(self.num_samples)
            # Each batch gathered on its own: a copy of the whole data set per epoch cost
            # twice the CPU time (its fresh pages faulted in each time; 20 ms for the
            # Conv1D benchmark's 52 MB), and one batch's gather overlaps the engine's
            # work on the last (JAX runs steps asynchronously).
            for start in range(0, self.num_samples, bs):
                rows = perm[start:start + bs]
                yield (_cut(x, rows), _cut(y, rows), _cut(sw, rows))
            return
        for start in range(0, self.num_samples, bs):
            s = slice(start, start + bs)
            yield (_cut(x, s), _cut(y, s), _cut(sw, s))

    def stacked_epoch(self, k, rng=None):
        """Like epoch(), but groups of k full batches come stacked as (k, batch, ...)."""
        x, y, sw = self.x, self.y, self.sample_weight
        # Shuffled rows are gathered a block at a time, as epoch() gathers each batch,
        # not copied as a whole data set first; in order, blocks are slices.
        perm = (rng or np.random).permutation(self.num_samples) \
            if self.shuffle and self.shuffle != "batch" else None
        rows = (lambda a, b: slice(a, b)) if perm is None else (lambda a, b: perm[a:b])
        bs = self.batch_size
        block = bs * k
        full = self.num_samples // block
        for b in range(full):
            s = rows(b * block, (b + 1) * block)
            fold = lambda part: None if part is None else map_structure(
                lambda a: a[s].reshape((k, bs) + a.shape[1:]), part)
            yield k, (fold(x), fold(y), fold(sw))
        for start in range(full * block, self.num_samples, bs):
            s = rows(start, start + bs)
            yield 1, (_cut(x, s), _cut(y, s), _cut(sw, s))


def _cut(part, s):
    """The rows `s` (a slice, or an index array) of every array in `part`."""
    if part is None:
        return None
    if isinstance(part, np.ndarray):
        return part[s]
    return map_structure(lambda a: a[s], part)


def unpack_batch(batch):
    """A generator's item: x, (x,), (x, y) or (x, y, sample_weight)."""
    if isinstance(batch, tuple):
        if len(batch) == 1:
            return batch[0], None, None
        if len(batch) == 2:
            return batch[0], batch[1], None
        if len(batch) == 3:
            return batch
        raise ValueError("A data generator must yield (x,), (x, y) or (x, y, sample_weight); "
                         f"received a tuple of {len(batch)} items.")
    return batch, None, None


def _batch_to_numpy(batch, class_weight=None, lists_are_tuples=False):
    if lists_are_tuples and isinstance(batch, list):
        batch = tuple(batch)
    x, y, sw = unpack_batch(batch)
    x = _structure_to_numpy(x, "x")
    y = _structure_to_numpy(y, "y")
    sw = _structure_to_numpy(sw, "sample_weight")
    if class_weight is not None and y is not None:
        cw = class_weight_to_sample_weight(y, class_weight)
        sw = cw if sw is None else sw * cw
    return x, y, sw


class IterableAdapter:
    """Generators, iterators, Sequences, Datasets and other re-iterable loaders."""

    def __init__(self, data, steps=None, shuffle=False, class_weight=None, workers=1,
                 use_multiprocessing=False, max_queue_size=10):
        self.data = data
        # A PyDataset says how its batches are read; fit's arguments (Keras 2) say it
        # for a Sequence.
        if hasattr(data, "_settings"):
            workers, use_multiprocessing, max_queue_size = data._settings()
        self.reading = (int(workers or 1), bool(use_multiprocessing), int(max_queue_size or 10))
        self.class_weight = class_weight
        self.shuffle = shuffle
        self.is_sequence = isinstance(data, Sequence) or (
            hasattr(data, "__getitem__") and hasattr(data, "__len__") and
            hasattr(data, "on_epoch_end"))
        if hasattr(data, "as_numpy_iterator") and not hasattr(data, "cardinality_is_layerkit"):
            self._reiterate = lambda: iter(data.as_numpy_iterator())
        else:
            self._reiterate = lambda: iter(data)
        self.is_generator = not self.is_sequence and iter(data) is data
        # A torch DataLoader collates (x, y) pairs into lists: read them as tuples.
        self.lists_are_tuples = hasattr(data, "dataset") and hasattr(data, "batch_size")
        self._shared_iter = None
        if steps is not None:
            steps = int(math.ceil(steps))
            if steps <= 0:
                raise ValueError(f"steps must be a positive number, received {steps}.")
        self.steps = steps
        self.num_batches = steps if steps is not None else self._known_length()
        # Several processes read one layerkit Dataset alike, unseeded shuffles included.
        # (layerkit.data is imported only then: a plain fit does not load it.)
        self.shared_seed = None
        if process_share.active():
            from layerkit.data.dataset import Dataset
            if isinstance(data, Dataset):
                # Fresh entropy, not NumPy's global stream: the program's draws stay
                # those of one process.
                self.shared_seed = engine.distribution.broadcast_int(
                    np.random.SeedSequence().entropy % 2**31)

    def _shared_shuffles(self):
        if self.shared_seed is None:
            return contextlib.nullcontext()
        from layerkit.data.dataset import shared_shuffle_seed
        return shared_shuffle_seed(self.shared_seed)

    def _known_length(self):
        if self.is_sequence:
            return self._sequence_length()
        try:
            n = len(self.data)
        except TypeError:
            return None
        return n if n >= 0 else None

    def epoch(self, rng=None):
        if self.is_sequence:
            if hasattr(self.data, "on_epoch_begin"):
                self.data.on_epoch_begin()
            length = self._sequence_length()
            if length is None:      # an endless PyDataset: `steps` batches per epoch
                if self.steps is None:
                    raise ValueError(f"{type(self.data).__name__} has no length (num_batches is "
                                     "None): pass steps_per_epoch / steps.")
                indices = range(self.steps)
            else:
                n = self.steps if self.steps is not None else length
                order = np.arange(length)
                if self.shuffle:
                    (rng or np.random).shuffle(order)
                indices = (int(order[i % length]) for i in range(n))
            from layerkit.training.batch_prefetch import prefetched
            for item in prefetched(self.data, indices, *self.reading):
                yield _batch_to_numpy(item, self.class_weight, self.lists_are_tuples)
            return
        with self._shared_shuffles():
            yield from self._iterable_epoch()

    def _iterable_epoch(self):
        if self.is_generator or self.steps is not None:
            # One iterator across epochs: each epoch takes `steps` items from it.
            if self._shared_iter is None:
                self._shared_iter = self._reiterate()
            it = self._shared_iter
            source = it if self.steps is None else itertools.islice(it, self.steps)
            count = 0
            for item in source:
                count += 1
                yield _batch_to_numpy(item, self.class_weight, self.lists_are_tuples)
            if self.steps is not None and count < self.steps:
                if self.is_generator:
                    warnings.warn(f"The data ran out after {count} of {self.steps} steps; "
                                  "stopping this epoch early. Make the generator infinite or "
                                  "lower steps_per_epoch.")
                self._shared_iter = None
            return
        for item in self._reiterate():
            yield _batch_to_numpy(item, self.class_weight, self.lists_are_tuples)

    def _sequence_length(self):
        if hasattr(self.data, "num_batches"):
            n = self.data.num_batches
            return None if n is None else int(n)
        return len(self.data)

    def on_epoch_end(self):
        if self.is_sequence:
            self.data.on_epoch_end()


def make_adapter(x, y=None, sample_weight=None, batch_size=None, steps=None, shuffle=False,
                 class_weight=None, check_nan=True, what="x", reading=(1, False, 10)):
    if is_array_like(x) and not isinstance(x, Sequence):
        if x is None:
            raise ValueError(f"`{what}` is required.")
        return ArrayAdapter(x, y, sample_weight, batch_size, shuffle, class_weight, check_nan)
    if y is not None:
        raise ValueError("`y` must not be given when `x` is a generator, Sequence or dataset "
                         "(the targets come from x).")
    if sample_weight is not None:
        raise ValueError("`sample_weight` must not be given when `x` is a generator, Sequence "
                         "or dataset (the weights come from x).")
    if not (hasattr(x, "__iter__") or hasattr(x, "__getitem__")):
        raise TypeError(f"Unrecognized data type for `{what}`: {type(x).__name__}. Pass numpy "
                        "arrays, a generator, a Sequence or a dataset.")
    return IterableAdapter(x, steps=steps, shuffle=shuffle, class_weight=class_weight,
                           workers=reading[0], use_multiprocessing=reading[1],
                           max_queue_size=reading[2])
