"""Files written by real Keras 3 (tests/fixtures/keras3/, made by
tests/fixtures/make_keras3_fixtures.py): layerkit loads them, predicts what Keras
predicted and resumes training with Keras's losses. No keras needed."""
import os

import numpy as np
import pytest

import layerkit

from models_for_saving import conv_data, dense_bn_data, text_data

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "keras3")
EXPECTED = np.load(os.path.join(FIXTURES, "expected.npz"))


@pytest.mark.parametrize("name, data", [("conv_net", conv_data), ("text", text_data)])
def test_keras3_model_predicts_as_keras_did(name, data):
    model = layerkit.models.load_model(os.path.join(FIXTURES, f"{name}.keras"))
    x, y = data()
    np.testing.assert_allclose(model.predict(x, verbose=0), EXPECTED[f"{name}/predict"],
                               rtol=1e-4, atol=1e-5)
    # Compiled from the file, with the optimizer state Keras had: training goes on.
    assert model.compiled and int(model.optimizer.iterations.numpy()) == 6
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


@pytest.mark.parametrize("name", ["dense_bn.keras", "dense_bn.h5"])
def test_keras3_file_resumes_training_as_keras_does(name):
    model = layerkit.models.load_model(os.path.join(FIXTURES, name))
    key = name.replace(".", "_")
    x, y = dense_bn_data()
    np.testing.assert_allclose(model.predict(x, verbose=0), EXPECTED[f"{key}/predict"],
                               rtol=1e-5, atol=1e-6)
    assert type(model.optimizer).__name__ == "Adam"
    assert int(model.optimizer.iterations.numpy()) == 8
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], EXPECTED[f"{key}/resumed_loss"],
                               rtol=1e-4)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, EXPECTED[f"{key}/resumed_weight_{i}"], rtol=1e-3,
                                   atol=1e-5)
