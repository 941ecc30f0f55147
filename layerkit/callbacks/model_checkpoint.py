"""ModelCheckpoint: saves the model (or its weights) during fit, every epoch or every
N batches, optionally only when the monitored value improves.

The file name may use any log key with its format spec, `{epoch:02d}` (1-based) and,
with batch saving, `{batch}`; accuracy keys answer to both spellings
(log_keys.py), so Keras 2's 'weights.{epoch:02d}-{val_acc:.2f}.hdf5' works
with metrics=['accuracy']. The format follows the extension as in model.save():
`.keras` (Keras 3), `.h5`/`.hdf5` (Keras 2); weights only: `.weights.h5` (Keras 3)
or `.h5`/`.hdf5` (Keras 2). Keras 2's `period=N` saves every N epochs. Saving goes
through `model.save` / `model.save_weights`, which write atomically.
"""
import os
import warnings

import numpy as np

from layerkit.callbacks import log_keys
from layerkit.callbacks.batch_counter import BatchCounter
from layerkit.callbacks.callback import Callback

_MODEL_EXTENSIONS = (".keras", ".h5", ".hdf5")
_WEIGHTS_EXTENSIONS = (".weights.h5", ".h5", ".hdf5")



class ModelCheckpoint(Callback):
    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None, period=None, options=None):
        super().__init__()
        if options is not None:
            raise ValueError("ModelCheckpoint: `options` (TensorFlow SaveOptions) cannot be "
                             "honoured by layerkit; leave it out.")
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = int(verbose)
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"ModelCheckpoint: mode must be 'auto', 'min' or 'max', "
                             f"received {mode!r}.")
        self.mode = mode
        if save_freq != "epoch" and (isinstance(save_freq, bool) or
                                     not isinstance(save_freq, (int, np.integer)) or
                                     save_freq < 1):
            raise ValueError(f"ModelCheckpoint: save_freq must be 'epoch' or a positive "
                             f"number of batches, received {save_freq!r}.")
        if period is not None and (save_freq != "epoch" or int(period) < 1):
            raise ValueError("ModelCheckpoint: Keras 2's `period` (save every N epochs) "
                             "needs save_freq='epoch' and a positive value, received "
                             f"period={period!r}, save_freq={save_freq!r}.")
        self.save_freq = save_freq
        self.period = int(period or 1)
        extensions = _WEIGHTS_EXTENSIONS if self.save_weights_only else _MODEL_EXTENSIONS
        if not self.filepath.lower().endswith(extensions):
            what = "weights" if self.save_weights_only else "a model"
            raise ValueError(f"ModelCheckpoint: to save {what}, the filepath must end in "
                             f"{' or '.join(extensions)}; received {self.filepath!r}.")
        maximize = mode == "max" or (mode == "auto" and log_keys.direction_of(monitor) == "max")
        self._better = np.greater if maximize else np.less
        self.best = initial_value_threshold if initial_value_threshold is not None \
            else (-np.inf if maximize else np.inf)
        self._epochs_since_last_save = 0
        self._batch_counter = BatchCounter(save_freq) if save_freq != "epoch" else None
        self._current_epoch = 0

    def _implements_train_batch_hooks(self):
        # Batch logs cost work on some engines: ask for them only when saving by batch.
        return self.save_freq != "epoch"

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        if self._batch_counter.due(batch):
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self._batch_counter is not None:
            self._batch_counter.end_epoch()
        if self.save_freq != "epoch":
            return
        self._epochs_since_last_save += 1
        if self._epochs_since_last_save >= self.period:
            self._epochs_since_last_save = 0
            self._save(epoch, None, logs)

    def _file_path(self, epoch, batch, logs):
        values = log_keys.with_aliases(
            {k: _scalar(v) for k, v in (logs or {}).items()})
        values["epoch"] = epoch + 1
        if batch is not None and "batch" not in values:
            values["batch"] = batch + 1
        try:
            return self.filepath.format(**values)
        except KeyError as e:
            raise KeyError(f'ModelCheckpoint: cannot format the filepath "{self.filepath}": '
                           f"no log key {e}. Available keys: {sorted(values)}.") from None

    def _should_save(self, epoch, logs, filepath):
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = log_keys.lookup(logs, self.monitor)
        if current is None:
            warnings.warn(f"ModelCheckpoint: can save the best model only with "
                          f"{self.monitor!r} available, skipping. Available keys: "
                          f"{sorted(logs or {})}.", stacklevel=3)
            return False
        current = float(_scalar(current))
        if self._better(current, self.best):
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} "
                      f"to {current:.5f}, saving model to {filepath}")
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                  f"{self.best:.5f}")
        return False

    def _save(self, epoch, batch, logs):
        filepath = self._file_path(epoch, batch, logs)
        if os.path.isdir(filepath):
            raise IsADirectoryError(f"ModelCheckpoint: the filepath {filepath!r} is an "
                                    "existing folder; give a file name.")
        if not self._should_save(epoch, logs, filepath):
            return
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)


def _scalar(value):
    item = getattr(value, "item", None)
    if item is not None and getattr(value, "shape", None) == ():
        return item()
    try:
        return float(value)
    except (TypeError, ValueError):
        return value
