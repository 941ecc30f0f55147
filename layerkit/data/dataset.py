"""`Dataset`: a small tf.data-like input pipeline over numpy arrays.

Elements are numpy arrays / scalars, Python bytes, or tuples and dicts of them.
Every `iter(dataset)` is a fresh pass from the start, so `fit` can take one pass
per epoch. Transformations are lazy and chain like tf.data's::

    ds = (TFRecordDataset(files).map(parse, num_parallel_calls=AUTOTUNE)
          .shuffle(1000).batch(32).prefetch(AUTOTUNE))
"""

import contextlib
import glob
import itertools
import os
import threading

import numpy as np

from layerkit.data import dataset_ops as ops
from layerkit.data import structure
from layerkit.data.tfrecord import _normalize_compression, read_records

AUTOTUNE = ops.AUTOTUNE
INFINITE_CARDINALITY = ops.INFINITE
UNKNOWN_CARDINALITY = ops.UNKNOWN

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset",
           "TFRecordDataset"]


# Each shuffle()'s place among the program's shuffle() calls, and the seed that
# unseeded shuffles follow while a distributed fit reads them (shared_shuffle_seed).
_SHUFFLES = itertools.count()
_SHARED = {"seed": None}


@contextlib.contextmanager
def shared_shuffle_seed(seed):
    """Inside, a pass over an unseeded `shuffle()` takes its order from `seed`, the
    shuffle's place among the program's shuffle() calls and the pass's number,
    instead of fresh entropy. The processes of a distributed fit run the same program
    and read the same Dataset: with process 0's seed they shuffle it alike, so their
    shares of each global batch (training/process_share.py) split one batch."""
    previous, _SHARED["seed"] = _SHARED["seed"], int(seed)
    try:
        yield
    finally:
        _SHARED["seed"] = previous


