"""Keras 2 files written by tf_keras (tests/fixtures/tf_keras/, made by
tests/fixtures/make_tf_keras_fixtures.py with TensorFlow in a separate venv): they
load, predict what Keras 2 predicted, and resume training with Keras 2's optimizer
slots matched by name, exactly as Keras 2 went on."""
import os
import warnings

import h5py
import numpy as np
import pytest

import layerkit

from models_for_saving import conv_data, dense_bn_data, dense_bn_model

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "tf_keras")
EXPECTED = np.load(os.path.join(FIXTURES, "expected.npz"))


def _names(group):
    return [n.decode() if isinstance(n, bytes) else str(n) for n in group.attrs["weight_names"]]


def test_keras2_conv_model_predicts_as_keras2_did():
    with warnings.catch_warnings():
        warnings.simplefilter("error")     # Keras 2's config loads without complaint
        model = layerkit.models.load_model(os.path.join(FIXTURES, "conv_net.h5"))
    x, y = conv_data()
    np.testing.assert_allclose(model.predict(x, verbose=0), EXPECTED["conv_net/predict"],
                               rtol=1e-4, atol=1e-5)
    assert int(model.optimizer.iterations.numpy()) == 6
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)


def test_keras2_file_resumes_with_its_optimizer_slots():
    path = os.path.join(FIXTURES, "dense_bn.h5")
    with h5py.File(path) as f:
        names = _names(f["optimizer_weights"])
    assert names[:3] == ["iteration:0", "Adam/m/hidden/kernel:0", "Adam/v/hidden/kernel:0"]
    model = layerkit.models.load_model(path)
    x, y = dense_bn_data()
    np.testing.assert_allclose(model.predict(x, verbose=0), EXPECTED["dense_bn/predict"],
                               rtol=1e-5, atol=1e-6)
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], EXPECTED["dense_bn/resumed_loss"],
                               rtol=1e-5)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, EXPECTED[f"dense_bn/resumed_weight_{i}"], rtol=1e-4,
                                   atol=1e-6)


@pytest.mark.parametrize("spelling", ["new", "legacy"])
def test_slots_match_by_name_in_either_keras2_spelling_and_order(tmp_path, spelling):
    """The legacy optimizers stored all m slots, then all v slots ('Adam/dense/kernel/m:0');
    the files are rewritten that way here and must load the same."""
    source = os.path.join(FIXTURES, "dense_bn.h5")
    path = tmp_path / "rewritten.h5"
    with h5py.File(source) as f, h5py.File(path, "w") as out:
        for key, value in f.attrs.items():
            out.attrs[key] = value
        f.copy("model_weights", out)
        group = f["optimizer_weights"]
        names = _names(group)
        values = {n: group[n][()] for n in names}
        slots = [n for n in names if n.count("/") > 1]
        if spelling == "legacy":
            renamed = {n: "Adam/" + "/".join(n[:-2].split("/")[2:]) + "/" + n.split("/")[1]
                       + ":0" for n in slots}
            order = ["Adam/iter:0"] + sorted(renamed.values(), key=lambda n: n[-3])
            renamed["iteration:0"] = "Adam/iter:0"
        else:
            renamed = {n: n for n in names}
            order = names[:1] + slots[1::2] + slots[0::2]
        back = {v: k for k, v in renamed.items()}
        written = out.create_group("optimizer_weights")
        written.attrs["weight_names"] = np.array([n.encode() for n in order], dtype="S")
        for n in order:
            written.create_dataset(n, data=values[back[n]])
    reference = layerkit.models.load_model(source)
    model = layerkit.models.load_model(path)
    for a, b in zip(reference.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a.numpy()), np.asarray(b.numpy()))


def test_keras2_weights_file_loads_into_a_layerkit_model():
    model = dense_bn_model(layerkit)
    model.load_weights(os.path.join(FIXTURES, "dense_bn_weights.h5"))
    x, _ = dense_bn_data()
    np.testing.assert_allclose(model.predict(x, verbose=0), EXPECTED["dense_bn/predict"],
                               rtol=1e-5, atol=1e-6)
