"""timeseries_dataset_from_array: windows and targets against a direct computation."""
import numpy as np
import pytest

from layerkit.preprocessing.timeseries import timeseries_dataset_from_array


def expected(data, targets, length, stride, rate, start, end):
    starts = range(0, end - start - (length - 1) * rate, stride)
    if targets is not None:
        starts = [s for s in starts if s < len(targets)]
    windows = [data[start + s + np.arange(length) * rate] for s in starts]
    return np.array(windows), (None if targets is None else np.array(
        [targets[start + s] for s in starts]))


def test_windows_targets_batches():
    data = np.arange(40, dtype="float32").reshape(20, 2)
    targets = np.arange(20) * 3
    ds = timeseries_dataset_from_array(data, targets, sequence_length=4, sequence_stride=2,
                                       sampling_rate=2, batch_size=3, start_index=1, end_index=18)
    want_x, want_y = expected(data, targets, 4, 2, 2, 1, 18)
    batches = list(ds)
    assert len(ds) == len(batches) == 2
    assert [len(b[0]) for b in batches] == [3, 3]
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), want_x)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), want_y)


def test_no_targets_unbatched_and_shuffled():
    data = np.arange(30)
    ds = timeseries_dataset_from_array(data, None, sequence_length=5, batch_size=None)
    windows = list(ds)
    want, _ = expected(data, None, 5, 1, 1, 0, 30)
    np.testing.assert_array_equal(np.stack(windows), want)
    shuffled = timeseries_dataset_from_array(data, data, sequence_length=5, batch_size=4,
                                             shuffle=True, seed=3)
    batches = list(shuffled)  # one pass (each pass reshuffles within a buffer)
    xs = np.concatenate([x for x, _ in batches])
    ys = np.concatenate([y for _, y in batches])
    assert sorted(map(tuple, xs)) == sorted(map(tuple, want))
    np.testing.assert_array_equal(xs[:, 0], ys)  # target follows its window
    assert not np.array_equal(xs, want)


@pytest.mark.parametrize("kwargs, words", [
    (dict(sampling_rate=0), "sampling_rate"),
    (dict(sequence_stride=0), "sequence_stride"),
    (dict(start_index=50), "start_index"),
    (dict(end_index=50), "end_index"),
    (dict(batch_size=0), "batch_size"),
    (dict(sequence_length=0), "sequence_length"),
])
def test_bad_arguments(kwargs, words):
    args = dict(sequence_length=3)
    args.update(kwargs)
    with pytest.raises(ValueError, match=words):
        timeseries_dataset_from_array(np.arange(20), None, **args)
