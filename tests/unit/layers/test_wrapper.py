"""layers.Wrapper: a user's wrapper written as Keras documents it trains, saves and
loads; TimeDistributed is one."""
import numpy as np
import pytest

import layerkit
from layerkit import layers, ops


@layerkit.saving.register_keras_serializable(package="tests")
class Doubled(layers.Wrapper):
    """Runs the wrapped layer and doubles its output."""

    def call(self, inputs):
        return 2.0 * self.layer(inputs)


def test_a_user_wrapper_owns_the_wrapped_weights_and_trains(tmp_path):
    inner = layers.Dense(3)
    model = layerkit.Sequential([layerkit.Input((4,)), Doubled(inner)])
    assert [w.path for w in model.weights] == [w.path for w in inner.weights]
    assert len(model.trainable_weights) == 2
    x = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")
    kernel, bias = inner.get_weights()
    np.testing.assert_allclose(model.predict(x, verbose=0), 2 * (x @ kernel + bias),
                               rtol=1e-5, atol=1e-6)
    model.compile("sgd", "mse")
    before = inner.get_weights()[0].copy()
    model.fit(x, np.ones((8, 3), "float32"), verbose=0)
    assert not np.allclose(before, inner.get_weights()[0])
    path = str(tmp_path / "wrapped.keras")
    model.save(path)
    loaded = layerkit.models.load_model(path)
    assert type(loaded.layers[-1]).__name__ == "Doubled"
    assert type(loaded.layers[-1].layer).__name__ == "Dense"
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_config_round_trip_and_bad_layer():
    wrapper = Doubled(layers.Dense(2, name="inner"), name="doubled")
    config = wrapper.get_config()
    assert config["layer"]["class_name"] == "Dense" and config["name"] == "doubled"
    clone = Doubled.from_config(config)
    assert clone.layer.units == 2 and clone.layer.name == "inner"
    with pytest.raises(ValueError, match="Doubled: `layer` must be a layerkit Layer.*'dense'"):
        Doubled("dense")


def test_time_distributed_is_a_wrapper():
    assert issubclass(layers.TimeDistributed, layers.Wrapper)
    out = layers.TimeDistributed(layers.Dense(2))(ops.ones((1, 3, 4)))
    assert tuple(out.shape) == (1, 3, 2)


def test_the_keras2_path_finds_it(keras_alias):
    from keras.layers.wrappers import Wrapper
    assert Wrapper is layers.Wrapper