def _positive_int(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{what} must be an integer; received {type(value).__name__} {value!r}.")
    if value <= 0:
        raise ValueError(f"{what} must be a positive integer; received {value}.")
    return int(value)


def _int_arg(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{what} must be an integer; received {type(value).__name__} {value!r}.")
    return int(value)


class Dataset:
    """A re-iterable sequence of elements (see module docstring).

    Build one with a static constructor (`from_tensor_slices`, `from_tensors`,
    `from_generator`, `range`, `from_tfrecord`, `list_files`, `zip`) or
    `TFRecordDataset`, never with `Dataset(...)` directly.
    """

    def __init__(self, make_iterator, cardinality=UNKNOWN_CARDINALITY, description="Dataset"):
        self._make_iterator = make_iterator
        self._cardinality = int(cardinality)
        self._description = description

    # ------------------------------------------------------------ iteration
    def __iter__(self):
        return iter(self._make_iterator())

    def as_numpy_iterator(self):
        """An iterator over the elements (already numpy)."""
        return iter(self)

    def cardinality(self):
        """Number of elements; INFINITE_CARDINALITY (-1) or UNKNOWN_CARDINALITY (-2)."""
        return self._cardinality

    def __len__(self):
        if self._cardinality == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if self._cardinality == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return self._cardinality

    def __bool__(self):
        return True

    def __repr__(self):
        card = {INFINITE_CARDINALITY: "infinite", UNKNOWN_CARDINALITY: "unknown"}.get(
            self._cardinality, self._cardinality)
        return f"<{self._description} cardinality={card}>"

    def _derive(self, make_iterator, cardinality, description):
        return Dataset(make_iterator, cardinality, description)

    # --------------------------------------------------------------- sources
    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """One element per row of the leading dimension of every component."""
        template = tensors
        leaves = [structure.to_array(x) for x in structure.flatten(template)]
        lengths = []
        for i, leaf in enumerate(leaves):
            if np.ndim(leaf) == 0:
                raise ValueError(
                    f"from_tensor_slices: component {i} is a scalar; every component needs a "
                    "leading dimension to slice (use from_tensors for a single element).")
            lengths.append(len(leaf))
        if len(set(lengths)) > 1:
            raise ValueError(
                "from_tensor_slices: all components must have the same size in the first "
                f"dimension; received sizes {lengths}.")
        n = lengths[0] if lengths else 0

        def make():
            for i in range(n):
                yield structure.pack_as(template, [leaf[i] for leaf in leaves])

        return Dataset(make, n, "TensorSliceDataset")

    @staticmethod
    def from_tensors(tensors, name=None):
        """A dataset with the single element `tensors`."""
        element = structure.map_structure(structure.to_array, tensors)
        return Dataset(lambda: iter((element,)), 1, "TensorDataset")

    @staticmethod
    def range(*args, dtype=np.int64, name=None):
        """Like Python's range, yielding numpy scalars of `dtype`."""
        r = range(*args)
        dt = np.dtype(dtype)
        return Dataset(lambda: (dt.type(i) for i in r), len(r), "RangeDataset")

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None):
        """Elements from `generator(*args)`, a callable called afresh on each pass.

        `output_signature` (a structure of TensorSpec-like objects with `.shape` and
        `.dtype`) or `output_types` (+ `output_shapes`) cast each yielded value
        and check its shape; without them, values pass through as numpy.
        """
        if not callable(generator):
            raise TypeError(
                "from_generator expects a callable that returns a new iterator for each pass "
                f"(e.g. the generator function itself); received {type(generator).__name__}.")
        if output_signature is not None and (output_types is not None
                                             or output_shapes is not None):
            raise TypeError("from_generator: pass either output_signature or "
                            "output_types/output_shapes, not both.")
        if output_signature is None and output_types is None and output_shapes is not None:
            raise TypeError("from_generator: output_shapes needs output_types as well.")
        gen_args = tuple(args) if args is not None else ()
        spec = output_signature
        if spec is None and output_types is not None:
            shapes = output_shapes if output_shapes is not None else structure.map_structure(
                lambda _: None, output_types)
            spec = structure.pack_as(output_types, [
                structure.TensorSpec(s, t) for t, s in zip(
                    structure.flatten(output_types), _flatten_shapes(shapes, output_types))])

        def make():
            for value in generator(*gen_args):
                if spec is None:
                    yield structure.map_structure(structure.to_array, value)
                    continue
                if isinstance(value, list) and isinstance(spec, tuple):
                    value = tuple(value)
                leaves = structure.flatten(value, spec, "generator output")
                specs = structure.flatten(spec)
                yield structure.pack_as(spec, [
                    structure.conform(v, s, f"from_generator component {i}")
                    for i, (v, s) in enumerate(zip(leaves, specs))])

        return Dataset(make, UNKNOWN_CARDINALITY, "FlatMapDataset")

    @staticmethod
    def from_tfrecord(filenames, compression_type=None, buffer_size=None,
                      num_parallel_reads=None):
        """The records (bytes) of TFRecord files; same as `TFRecordDataset(...)`."""
        return TFRecordDataset(filenames, compression_type, buffer_size, num_parallel_reads)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name=None):
        """File names matching glob pattern(s), shuffled unless shuffle=False (as tf.data)."""
        patterns = [file_pattern] if isinstance(file_pattern, (str, os.PathLike)) \
            else list(file_pattern)
        names = sorted({f for p in patterns for f in glob.glob(os.fspath(p))})
        if not names:
            raise FileNotFoundError(
                f"list_files: no files match the pattern(s) {[os.fspath(p) for p in patterns]}.")
        ds = Dataset.from_tensor_slices(np.array(names, dtype=object))
        if shuffle is None or shuffle:
            ds = ds.shuffle(len(names), seed=seed)
        return ds

    @staticmethod
    def zip(*datasets, name=None):
        """Combines datasets element-wise into tuples (or dicts); stops at the shortest."""
        if len(datasets) == 1 and isinstance(datasets[0], (tuple, dict)):
            datasets = datasets[0]
        template = datasets
        members = structure.flatten(template)
        for d in members:
            if not isinstance(d, Dataset):
                raise TypeError(f"Dataset.zip expects Datasets; received {type(d).__name__}.")
        makers = [d.__iter__ for d in members]
        return Dataset(lambda: ops.zip_iter(template, makers),
                       ops.card_zip([d._cardinality for d in members]), "ZipDataset")

    # -------------------------------------------------------- transformations
    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Applies `map_func` to each element (a tuple element is unpacked into args).

        With num_parallel_calls > 1 or AUTOTUNE, a thread pool runs the calls;
        the output order is always the input order.
        """
        if not callable(map_func):
            raise TypeError(f"map expects a callable; received {type(map_func).__name__}.")
        workers = ops.resolve_parallelism(num_parallel_calls)
        if workers == 1:
            make = lambda: ops.map_iter(iter(self), map_func)  # noqa: E731
        else:
            make = lambda: ops.parallel_map_iter(iter(self), map_func, workers)  # noqa: E731
        return self._derive(make, self._cardinality, "MapDataset")

    def filter(self, predicate, name=None):
        """Keeps the elements for which `predicate` is true."""
        return self._derive(lambda: ops.filter_iter(iter(self), predicate),
                            UNKNOWN_CARDINALITY, "FilterDataset")

    def flat_map(self, map_func, name=None):
        """Maps each element to a Dataset and flattens the results in order."""
        def make():
            for element in self:
                yield from _as_dataset(ops.call_with_element(map_func, element), "flat_map")

        return self._derive(make, UNKNOWN_CARDINALITY, "FlatMapDataset")

    def interleave(self, map_func, cycle_length=None, block_length=None,
                   num_parallel_calls=None, deterministic=None, name=None):
        """Maps elements to Datasets and round-robins over `cycle_length` of them."""
        cycle = ops.resolve_parallelism(AUTOTUNE if cycle_length is None else cycle_length,
                                        "cycle_length")
        block = 1 if block_length is None else _positive_int(block_length, "block_length")
        child = lambda e: _as_dataset(ops.call_with_element(map_func, e), "interleave")  # noqa
        return self._derive(lambda: ops.interleave_iter(iter(self), child, cycle, block),
                            UNKNOWN_CARDINALITY, "InterleaveDataset")

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Shuffles with a buffer of `buffer_size` elements, like tf.data.

        With reshuffle_each_iteration=True each pass has a new order (reproducible
        when `seed` is set); with False every pass repeats the first order.
        """
        buffer_size = _positive_int(buffer_size, "shuffle buffer_size")
        base = (np.random.SeedSequence().entropy if seed is None else int(seed))
        counter = itertools.count()
        lock = threading.Lock()
        place = next(_SHUFFLES)

        def make():
            shared = _SHARED["seed"] if seed is None else None
            start = [base] if shared is None else [shared, place]
            if reshuffle_each_iteration:
                with lock:
                    epoch = next(counter)
                seq = (np.random.SeedSequence() if seed is None and shared is None
                       else np.random.SeedSequence(start + [epoch]))
            else:
                seq = np.random.SeedSequence(start)
            return ops.shuffle_iter(iter(self), buffer_size, np.random.default_rng(seq))

        return self._derive(make, self._cardinality, "ShuffleDataset")

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Stacks `batch_size` consecutive elements (numpy) into one element."""
        batch_size = _positive_int(batch_size, "batch_size")
        return self._derive(lambda: ops.batch_iter(iter(self), batch_size, drop_remainder),
                            ops.card_batch(self._cardinality, batch_size, drop_remainder),
                            "BatchDataset")

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None):
        """Batches elements after padding each component to the largest (or given) shape."""
        batch_size = _positive_int(batch_size, "batch_size")
        return self._derive(
            lambda: ops.padded_batch_iter(iter(self), batch_size, drop_remainder, padded_shapes,
                                          padding_values),
            ops.card_batch(self._cardinality, batch_size, drop_remainder), "PaddedBatchDataset")

    def unbatch(self, name=None):
        """Splits each element along its first dimension into several elements."""
        return self._derive(lambda: ops.unbatch_iter(iter(self)), UNKNOWN_CARDINALITY,
                            "UnbatchDataset")

    def repeat(self, count=None, name=None):
        """Repeats the dataset `count` times (None or -1: forever)."""
        if count is not None:
            count = _int_arg(count, "repeat count")
        return self._derive(lambda: ops.repeat_iter(self.__iter__, count),
                            ops.card_repeat(self._cardinality, count), "RepeatDataset")

    def prefetch(self, buffer_size, name=None):
        """Produces up to `buffer_size` elements ahead in a background thread."""
        if buffer_size == AUTOTUNE or buffer_size is None:
            buffer_size = 2
        buffer_size = _positive_int(buffer_size, "prefetch buffer_size")
        return self._derive(lambda: ops.prefetch_iter(self.__iter__, buffer_size),
                            self._cardinality, "PrefetchDataset")

    def take(self, count, name=None):
        """The first `count` elements (all of them if count is -1)."""
        count = _int_arg(count, "take count")
        stop = None if count < 0 else count
        return self._derive(lambda: itertools.islice(iter(self), stop),
                            ops.card_take(self._cardinality, count), "TakeDataset")

    def skip(self, count, name=None):
        """All but the first `count` elements (none if count is -1)."""
        count = _int_arg(count, "skip count")

        def make():
            if count < 0:
                for _ in self:
                    pass
                return iter(())
            return itertools.islice(iter(self), count, None)

        return self._derive(make, ops.card_skip(self._cardinality, count), "SkipDataset")

    def shard(self, num_shards, index, name=None):
        """Every `num_shards`-th element starting at `index`."""
        num_shards = _positive_int(num_shards, "num_shards")
        index = _int_arg(index, "shard index")
        if not 0 <= index < num_shards:
            raise ValueError(f"shard index must be in [0, num_shards={num_shards}); "
                             f"received {index}.")
        return self._derive(lambda: itertools.islice(iter(self), index, None, num_shards),
                            ops.card_shard(self._cardinality, num_shards, index),
                            "ShardDataset")

    def cache(self, filename="", name=None):
        """Keeps the elements of the first complete pass in memory and replays them."""
        if filename:
            raise NotImplementedError(
                "cache(filename) to a file is not supported; layerkit caches in memory only. "
                "Call cache() without a filename.")
        store = ops.Cache()
        return self._derive(lambda: store.iterate(self.__iter__), self._cardinality,
                            "CacheDataset")

    def concatenate(self, dataset, name=None):
        """This dataset's elements followed by `dataset`'s."""
        other = _as_dataset(dataset, "concatenate")
        return self._derive(lambda: itertools.chain(self, other),
                            ops.card_concatenate(self._cardinality, other._cardinality),
                            "ConcatenateDataset")

    def enumerate(self, start=0, name=None):
        """Pairs each element with its index: (np.int64(i), element)."""
        start = _int_arg(start, "enumerate start")
        return self._derive(
            lambda: ((np.int64(i), e) for i, e in zip(itertools.count(start), self)),
            self._cardinality, "EnumerateDataset")

    def apply(self, transformation_func):
        """`transformation_func(self)`, for chaining."""
        return transformation_func(self)

    def reduce(self, initial_state, reduce_func, name=None):
        """Folds the elements: state = reduce_func(state, element)."""
        state = initial_state
        for element in self:
            state = reduce_func(state, element)
        return state


def _as_dataset(value, where):
    if not isinstance(value, Dataset):
        raise TypeError(f"{where} expects a Dataset; received {type(value).__name__}.")
    return value


def _flatten_shapes(shapes, types_template):
    """Shapes given per component; a shape itself is a list/tuple of dims, so walk the
    types structure instead of flattening the shape tuples."""
    if isinstance(types_template, dict):
        return [s for k in sorted(types_template, key=str)
                for s in _flatten_shapes(shapes[k], types_template[k])]
    if isinstance(types_template, tuple):
        return [s for sh, t in zip(shapes, types_template) for s in _flatten_shapes(sh, t)]
    return [shapes]


def _filenames(filenames):
    if isinstance(filenames, (str, bytes, os.PathLike)):
        items = [filenames]
    elif isinstance(filenames, np.ndarray):
        items = filenames.ravel().tolist()
    else:
        try:
            items = list(filenames)
        except TypeError:
            raise TypeError("TFRecordDataset expects a file name, a list of file names or a "
                            f"Dataset of file names; received {type(filenames).__name__}.") \
                from None
    out = []
    for f in items:
        if isinstance(f, bytes):
            f = f.decode("utf-8")
        if not isinstance(f, (str, os.PathLike)):
            raise TypeError(f"TFRecordDataset: file names must be str or os.PathLike; "
                            f"received {type(f).__name__} {f!r}.")
        out.append(os.fspath(f))
    return out


class TFRecordDataset(Dataset):
    """The records of one or more TFRecord files, as bytes (mirrors `tf.data.TFRecordDataset`).

    Args:
      filenames: a path, a list of paths, or a Dataset of paths.
      compression_type: None / '' , 'GZIP' or 'ZLIB'.
      buffer_size: accepted for compatibility (reads are always buffered).
      num_parallel_reads: read this many files interleaved, one record from each in
        turn (deterministic order); None reads the files one after another.
    """

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        comp = _normalize_compression(compression_type)
        cycle = 1 if num_parallel_reads is None else ops.resolve_parallelism(
            num_parallel_reads, "num_parallel_reads")
        if isinstance(filenames, Dataset):
            files = filenames
        else:
            files = _filenames(filenames)
        self.compression_type = comp

        def child(path):
            if isinstance(path, bytes):
                path = path.decode("utf-8")
            return read_records(path, comp)

        def make():
            if cycle == 1:
                return itertools.chain.from_iterable(child(p) for p in files)
            return ops.interleave_iter(iter(files), child, cycle)

        super().__init__(make, UNKNOWN_CARDINALITY, "TFRecordDataset")
