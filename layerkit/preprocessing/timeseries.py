"""`timeseries_dataset_from_array`: sliding windows over a series as a
`layerkit.data.Dataset` (Keras 3 semantics)."""

import numbers

import numpy as np


def _check_int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"timeseries_dataset_from_array: {name} must be an integer >= {minimum}; "
                         f"received {value!r}.")
    return int(value)


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    """Windows over `data` (first axis is time) as a Dataset.

    Window `i` holds the rows `start + p_i + k * sampling_rate` for
    `k < sequence_length`, where `start = start_index or 0` and `p_i = i *
    sequence_stride`; its target is `targets[start + p_i]` (the target of the
    window's first row; pass `targets[sequence_length:]`-style offsets to
    predict ahead). Only rows before `end_index` (default `len(data)`) are used.

    Args:
        data: array or list of time steps.
        targets: array of targets (one per time step) or None.
        sequence_length: rows per window.
        sequence_stride: step between the starts of consecutive windows.
        sampling_rate: step between the rows of one window.
        batch_size: windows per batch; None yields single windows.
        shuffle: shuffle the windows (once, with `seed`, and within a buffer
            on every pass).
        seed: seed of the shuffles.
        start_index, end_index: the rows used are `data[start_index:end_index]`.

    Returns:
        A `layerkit.data.Dataset` of `(windows, targets)` batches, or `windows`
        when `targets` is None.
    """
    from layerkit.data import Dataset

    if not hasattr(data, "__len__"):
        raise ValueError("timeseries_dataset_from_array: data must be an array or list of time "
                         f"steps; received {type(data).__name__}.")
    n = len(data)
    sequence_length = _check_int("sequence_length", sequence_length, 1)
    sampling_rate = _check_int("sampling_rate", sampling_rate, 1)
    sequence_stride = _check_int("sequence_stride", sequence_stride, 1)
    if sampling_rate >= n:
        raise ValueError(f"timeseries_dataset_from_array: sampling_rate ({sampling_rate}) must be "
                         f"lower than the length of the data ({n}).")
    if sequence_stride >= n:
        raise ValueError(f"timeseries_dataset_from_array: sequence_stride ({sequence_stride}) must "
                         f"be lower than the length of the data ({n}).")
    if start_index:
        _check_int("start_index", start_index, 0)
        if start_index >= n:
            raise ValueError(f"timeseries_dataset_from_array: start_index ({start_index}) must be "
                             f"lower than the length of the data ({n}).")
    if end_index:
        _check_int("end_index", end_index, 1)
        if start_index and end_index <= start_index:
            raise ValueError(f"timeseries_dataset_from_array: end_index ({end_index}) must be "
                             f"higher than start_index ({start_index}).")
        if end_index >= n:
            raise ValueError(f"timeseries_dataset_from_array: end_index ({end_index}) must be "
                             f"lower than the length of the data ({n}).")
    if batch_size is not None:
        _check_int("batch_size", batch_size, 1)
    if targets is not None and not hasattr(targets, "__len__"):
        raise ValueError("timeseries_dataset_from_array: targets must be an array, a list or None; "
                         f"received {type(targets).__name__}.")
    start = start_index or 0
    end = end_index or n
    num_seqs = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets))
    starts = np.arange(0, max(num_seqs, 0), sequence_stride, dtype=np.int64)
    if shuffle:
        if seed is None:
            seed = int(np.random.randint(1_000_000))
        np.random.RandomState(seed).shuffle(starts)
    values = np.asarray(data)[start:end]
    offsets = np.arange(sequence_length, dtype=np.int64) * sampling_rate
    target_values = None if targets is None else np.asarray(targets)[start:]

    if target_values is None:
        def window(p):
            return values[p + offsets]
    else:
        def window(p):
            return values[p + offsets], target_values[p]

    ds = Dataset.from_tensor_slices(starts).map(window)
    if batch_size is not None:
        if shuffle:
            ds = ds.shuffle(batch_size * 8, seed=seed)
        ds = ds.batch(batch_size)
    elif shuffle:
        ds = ds.shuffle(1024, seed=seed)
    return ds
