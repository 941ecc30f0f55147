"""`SparseTensor`: the numpy stand-in for what `VarLenFeature` parses to."""

import numpy as np

__all__ = ["SparseTensor", "sparse_to_dense", "batch_sparse"]


class SparseTensor:
    """COO sparse values, like `tf.sparse.SparseTensor` with numpy arrays.

    Attributes:
      indices: int64 array [N, rank], row-major sorted.
      values: array [N].
      dense_shape: int64 array [rank].
    """

    __slots__ = ("indices", "values", "dense_shape")

    def __init__(self, indices, values, dense_shape):
        self.indices = np.asarray(indices, dtype=np.int64).reshape(-1, len(dense_shape))
        self.values = values if isinstance(values, np.ndarray) else np.asarray(values)
        self.dense_shape = np.asarray(dense_shape, dtype=np.int64)
        if self.indices.shape[0] != self.values.shape[0]:
            raise ValueError(
                f"SparseTensor has {self.indices.shape[0]} indices but "
                f"{self.values.shape[0]} values; they must match.")

    @property
    def shape(self):
        return tuple(int(d) for d in self.dense_shape)

    @property
    def dtype(self):
        return self.values.dtype

    def to_dense(self, default_value=None):
        """The dense array, missing entries filled with `default_value` (0 or b'')."""
        return sparse_to_dense(self, default_value)

    def __eq__(self, other):
        return (isinstance(other, SparseTensor)
                and np.array_equal(self.indices, other.indices)
                and np.array_equal(self.values, other.values)
                and np.array_equal(self.dense_shape, other.dense_shape))

    __hash__ = None

    def __repr__(self):
        return (f"SparseTensor(indices={self.indices.tolist()}, values={self.values!r}, "
                f"dense_shape={self.dense_shape.tolist()})")


def sparse_to_dense(sp, default_value=None):
    """Mirrors `tf.sparse.to_dense`."""
    if default_value is None:
        default_value = b"" if sp.values.dtype == object else 0
    out = np.full(sp.shape, default_value, dtype=sp.values.dtype)
    if sp.values.size:
        out[tuple(sp.indices.T)] = sp.values
    return out


def batch_sparse(items):
    """Stacks SparseTensors of equal rank into one with a leading batch dimension."""
    ranks = {len(s.dense_shape) for s in items}
    if len(ranks) != 1:
        raise ValueError(f"Cannot batch SparseTensors of different ranks: {sorted(ranks)}.")
    rank = ranks.pop()
    dense = np.max(np.stack([s.dense_shape for s in items]), axis=0) if rank else \
        np.zeros(0, np.int64)
    idx = [np.concatenate([np.full((len(s.values), 1), b, np.int64), s.indices], axis=1)
           for b, s in enumerate(items)]
    values = np.concatenate([s.values for s in items]) if items else np.zeros(0)
    return SparseTensor(np.concatenate(idx, axis=0).reshape(-1, rank + 1), values,
                        np.concatenate([[len(items)], dense]))
