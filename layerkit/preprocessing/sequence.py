"""`keras.preprocessing.sequence`: `pad_sequences`, `TimeseriesGenerator`, and
`skipgrams` / `make_sampling_table` (defined in skipgrams.py)."""

import numbers

import numpy as np

from layerkit.preprocessing.skipgrams import make_sampling_table, skipgrams  # noqa: F401
from layerkit.utils.data_sequence import Sequence

_SIDES = ("pre", "post")


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Pads (and truncates) sequences to one length.

    Args:
        sequences: list of sequences (lists or arrays); each element of a
            sequence may itself be an array (all of the same shape).
        maxlen: output length; default the longest sequence.
        dtype: dtype of the output (use `object` or a string dtype for strings).
        padding: "pre" or "post": where the padding goes.
        truncating: "pre" or "post": which end of longer sequences is dropped.
        value: padding value.

    Returns:
        Array of shape `(len(sequences), maxlen) + element_shape`.
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"pad_sequences: sequences must be a list of sequences; received "
                         f"{type(sequences).__name__}.")
    if padding not in _SIDES:
        raise ValueError(f"pad_sequences: padding must be 'pre' or 'post'; received {padding!r}.")
    if truncating not in _SIDES:
        raise ValueError(
            f"pad_sequences: truncating must be 'pre' or 'post'; received {truncating!r}.")
    if maxlen is not None and (not isinstance(maxlen, numbers.Integral) or maxlen < 0):
        raise ValueError(f"pad_sequences: maxlen must be None or a non-negative integer; received "
                         f"{maxlen!r}.")
    lengths = []
    sample_shape = None
    for position, s in enumerate(sequences):
        try:
            lengths.append(len(s))
        except TypeError as e:
            raise ValueError(f"pad_sequences: sequences must be a list of iterables; the "
                             f"element at position {position} is {s!r}.") from e
        if sample_shape is None and len(s):
            sample_shape = np.asarray(s).shape[1:]
    sample_shape = sample_shape or ()
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    maxlen = int(maxlen)
    is_text_dtype = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not is_text_dtype:
        raise ValueError(f"pad_sequences: dtype {dtype!r} cannot hold the string padding value "
                         f"{value!r}; use dtype=object for variable-length strings.")
    out = np.full((len(lengths), maxlen) + tuple(sample_shape), value, dtype=dtype)
    if maxlen == 0:
        return out
    for position, s in enumerate(sequences):
        if not len(s):
            continue
        kept = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != tuple(sample_shape):
            raise ValueError(f"pad_sequences: the elements of the sequence at position {position} "
                             f"have shape {kept.shape[1:]}; expected {tuple(sample_shape)} (the "
                             "shape of the first non-empty sequence's elements).")
        if padding == "post":
            out[position, :len(kept)] = kept
        else:
            out[position, -len(kept):] = kept
    return out


class TimeseriesGenerator(Sequence):
    """Batches of windows over a time series (Keras 2's TimeseriesGenerator).

    Batch `i` holds the windows ending before the rows
    `start_index + length + i * batch_size * stride + k * stride`;
    each window is `data[row - length:row:sampling_rate]` and its target
    `targets[row]`.

    Args:
        data: indexable of time steps (array or list), first axis is time.
        targets: targets per time step, same length as `data`.
        length: window length in time steps (before sampling).
        sampling_rate: step between the time steps inside a window.
        stride: step between consecutive windows.
        start_index, end_index: rows before `start_index` / after `end_index`
            are not used as window ends.
        shuffle: draw the window ends at random (for training).
        reverse: return each window in reverse time order.
        batch_size: windows per batch.
    """

    def __init__(self, data, targets, length, sampling_rate=1, stride=1, start_index=0,
                 end_index=None, shuffle=False, reverse=False, batch_size=128):
        if len(data) != len(targets):
            raise ValueError(f"TimeseriesGenerator: data and targets must have the same length; "
                             f"received len(data) = {len(data)}, len(targets) = {len(targets)}.")
        for name, v in (("length", length), ("sampling_rate", sampling_rate), ("stride", stride),
                        ("batch_size", batch_size)):
            if not isinstance(v, numbers.Integral) or v <= 0:
                raise ValueError(f"TimeseriesGenerator: {name} must be a positive integer; "
                                 f"received {v!r}.")
        self.data = data
        self.targets = targets
        self.length = length
        self.sampling_rate = sampling_rate
        self.stride = stride
        self.start_index = start_index + length
        self.end_index = len(data) - 1 if end_index is None else end_index
        self.shuffle = shuffle
        self.reverse = reverse
        self.batch_size = batch_size
        if self.start_index > self.end_index:
            raise ValueError(
                f"TimeseriesGenerator: start_index + length ({self.start_index}) is greater than "
                f"end_index ({self.end_index}): no window fits in data of length {len(data)}.")

    def __len__(self):
        span = self.batch_size * self.stride
        return (self.end_index - self.start_index + span) // span

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"TimeseriesGenerator: batch {index} out of range; there are "
                             f"{len(self)} batches.")
        if self.shuffle:
            rows = np.random.randint(self.start_index, self.end_index + 1, size=self.batch_size)
        else:
            first = self.start_index + self.batch_size * self.stride * index
            rows = np.arange(first, min(first + self.batch_size * self.stride, self.end_index + 1),
                             self.stride)
        samples = np.array([self.data[row - self.length:row:self.sampling_rate] for row in rows])
        targets = np.array([self.targets[row] for row in rows])
        if self.reverse:
            return samples[:, ::-1, ...], targets
        return samples, targets

    def get_config(self):
        """The constructor arguments (data and targets as lists)."""
        def as_list(v):
            return v.tolist() if isinstance(v, np.ndarray) else v

        return {"data": as_list(self.data), "targets": as_list(self.targets),
                "length": self.length, "sampling_rate": self.sampling_rate,
                "stride": self.stride, "start_index": self.start_index - self.length,
                "end_index": self.end_index, "shuffle": self.shuffle, "reverse": self.reverse,
                "batch_size": self.batch_size}
