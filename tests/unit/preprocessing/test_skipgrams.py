"""skipgrams, make_sampling_table and TimeseriesGenerator against Keras's legacy
`keras.src.legacy.preprocessing.sequence` (Keras 2's), with the same seeds."""
import random

import numpy as np
import pytest

from layerkit.preprocessing import sequence


@pytest.fixture
def keras_sequence(keras_oracle):
    from keras.src.legacy.preprocessing import sequence as keras_sequence
    return keras_sequence


SEQ = [3, 0, 7, 1, 4, 4, 9, 2, 0, 5, 8, 6, 1]


@pytest.mark.parametrize("kwargs", [
    {},
    {"window_size": 2, "negative_samples": 0.0},
    {"window_size": 1, "negative_samples": 2.5, "categorical": True},
    {"shuffle": False},
    {"seed": 42},
    {"sampling_table": "table"},
])
def test_skipgrams_match_keras(keras_sequence, kwargs):
    if kwargs.get("sampling_table") == "table":
        kwargs = dict(kwargs, sampling_table=sequence.make_sampling_table(10, 0.05))
    random.seed(7)
    ours = sequence.skipgrams(SEQ, 10, **kwargs)
    random.seed(7)
    theirs = keras_sequence.skipgrams(SEQ, 10, **kwargs)
    assert ours == theirs
    couples, labels = ours
    assert len(couples) == len(labels) and couples
    assert all(0 not in pair for pair in couples)


def test_skipgram_pairs_without_randomness():
    couples, labels = sequence.skipgrams([1, 2, 0, 3], 4, window_size=1, negative_samples=0,
                                         shuffle=False)
    assert couples == [[1, 2], [2, 1]] and labels == [1, 1]


@pytest.mark.parametrize("size,factor", [(10, 1e-5), (1000, 1e-3), (50, 0.5)])
def test_sampling_table_matches_keras(keras_sequence, size, factor):
    ours = sequence.make_sampling_table(size, factor)
    np.testing.assert_array_equal(ours, keras_sequence.make_sampling_table(size, factor))
    # rarer words (higher ranks) are kept more often, never with probability above 1
    assert ours.shape == (size,) and ours.max() <= 1.0 and np.all(np.diff(ours) >= 0)


@pytest.mark.parametrize("kwargs", [
    {"length": 3},
    {"length": 4, "sampling_rate": 2, "stride": 3, "batch_size": 3},
    {"length": 2, "start_index": 3, "end_index": 15, "reverse": True, "batch_size": 4},
    {"length": 5, "shuffle": True, "batch_size": 5},
])
def test_timeseries_generator_matches_keras(keras_sequence, kwargs):
    data = np.arange(40, dtype="float32").reshape(20, 2)
    targets = np.arange(20) * 10
    ours = sequence.TimeseriesGenerator(data, targets, **kwargs)
    theirs = keras_sequence.TimeseriesGenerator(data, targets, **kwargs)
    assert len(ours) == len(theirs)
    for i in range(len(ours)):
        np.random.seed(i)
        x, y = ours[i]
        np.random.seed(i)
        kx, ky = theirs[i]
        np.testing.assert_array_equal(x, kx)
        np.testing.assert_array_equal(y, ky)


def test_keras_2_path_maps(keras_alias):
    from keras.preprocessing.sequence import make_sampling_table, skipgrams

    assert skipgrams is sequence.skipgrams
    assert make_sampling_table is sequence.make_sampling_table
