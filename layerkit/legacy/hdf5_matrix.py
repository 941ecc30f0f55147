"""Keras 2's HDF5Matrix: a dataset in an HDF5 file used like a numpy array (read on
indexing, so a dataset larger than memory can be fed batch by batch).

h5py is optional: it is imported when an HDF5Matrix is made."""
import numpy as np


class HDF5Matrix:
    """`HDF5Matrix(datapath, dataset, start=0, end=None, normalizer=None)`: rows
    start..end of `dataset` in the file `datapath`; `normalizer` is applied to what is
    read."""

    def __init__(self, datapath, dataset, start=0, end=None, normalizer=None):
        try:
            import h5py
        except ImportError:
            raise ImportError("HDF5Matrix needs h5py: pip install h5py") from None
        self._file = h5py.File(datapath, "r")
        if dataset not in self._file:
            raise KeyError(f"HDF5Matrix: {datapath!r} has no dataset {dataset!r}; it holds "
                           f"{sorted(self._file.keys())}.")
        self.data = self._file[dataset]
        total = self.data.shape[0]
        self.start = int(start)
        self.end = total if end is None else min(int(end), total)
        if not 0 <= self.start <= self.end:
            raise ValueError(f"HDF5Matrix: start={start}, end={end} do not select rows of a "
                             f"dataset with {total} rows.")
        self.normalizer = normalizer
        first = self.data[:1] if total else np.zeros((0,) + self.data.shape[1:], self.data.dtype)
        sample = normalizer(first) if normalizer is not None else first
        self._row_shape = tuple(np.shape(sample)[1:])
        self._dtype = np.asarray(sample).dtype

    def __len__(self):
        return self.end - self.start

    @property
    def shape(self):
        return (len(self),) + self._row_shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape))

    def _rows(self, key):
        n = len(self)
        if isinstance(key, slice):
            lo, hi, step = key.indices(n)
            return self.data[self.start + lo:self.start + hi][::step]
        if isinstance(key, (int, np.integer)):
            if not -n <= key < n:
                raise IndexError(f"HDF5Matrix: index {key} out of range for {n} rows.")
            return self.data[self.start + key % n]
        index = np.asarray(key)
        if index.dtype == bool:
            index = np.nonzero(index)[0]
        index = np.where(index < 0, index + n, index)
        if index.size and (index.min() < 0 or index.max() >= n):
            raise IndexError(f"HDF5Matrix: indices out of range for {n} rows.")
        # h5py reads increasing, unique indices only; read those and reorder.
        unique, inverse = np.unique(index, return_inverse=True)
        return self.data[(unique + self.start).tolist()][inverse.reshape(index.shape)]

    def __getitem__(self, key):
        rows = self._rows(key)
        return self.normalizer(rows) if self.normalizer is not None else rows

    def __array__(self, dtype=None, copy=None):
        out = self[:]
        return out.astype(dtype) if dtype is not None else np.asarray(out)
