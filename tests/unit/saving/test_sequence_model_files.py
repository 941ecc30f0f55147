"""Files of a model built from the recurrent and attention layers (Bidirectional LSTM,
GRU, MultiHeadAttention, TimeDistributed, SimpleRNN): they reload in layerkit and load
in real Keras 3 (the oracle, KERAS_BACKEND=jax) with the same predictions, and the
weights of one framework's model go into the other's."""
import numpy as np
import pytest

import layerkit


def sequence_model(k):
    L = k.layers
    inputs = k.Input((5, 3))
    x = L.Bidirectional(L.LSTM(4, return_sequences=True))(inputs)
    x = L.GRU(3, return_sequences=True)(x)
    x = L.MultiHeadAttention(num_heads=2, key_dim=4)(x, x)
    x = L.TimeDistributed(L.Dense(2))(x)
    return k.Model(inputs, L.SimpleRNN(2)(x))


def data():
    rng = np.random.default_rng(0)
    return rng.random((4, 5, 3)).astype("float32"), rng.random((4, 2)).astype("float32")


@pytest.mark.parametrize("name", ["seq.keras", "seq.h5"])
def test_sequence_model_reloads_and_loads_in_keras(tmp_path, keras_oracle, name):
    x, y = data()
    model = sequence_model(layerkit)
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=2, verbose=0)
    expected = model.predict(x, verbose=0)
    model.save(tmp_path / name)
    back = layerkit.models.load_model(tmp_path / name)
    np.testing.assert_allclose(back.predict(x, verbose=0), expected, rtol=1e-6, atol=1e-7)
    theirs = keras_oracle.models.load_model(tmp_path / name, compile=False)
    np.testing.assert_allclose(np.asarray(theirs.predict(x, verbose=0)), expected,
                               rtol=1e-4, atol=1e-6)


def test_sequence_model_weights_file_both_ways(tmp_path, keras_oracle):
    x, _ = data()
    theirs = sequence_model(keras_oracle)
    theirs.save_weights(tmp_path / "keras.weights.h5")
    ours = sequence_model(layerkit)
    ours.load_weights(tmp_path / "keras.weights.h5")
    np.testing.assert_allclose(ours.predict(x, verbose=0),
                               np.asarray(theirs.predict(x, verbose=0)), rtol=1e-4, atol=1e-6)
