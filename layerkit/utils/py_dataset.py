"""Keras 3's `PyDataset`: a Sequence that says in its constructor how its batches are
read — `workers` threads (or processes, with `use_multiprocessing=True`) fetching up
to `max_queue_size` batches ahead of the step (training/batch_prefetch.py)."""
from layerkit.utils.data_sequence import Sequence


class PyDataset(Sequence):
    """Base class for Python data sources: implement `__getitem__(index)` returning a
    batch and `__len__()` (or the `num_batches` property; None means infinite)."""

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        for name, value in (("workers", workers), ("max_queue_size", max_queue_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"PyDataset: `{name}` must be an integer >= 1, received "
                                 f"{value!r}.")
        self._workers = workers
        self._use_multiprocessing = bool(use_multiprocessing)
        self._max_queue_size = max_queue_size

    def _settings(self):
        if "_workers" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}: call `super().__init__(**kwargs)` in __init__ so "
                "that workers, use_multiprocessing and max_queue_size are set.")
        return self._workers, self._use_multiprocessing, self._max_queue_size

    @property
    def workers(self):
        return self._settings()[0]

    @property
    def use_multiprocessing(self):
        return self._settings()[1]

    @property
    def max_queue_size(self):
        return self._settings()[2]

    @property
    def num_batches(self):
        """The number of batches per epoch: len(self), or None for an endless dataset."""
        try:
            return len(self)
        except NotImplementedError:
            return None

    def on_epoch_begin(self):
        """Called at the start of every epoch."""

    def on_epoch_end(self):
        """Called at the end of every epoch; override to reshuffle."""
