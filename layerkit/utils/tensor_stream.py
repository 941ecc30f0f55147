"""Data bound into a model in Keras 2's TensorFlow style: `Input(tensor=t)` and
`compile(target_tensors=[labels])`, where `t` is an array (fed whole at every step,
as a constant tensor was), or a stream of batches — a layerkit Dataset, a
tf.data Dataset or iterator, any Python iterator — of which each step takes the next
batch (as each run of `iterator.get_next()` did). Pure numpy: the Input layer and
the training loop both read it.
"""
import itertools

import numpy as np


def _as_array(value, what):
    if hasattr(value, "numpy") and callable(value.numpy) and not isinstance(value, np.ndarray):
        value = value.numpy()     # a tf.Tensor, a torch.Tensor, a layerkit Variable
    if isinstance(value, (tuple, dict)):
        raise TypeError(f"{what}: each element must be one array (a batch), but the stream "
                        f"yields {type(value).__name__} items; map it to one component first "
                        "(e.g. dataset.map(lambda x, y: x)).")
    arr = np.asarray(value)
    if arr.dtype == np.float64:
        arr = arr.astype(np.float32)
    if arr.ndim == 0:
        raise ValueError(f"{what}: a batch needs a batch axis; received a scalar.")
    return arr


def is_array(value):
    return isinstance(value, np.ndarray) or (
        hasattr(value, "shape") and hasattr(value, "dtype") and not hasattr(value, "__next__")
        and not hasattr(value, "as_numpy_iterator"))


class TensorStream:
    """One bound source: `peek()` gives the first batch (for shapes), `next()` the
    batch of the next step (StopIteration when a stream runs out)."""

    def __init__(self, source, what="tensor"):
        self.what = what
        self.source = source
        self.constant = is_array(source)
        if self.constant:
            self._first = _as_array(source, what)
            self._iter = None
            return
        if hasattr(source, "as_numpy_iterator"):
            it = iter(source.as_numpy_iterator())
        elif hasattr(source, "__next__"):
            it = source
        elif hasattr(source, "__iter__"):
            it = iter(source)
        else:
            raise TypeError(f"{what} must be an array, a Dataset or an iterator of batches; "
                            f"received {type(source).__name__}.")
        try:
            first = next(it)
        except StopIteration:
            raise ValueError(f"{what}: the stream is empty.") from None
        self._first = _as_array(first, what)
        self._iter = itertools.chain([first], it)   # the peeked batch is still the first

    def peek(self):
        return self._first

    def next(self):
        if self.constant:
            return self._first
        return _as_array(next(self._iter), self.what)
