"""pad_sequences and TimeseriesGenerator against explicit expectations and Keras."""
import numpy as np
import pytest

from layerkit.preprocessing.sequence import TimeseriesGenerator, pad_sequences

SEQS = [[1, 2, 3, 4], [5], [], [6, 7]]


def test_defaults_pad_and_truncate_at_the_front():
    np.testing.assert_array_equal(pad_sequences(SEQS), [[1, 2, 3, 4], [0, 0, 0, 5], [0, 0, 0, 0],
                                                        [0, 0, 6, 7]])
    np.testing.assert_array_equal(pad_sequences(SEQS, maxlen=2), [[3, 4], [0, 5], [0, 0], [6, 7]])


def test_post_padding_truncating_value_and_dtype():
    out = pad_sequences(SEQS, maxlen=3, padding="post", truncating="post", value=-1.5,
                        dtype="float32")
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[1, 2, 3], [5, -1.5, -1.5], [-1.5] * 3, [6, 7, -1.5]])
    text = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert text.tolist() == [["a", "b"], ["<pad>", "c"]]


def test_multidimensional_elements():
    seqs = [np.ones((3, 2)), np.full((1, 2), 5.0)]
    out = pad_sequences(seqs, dtype="float32")
    assert out.shape == (2, 3, 2)
    np.testing.assert_array_equal(out[1], [[0, 0], [0, 0], [5, 5]])
    with pytest.raises(ValueError, match="position 1.*\\(3,\\).*\\(2,\\)"):
        pad_sequences([np.ones((2, 2)), np.ones((2, 3))])


@pytest.mark.parametrize("kwargs, words", [
    (dict(padding="middle"), "padding.*'middle'"),
    (dict(truncating="both"), "truncating.*'both'"),
    (dict(maxlen=-1), "maxlen"),
    (dict(value="x"), "dtype"),
])
def test_bad_arguments(kwargs, words):
    with pytest.raises(ValueError, match=words):
        pad_sequences(SEQS, **kwargs)
    with pytest.raises(ValueError, match="iterables.*position 1"):
        pad_sequences([[1], 5])


def test_matches_keras(keras_oracle):
    from keras.utils import pad_sequences as keras_pad

    for kw in (dict(), dict(maxlen=3, padding="post"), dict(maxlen=2, truncating="post",
                                                            value=9)):
        np.testing.assert_array_equal(pad_sequences(SEQS, **kw), keras_pad(SEQS, **kw))


def test_timeseries_generator_windows_and_targets():
    data = np.arange(50).reshape(25, 2)
    targets = np.arange(25) * 10
    gen = TimeseriesGenerator(data, targets, length=4, sampling_rate=2, stride=3, batch_size=3,
                              start_index=1, end_index=20)
    rows = list(range(1 + 4, 21, 3))  # window ends
    assert len(gen) == -(-len(rows) // 3)
    xs, ys = zip(*(gen[i] for i in range(len(gen))))
    x, y = np.concatenate(xs), np.concatenate(ys)
    np.testing.assert_array_equal(y, targets[rows])
    np.testing.assert_array_equal(x, np.stack([data[r - 4:r:2] for r in rows]))
    rev = TimeseriesGenerator(data, targets, length=3, reverse=True, batch_size=2)
    np.testing.assert_array_equal(rev[0][0][0], data[2::-1])
    with pytest.raises(ValueError, match="same length"):
        TimeseriesGenerator(data, targets[:3], length=2)
    with pytest.raises(ValueError, match="greater than end_index"):
        TimeseriesGenerator(data, targets, length=30)
