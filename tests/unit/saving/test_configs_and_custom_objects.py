"""to_json / model_from_json / get_config / from_config, custom objects and the
class-not-found error; configs record Keras's module names."""
import json

import numpy as np
import pytest

import layerkit
from layerkit import layers

from models_for_saving import conv_model


class UnregisteredScale(layers.Layer):
    """A user layer with one weight, found through custom_objects."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

    def call(self, inputs):
        return inputs * self.w * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def _scaled_model():
    inputs = layerkit.Input((3,))
    return layerkit.Model(inputs, layers.Dense(2)(UnregisteredScale(3.0, name="scale")(inputs)))


def test_json_round_trip_keeps_the_architecture():
    model = conv_model(layerkit)
    text = model.to_json()
    config = json.loads(text)
    assert config["module"] == "keras.src.models.functional"
    modules = {entry["class_name"]: entry["module"] for entry in config["config"]["layers"]}
    assert modules["Conv2D"] == "keras.layers" and modules["SeparableConv2D"] == "keras.layers"
    rebuilt = layerkit.models.model_from_json(text)
    assert [type(l).__name__ for l in rebuilt.layers] == [type(l).__name__ for l in model.layers]
    assert rebuilt.count_params() == model.count_params()
    assert json.loads(rebuilt.to_json())["config"] == config["config"]


def test_get_config_from_config_sequential():
    model = layerkit.Sequential([layerkit.Input((4,)), layers.Dense(3), layers.Dropout(0.1)])
    clone = layerkit.Sequential.from_config(model.get_config())
    assert [l.get_config() for l in clone.layers] == [l.get_config() for l in model.layers]


@pytest.mark.parametrize("name", ["m.keras", "m.h5"])
def test_custom_objects_scope_and_registration(tmp_path, name):
    model = _scaled_model()
    model.save(tmp_path / name)
    x = np.random.rand(4, 3).astype("float32")
    expected = model.predict(x, verbose=0)
    with pytest.raises(ValueError, match=r"Unknown layer or model class 'UnregisteredScale' "
                                         r"\(module "
                                         r"'([\w.]*\.)?test_configs_and_custom_objects'\)"
                                         r".*import ([\w.]*\.)?test_configs_and_custom"):
        layerkit.models.load_model(tmp_path / name)
    loaded = layerkit.models.load_model(tmp_path / name,
                                        custom_objects={"UnregisteredScale": UnregisteredScale})
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-6)
    assert loaded.get_layer("scale").factor == 3.0
    with layerkit.saving.custom_object_scope({"UnregisteredScale": UnregisteredScale}):
        loaded = layerkit.models.load_model(tmp_path / name)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-6)


def test_register_keras_serializable_records_the_registered_name(tmp_path):
    @layerkit.saving.register_keras_serializable(package="SavingTests")
    class Shift(layers.Layer):
        def call(self, inputs):
            return inputs + 1.0

    inputs = layerkit.Input((2,))
    model = layerkit.Model(inputs, Shift(name="shift")(inputs))
    config = json.loads(model.to_json())
    entry = [e for e in config["config"]["layers"] if e["class_name"] == "Shift"][0]
    assert entry["registered_name"] == "SavingTests>Shift"
    model.save(tmp_path / "m.keras")
    loaded = layerkit.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(np.zeros((1, 2)), verbose=0), [[1.0, 1.0]])


def test_model_from_json_rejects_bad_input():
    with pytest.raises(ValueError, match="not valid JSON"):
        layerkit.models.model_from_json("{not json")
    with pytest.raises(ValueError, match="class_name"):
        layerkit.models.model_from_config({"layers": []})


def test_keras_spellings_reach_the_saving_names(keras_alias, tmp_path):
    from keras.callbacks import BackupAndRestore, ModelCheckpoint  # noqa: F401
    from keras.models import load_model, model_from_json
    from keras.utils import custom_object_scope, register_keras_serializable  # noqa: F401
    model = keras_alias.Sequential([keras_alias.layers.Dense(2, input_shape=(3,))])
    model.save(str(tmp_path / "m.hdf5"))
    assert load_model(str(tmp_path / "m.hdf5")).count_params() == 8
    assert model_from_json(model.to_json()).count_params() == 8
