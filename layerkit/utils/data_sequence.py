"""`Sequence`: the Keras base class for indexable, epoch-aware batch sources."""


class Sequence:
    """Base object for fitting to a sequence of batches, such as a dataset.

    Subclasses implement `__getitem__(index)` returning a full batch and
    `__len__()` returning the number of batches per epoch. `on_epoch_end` is
    called by `fit` after every epoch, so a subclass can reshuffle there.
    """

    def __getitem__(self, index):
        raise NotImplementedError(
            f"{type(self).__name__} must implement __getitem__(index) returning one batch.")

    def __len__(self):
        raise NotImplementedError(
            f"{type(self).__name__} must implement __len__() returning the number of batches.")

    def on_epoch_end(self):
        """Called at the end of every epoch; override to reshuffle."""

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]
