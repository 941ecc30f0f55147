"""model.save / load_model round trips (.keras and .h5) on the running engine:
architecture, weights, compile settings and optimizer state come back, and fit
continues exactly where it stopped."""
import numpy as np
import pytest

import layerkit
from layerkit import layers

from models_for_saving import compiled_conv_model, conv_data, text_data, text_model

# '.hdf5' is the same writer as '.h5' (test_saving_api_functions_and_models_aliases).
FORMATS = ["model.keras", "model.h5"]


@pytest.mark.parametrize("name", FORMATS)
def test_round_trip_restores_architecture_weights_and_compile(tmp_path, name):
    model = compiled_conv_model(layerkit)
    x, y = conv_data()
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    path = tmp_path / name
    model.save(path)
    loaded = layerkit.models.load_model(path)
    assert type(loaded).__name__ == "Functional"
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    assert [type(l).__name__ for l in loaded.layers] == [type(l).__name__ for l in model.layers]
    for a, b in zip(model.weights, loaded.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    assert type(loaded.optimizer).__name__ == "Adam"
    assert loaded.optimizer.learning_rate.numpy() == pytest.approx(1e-2)
    assert int(loaded.optimizer.iterations.numpy()) == 6
    for a, b in zip(model.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a.numpy()), np.asarray(b.numpy()))
    assert loaded.loss == "categorical_crossentropy"
    logs = loaded.evaluate(x, y, verbose=0, return_dict=True)
    assert set(logs) == {"loss", "accuracy"}


@pytest.mark.parametrize("name", FORMATS)
def test_fit_resumes_with_the_uninterrupted_loss_trajectory(tmp_path, name):
    x, y = text_data(32)
    start = tmp_path / "start.keras"
    model = text_model(layerkit)
    model.compile(optimizer=layerkit.optimizers.Adam(0.01), loss="mse")
    model.save(start)
    # Both runs start from the same file: weights, optimizer and dropout streams alike.
    straight = layerkit.models.load_model(start)
    full = straight.fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0)
    first = layerkit.models.load_model(start)
    first.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    first.save(tmp_path / name)
    resumed = layerkit.models.load_model(tmp_path / name)
    rest = resumed.fit(x, y, batch_size=8, epochs=4, initial_epoch=2, shuffle=False,
                       verbose=0)
    np.testing.assert_allclose(rest.history["loss"], full.history["loss"][2:], rtol=1e-5)
    for a, b in zip(straight.weights, resumed.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


def test_compile_false_loads_an_uncompiled_model(tmp_path):
    model = compiled_conv_model(layerkit)
    model.save(tmp_path / "m.keras")
    loaded = layerkit.models.load_model(tmp_path / "m.keras", compile=False)
    assert not loaded.compiled
    x, _ = conv_data(4)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_saving_api_functions_and_models_aliases(tmp_path):
    model = layerkit.Sequential([layerkit.Input((3,)), layers.Dense(2)])
    layerkit.saving.save_model(model, tmp_path / "a.keras")
    layerkit.models.save_model(model, tmp_path / "b.h5")
    model.save(tmp_path / "c.hdf5")
    for path in ("a.keras", "b.h5", "c.hdf5"):
        for load in (layerkit.saving.load_model, layerkit.models.load_model):
            loaded = load(tmp_path / path)
            np.testing.assert_array_equal(loaded.get_weights()[0], model.get_weights()[0])


def test_unknown_extension_and_savedmodel_format_are_refused(tmp_path):
    model = layerkit.Sequential([layerkit.Input((3,)), layers.Dense(2)])
    with pytest.raises(ValueError, match=r"\.keras"):
        model.save(tmp_path / "model.bin")
    with pytest.raises(ValueError, match="SavedModel"):
        model.save(tmp_path / "model", save_format="tf")
    with pytest.raises(TypeError, match="unrecognized"):
        model.save(tmp_path / "m.keras", zipped_harder=True)
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m.keras")
        model.save(tmp_path / "m.keras", overwrite=False)


def test_subclassed_model_round_trips_with_its_build_shape(tmp_path):
    @layerkit.saving.register_keras_serializable(package="SavingTest")
    class TwoDense(layerkit.Model):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.first = layers.Dense(units, activation="relu")
            self.second = layers.Dense(1)

        def call(self, inputs):
            return self.second(self.first(inputs))

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    model = TwoDense(units=4)
    x = np.random.rand(6, 5).astype("float32")
    model.compile("sgd", "mse")
    model.fit(x, x[:, :1], verbose=0)
    model.save(tmp_path / "sub.keras")
    loaded = layerkit.models.load_model(tmp_path / "sub.keras")
    assert isinstance(loaded, TwoDense) and loaded.units == 4
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


@pytest.mark.parametrize("name", FORMATS)
def test_nested_shared_multi_io_model_round_trips(tmp_path, name):
    from models_for_saving import nested_multi_io_data, nested_multi_io_model
    model = nested_multi_io_model(layerkit)
    x, y = nested_multi_io_data()
    model.fit(x, y, verbose=0)
    model.save(tmp_path / name)
    loaded = layerkit.models.load_model(tmp_path / name)
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    for got, expected in zip(loaded.predict(x, verbose=0), model.predict(x, verbose=0)):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)
    for a, b in zip(model.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a.numpy()), np.asarray(b.numpy()))
