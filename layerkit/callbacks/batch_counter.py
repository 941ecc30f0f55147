"""Counting batches toward an integer `save_freq` (ModelCheckpoint, BackupAndRestore).
With steps_per_execution a batch hook sees only every N-th batch, so the count is
taken from the batch indices, not from the number of calls."""


class BatchCounter:
    def __init__(self, every):
        self.every = every
        self._since_last = 0
        self._last_seen = None

    def due(self, batch):
        """Records batch `batch` (0-based within its epoch); True when `every` batches
        have passed since the last True."""
        if self._last_seen is None or batch <= self._last_seen:
            self._since_last += batch + 1
        else:
            self._since_last += batch - self._last_seen
        self._last_seen = batch
        if self._since_last >= self.every:
            self._since_last = 0
            return True
        return False

    def end_epoch(self):
        self._last_seen = None
