"""layerkit's files in real Keras 3 (the oracle, KERAS_BACKEND=jax): they load,
predict the same numbers and keep layerkit's optimizer state; and a file Keras
writes now loads in layerkit and resumes as Keras resumes."""
import numpy as np
import pytest

import layerkit

from models_for_saving import (compiled_conv_model, conv_data, dense_bn_data, dense_bn_model,
                               text_data, text_model)


@pytest.mark.parametrize("name", ["m.keras", "m.h5"])
def test_layerkit_files_load_in_keras(tmp_path, keras_oracle, name):
    model = compiled_conv_model(layerkit)
    x, y = conv_data()
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    model.save(tmp_path / name)
    # Keras 3 cannot compile its own .h5 files whose loss is a string (it resolves
    # 'categorical_crossentropy' to a function it then refuses), so the .h5 loads
    # uncompiled there.
    theirs = keras_oracle.models.load_model(tmp_path / name, compile=name.endswith(".keras"))
    np.testing.assert_allclose(theirs.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-5)
    if name.endswith(".keras"):
        assert int(theirs.optimizer.iterations.numpy()) == 6
        for a, b in zip(model.optimizer.variables, theirs.optimizer.variables):
            np.testing.assert_allclose(np.asarray(a.numpy()), np.asarray(b.numpy()),
                                       rtol=1e-6)


def test_layerkit_text_model_and_weights_file_load_in_keras(tmp_path, keras_oracle):
    model = text_model(layerkit)
    x, _ = text_data()
    model.save(tmp_path / "text.keras")
    model.save_weights(tmp_path / "text.weights.h5")
    theirs = keras_oracle.models.load_model(tmp_path / "text.keras")
    np.testing.assert_allclose(theirs.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    fresh = text_model(keras_oracle)
    fresh.load_weights(tmp_path / "text.weights.h5")
    np.testing.assert_allclose(fresh.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_keras_file_resumes_in_layerkit_as_in_keras(tmp_path, keras_oracle):
    x, y = dense_bn_data()
    theirs = dense_bn_model(keras_oracle)
    theirs.compile(optimizer=keras_oracle.optimizers.SGD(0.05, momentum=0.9), loss="mse")
    theirs.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    theirs.save(tmp_path / "k.keras")
    ours = layerkit.models.load_model(tmp_path / "k.keras")
    expected = theirs.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    got = ours.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(got.history["loss"], expected.history["loss"], rtol=1e-4)


@pytest.mark.parametrize("name", ["m.keras", "m.h5"])
def test_nested_shared_multi_io_model_loads_in_keras(tmp_path, keras_oracle, name):
    from models_for_saving import nested_multi_io_data, nested_multi_io_model
    model = nested_multi_io_model(layerkit)
    x, y = nested_multi_io_data()
    model.fit(x, y, verbose=0)
    model.save(tmp_path / name)
    theirs = keras_oracle.models.load_model(tmp_path / name, compile=name.endswith(".keras"))
    for got, expected in zip(theirs.predict(x, verbose=0), model.predict(x, verbose=0)):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
