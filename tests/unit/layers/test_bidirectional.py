"""Bidirectional against the real Keras 3: merge modes, masks, return_state, initial
states, a custom backward_layer; weight paths and config; bad arguments."""
import pathlib
import sys

import numpy as np
import pytest

import layerkit
from layerkit import layers

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from rnn_compare import assert_matches_keras, to_np  # noqa: E402

RNG = np.random.default_rng(5)
X = RNG.normal(size=(3, 5, 4)).astype("float32")
MASK = np.array([[1] * 5, [1, 1, 1, 0, 0], [0, 1, 1, 1, 1]], bool)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul", None])
@pytest.mark.parametrize("inner,kwargs", [("LSTM", {"return_sequences": True}),
                                          ("GRU", {})])
def test_matches_keras(keras_oracle, merge_mode, inner, kwargs):
    def make(m):
        return m.layers.Bidirectional(getattr(m.layers, inner)(3, **kwargs),
                                      merge_mode=merge_mode, name="bidi")
    assert_matches_keras(make(layerkit), make(keras_oracle), X, mask=MASK)


def test_return_state_initial_state_and_backward_layer(keras_oracle):
    def make(m):
        return m.layers.Bidirectional(
            m.layers.LSTM(3, return_state=True, return_sequences=True),
            backward_layer=m.layers.LSTM(3, return_state=True, return_sequences=True,
                                         activation="relu", go_backwards=True), name="bidi")
    states = [RNG.normal(size=(3, 3)).astype("float32") for _ in range(4)]
    outs = assert_matches_keras(make(layerkit), make(keras_oracle), X, mask=MASK,
                                initial_state=states)
    assert [o.shape for o in outs] == [(3, 5, 6)] + [(3, 3)] * 4


def test_weights_config_and_functional_use(keras_oracle):
    ours = layers.Bidirectional(layers.LSTM(3), name="bidi")
    theirs = keras_oracle.layers.Bidirectional(keras_oracle.layers.LSTM(3), name="bidi")
    ours.build((None, 5, 4)), theirs.build((None, 5, 4))
    strip = [v.path.split("/") for v in ours.weights]
    assert [p[0] + "/" + p[1].rsplit("_", 1)[0] + "/" + "/".join(p[2:]) for p in strip] == \
        [v.path.rsplit("/", 3)[0] + "/" + v.path.split("/")[1].rsplit("_", 1)[0] + "/" +
         "/".join(v.path.split("/")[2:]) for v in theirs.weights]
    assert set(ours.get_config()) == set(theirs.get_config())
    revived = layers.Bidirectional.from_config(ours.get_config())
    assert revived.backward_layer.go_backwards and revived.merge_mode == "concat"
    ids = layerkit.Input((None,), dtype="int32")
    h = layers.Embedding(10, 4, mask_zero=True)(ids)
    h = layers.Bidirectional(layers.LSTM(3, return_sequences=True))(h)
    out = layers.Bidirectional(layers.GRU(2), merge_mode="sum")(h)
    model = layerkit.Model(ids, layers.Dense(1)(out))
    # Embedding 40, two LSTM(3) on 4 features 96 each, two GRU(2) on 6 features
    # (kernel, recurrent kernel and the two biases of reset_after) 60 each, Dense 3.
    assert out.shape == (None, 2) and model.count_params() == 40 + 2 * 96 + 2 * 60 + 3
    model.compile("adam", "mse")
    data = RNG.integers(0, 10, size=(6, 7))
    assert np.isfinite(model.fit(data, np.ones((6, 1)), verbose=0).history["loss"][0])


def test_bad_arguments_name_the_layer():
    with pytest.raises(ValueError, match=r'Bidirectional "b1".*recurrent layer'):
        layers.Bidirectional(layers.Dense(3), name="b1")
    with pytest.raises(ValueError, match=r"merge_mode.*'max'"):
        layers.Bidirectional(layers.LSTM(3), merge_mode="max")
    with pytest.raises(ValueError, match=r"must agree on `return_sequences`"):
        layers.Bidirectional(layers.LSTM(3), backward_layer=layers.LSTM(
            3, return_sequences=True, go_backwards=True))
    with pytest.raises(ValueError, match=r"even\s+count"):
        layers.Bidirectional(layers.LSTM(3))(X, initial_state=[np.zeros((3, 3), "float32")])
    np.testing.assert_equal(to_np(layers.Bidirectional(layers.GRU(2))(X)).shape, (3, 4))
