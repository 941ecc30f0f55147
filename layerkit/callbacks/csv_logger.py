"""`CSVLogger`: one CSV row per epoch, written as Keras writes it."""
import collections.abc
import csv
import os

import numpy as np

from layerkit.callbacks.callback import Callback
from layerkit.callbacks.chief import is_chief

__all__ = ["CSVLogger"]


def _cell(value):
    """A log value as a CSV cell: strings as they are, 1-D iterables as '"[a, b]"'
    (Keras's quoting), numbers as Python prints them."""
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    if isinstance(value, collections.abc.Iterable):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Callback that streams epoch results to a CSV file.

    Args:
        filename: the CSV file, e.g. `'run/log.csv'` (a str or path-like).
        separator: the string between cells (default `','`).
        append: True appends to an existing file (no second header when the file
            already has lines), False overwrites it.

    The columns are `epoch` and the first epoch's log keys, sorted; with no
    `val_` key among them, Keras 3's `val_` columns are added too and hold `NA`
    until validation logs them. A key missing in a later epoch writes `NA`.
    Lines end in `\\r\\n`, the csv module's default, as in Keras's files.
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        try:
            self.filename = os.fspath(filename)
        except TypeError:
            raise ValueError(f"CSVLogger: `filename` must be a path, received "
                             f"{filename!r}.") from None
        if not isinstance(separator, str) or len(separator) != 1:
            # The csv module writes one-character delimiters only.
            raise ValueError(f"CSVLogger: `separator` must be one character, received "
                             f"{separator!r}.")
        self.sep = separator
        self.append = bool(append)
        self.append_header = True
        self.keys = None
        self.writer = None
        self.csv_file = None

    def on_train_begin(self, logs=None):
        mode = "w"
        if self.append:
            mode = "a"
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not bool(len(f.readline()))
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        # Only process 0 writes the log; the others write to nowhere.
        self.csv_file = open(self.filename if is_chief() else os.devnull, mode)
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys += [f"val_{k}" for k in self.keys]
        if self.writer is None:
            dialect = type("Dialect", (csv.excel,), {"delimiter": self.sep})
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         dialect=dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None
