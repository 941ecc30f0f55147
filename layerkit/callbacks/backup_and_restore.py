"""BackupAndRestore: a fit that crashed resumes where it stopped.

Every epoch (or every `save_freq` batches) the model's state goes to `backup_dir`:
a weights file (weights, optimizer slots and iterations, and the random streams of
Dropout and noise layers: layerkit's weights files carry them) and
`training_metadata.json` (the epoch to start from and the weights file's name).
The weights go to a new file first, then the metadata is replaced to point at it
(both writes are atomic), then the old file is removed: a crash at any moment
leaves a metadata file and the weights it names, from the same moment. When fit() starts with a
backup present, the state is loaded and fit continues at that epoch, as Keras 3
does (a batch-level backup restarts its epoch from the first batch, as there).
The backup is deleted when fit ends normally, unless delete_checkpoint=False.
With double_checkpoint=True the previous backup is kept and used if the latest
cannot be read.

Not restored: the order in which fit(shuffle=True) shuffles each epoch (it is
drawn anew by each fit() call), so a resumed run matches an uninterrupted one
number for number only with shuffle=False or unshuffled data.
"""
import json
import os
import shutil

import numpy as np

from layerkit.callbacks.batch_counter import BatchCounter
from layerkit.callbacks.callback import Callback
from layerkit.callbacks.chief import is_chief



class BackupAndRestore(Callback):
    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True, save_before_preemption=False):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: `backup_dir` must be a folder path, received "
                             f"{backup_dir!r}.")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or
                                     not isinstance(save_freq, (int, np.integer)) or
                                     save_freq < 1):
            raise ValueError("BackupAndRestore: save_freq must be 'epoch' or a positive "
                             f"number of batches, received {save_freq!r}.")
        if save_before_preemption:
            raise ValueError("BackupAndRestore: save_before_preemption=True needs "
                             "TensorFlow's preemption watcher, which layerkit does not have; "
                             "use save_freq to back up every N batches instead.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = bool(double_checkpoint)
        self.delete_checkpoint = bool(delete_checkpoint)
        self._metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._saves = 0
        self._current_epoch = 0
        self._batch_counter = BatchCounter(save_freq) if save_freq != "epoch" else None

    def _implements_train_batch_hooks(self):
        return self.save_freq != "epoch"

    def _read_metadata(self):
        if not os.path.exists(self._metadata_path):
            return None
        with open(self._metadata_path) as f:
            return json.load(f)

    def on_train_begin(self, logs=None):
        metadata = self._read_metadata()
        if metadata is None:
            return
        self._saves = int(metadata.get("saves", 0))
        try:
            self._restore(metadata["weights"], metadata["epoch"])
        except (OSError, ValueError):
            previous = metadata.get("previous")
            if not previous:
                raise
            self._restore(previous["weights"], previous["epoch"])

    def _restore(self, weights_name, epoch):
        self.model.load_weights(os.path.join(self.backup_dir, weights_name))
        self._current_epoch = int(epoch)
        # fit() starts its epoch loop here (Keras 3 reads the same attribute).
        self.model._initial_epoch = int(epoch)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        if self._batch_counter is not None:
            self._batch_counter.end_epoch()
        if self.save_freq == "epoch":
            self._save()

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        if self._batch_counter.due(batch):
            self._save(batch)

    def _save(self, batch=None):
        os.makedirs(self.backup_dir, exist_ok=True)
        old = self._read_metadata()
        self._saves += 1
        name = f"backup_{self._saves}.weights.h5"
        self.model.save_weights(os.path.join(self.backup_dir, name), overwrite=True)
        metadata = {"epoch": self._current_epoch,
                    "batch": None if batch is None else int(batch),
                    "weights": name, "saves": self._saves}
        if self.double_checkpoint and old is not None:
            metadata["previous"] = {"weights": old["weights"], "epoch": old["epoch"]}
        if not is_chief():
            return   # process 0 writes the backup (save_weights wrote nothing here)
        tmp = self._metadata_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(metadata, f)
        os.replace(tmp, self._metadata_path)
        # Files no longer named by the metadata go.
        keep = {name, metadata.get("previous", {}).get("weights")}
        for stale in os.listdir(self.backup_dir):
            if stale.startswith("backup_") and stale.endswith(".weights.h5") and \
                    stale not in keep:
                os.remove(os.path.join(self.backup_dir, stale))

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.backup_dir) and is_chief():
            shutil.rmtree(self.backup_dir)
