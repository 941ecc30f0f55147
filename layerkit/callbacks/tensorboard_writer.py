"""`EventFileWriter`: appends TensorBoard events to an `events.out.tfevents.*` file.

Records are framed as TFRecord (layerkit/data/tfrecord.py) and written straight to
the final file, flushed at each epoch: TensorBoard reads event files while they
grow, so they are not written under a temporary name as other files are.
"""
import itertools
import os
import socket
import time

from layerkit.callbacks.tensorboard_proto import event
from layerkit.data.tfrecord import frame_record

__all__ = ["EventFileWriter"]

_FILE_NUMBERS = itertools.count()


class EventFileWriter:
    """One event file in `logdir` (created if missing), named as TensorFlow names it."""

    def __init__(self, logdir):
        os.makedirs(logdir, exist_ok=True)
        name = (f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}."
                f"{os.getpid()}.{next(_FILE_NUMBERS)}.v2")
        self.path = os.path.join(logdir, name)
        self._file = open(self.path, "ab")
        self._file.write(frame_record(event(time.time(), file_version="brain.Event:2")))
        self._file.flush()

    @property
    def closed(self):
        return self._file.closed

    def add(self, step, values):
        """Writes one event holding the summary `values` (tensorboard_proto's)."""
        if values:
            self._file.write(frame_record(event(time.time(), int(step), values)))

    def flush(self):
        if not self._file.closed:
            self._file.flush()

    def close(self):
        if not self._file.closed:
            self._file.close()
