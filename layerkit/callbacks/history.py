"""`History`: records every epoch's logs; `fit` returns it."""
from layerkit.callbacks.callback import Callback, python_value

__all__ = ["History"]


class History(Callback):
    """Callback that records events into a `History` object.

    `history` maps each log name (`loss`, `accuracy`, `val_loss` …) to the list
    of its per-epoch values as Python floats; `epoch` lists the epoch indices.
    `fit` adds one automatically and returns it; it is also `model.history`.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(python_value(value))
        if self.model is not None:
            # The latest History is the model's, as in Keras.
            try:
                self.model.history = self
            except AttributeError:
                pass
