"""A Keras 2 file's "hard_sigmoid" keeps Keras 2's meaning, clip(0.2 x + 0.5, 0, 1):
tests/fixtures/tf_keras/hard_sigmoid.{h5,keras} (LSTM and GRU recurrent activations,
GRU, Dense and Activation activations; made by
tests/fixtures/make_keras2_hard_sigmoid_fixture.py with tf_keras) predict what tf_keras
predicted. layerkit's own files keep each function's meaning when written and read
back; Keras 3 files and `activations.hard_sigmoid` keep Keras 3's relu6(x + 3) / 6."""
import json
import os

import h5py
import numpy as np
import pytest

import layerkit
from layerkit import activations, layers
from layerkit.models import Model

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "tf_keras")
DATA = np.load(os.path.join(FIXTURES, "hard_sigmoid.npz"))


def _activations_of(model):
    found = []
    for layer in model.layers:
        cell = getattr(layer, "cell", layer)
        found += [getattr(cell, k) for k in ("activation", "recurrent_activation")
                  if hasattr(cell, k)]
    return found


@pytest.mark.parametrize("name", ["hard_sigmoid.h5", "hard_sigmoid.keras"])
def test_keras2_files_predict_as_tf_keras_did(name):
    model = layerkit.models.load_model(os.path.join(FIXTURES, name), compile=False)
    assert activations.keras2_hard_sigmoid in _activations_of(model)
    assert activations.hard_sigmoid not in _activations_of(model)
    np.testing.assert_allclose(model.predict(DATA["x"], verbose=0), DATA["predict"],
                               rtol=1e-5, atol=1e-5)


def test_the_fixture_tells_the_two_formulas_apart():
    """Read with Keras 3's formula, the same file predicts visibly differently, so the
    test above checks which formula is used."""
    model = layerkit.models.load_model(os.path.join(FIXTURES, "hard_sigmoid.h5"),
                                       compile=False)
    for layer in model.layers:
        for owner in (layer, getattr(layer, "cell", None)):
            for key in ("activation", "recurrent_activation"):
                if getattr(owner, key, None) is activations.keras2_hard_sigmoid:
                    setattr(owner, key, activations.hard_sigmoid)
    off = np.abs(model.predict(DATA["x"], verbose=0) - DATA["predict"]).max()
    assert off > 1e-3


def _h5_config(path):
    with h5py.File(path, "r") as f:
        raw = f.attrs["model_config"]
    return json.loads(raw.decode() if isinstance(raw, bytes) else raw)


def _activation_entries(config):
    if isinstance(config, list):
        return [e for v in config for e in _activation_entries(v)]
    if not isinstance(config, dict):
        return []
    return [v for k, v in config.items() if k.endswith("activation")] + \
        [e for v in config.values() for e in _activation_entries(v)]


def test_a_keras2_model_saved_again_keeps_keras2s_formula(tmp_path):
    model = layerkit.models.load_model(os.path.join(FIXTURES, "hard_sigmoid.h5"),
                                       compile=False)
    expected = model.predict(DATA["x"], verbose=0)
    model.save(tmp_path / "again.h5")
    # Written as Keras 2 writes it: a plain "hard_sigmoid", Keras 2's own meaning.
    entries = _activation_entries(_h5_config(tmp_path / "again.h5"))
    assert "hard_sigmoid" in entries and "keras2_hard_sigmoid" not in entries
    model.save(tmp_path / "again.keras")
    for name in ("again.h5", "again.keras"):
        back = layerkit.models.load_model(tmp_path / name, compile=False)
        np.testing.assert_allclose(back.predict(DATA["x"], verbose=0), expected, rtol=1e-6)
        assert activations.keras2_hard_sigmoid in _activations_of(back)


def _keras3_model(api):
    inp = api.Input((4,))
    h = api.layers.Dense(3, activation="hard_sigmoid", kernel_initializer="ones")(inp)
    return api.Model(inp, api.layers.Activation("hard_sigmoid")(h))


def test_keras3_hard_sigmoid_in_a_layerkit_h5_file_stays_keras3s(tmp_path):
    model = _keras3_model(layerkit)
    model.save(tmp_path / "k3.h5")
    entries = _activation_entries(_h5_config(tmp_path / "k3.h5"))
    assert {"module": "keras.activations", "class_name": "function",
            "config": "hard_sigmoid", "registered_name": None} in entries
    back = layerkit.models.load_model(tmp_path / "k3.h5")
    assert _activations_of(back) == [activations.hard_sigmoid, activations.hard_sigmoid]
    x = np.linspace(-4, 4, 12, dtype="float32").reshape(3, 4)
    np.testing.assert_allclose(back.predict(x, verbose=0), model.predict(x, verbose=0))


def test_keras3_reads_layerkit_h5_hard_sigmoid_as_keras3(tmp_path, keras_oracle):
    model = _keras3_model(layerkit)
    model.save(tmp_path / "k3.h5")
    theirs = keras_oracle.models.load_model(tmp_path / "k3.h5", compile=False)
    x = np.linspace(-1, 1, 12, dtype="float32").reshape(3, 4)
    np.testing.assert_allclose(theirs.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-7)


def test_keras3_files_and_activations_keep_keras3s_formula(tmp_path, keras_oracle):
    theirs = _keras3_model(keras_oracle)
    theirs.save(tmp_path / "theirs.keras")
    ours = layerkit.models.load_model(tmp_path / "theirs.keras")
    x = np.linspace(-1, 1, 12, dtype="float32").reshape(3, 4)
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-7)
    assert layers.Dense(2, activation="hard_sigmoid").activation is activations.hard_sigmoid


def test_keras2_hard_sigmoid_formula():
    x = np.array([-3.0, -2.5, -1.0, 0.0, 1.0, 2.5, 3.0], "float32")
    got = np.asarray(layerkit.ops.convert_to_numpy(activations.keras2_hard_sigmoid(x)))
    np.testing.assert_allclose(got, np.clip(0.2 * x + 0.5, 0, 1), rtol=1e-6)
    assert activations.get("keras2_hard_sigmoid") is activations.keras2_hard_sigmoid
    assert activations.serialize(activations.keras2_hard_sigmoid) == "keras2_hard_sigmoid"
