"""Model configs round-trip: the rebuilt model computes the same function."""
import numpy as np
import pytest

from layerkit.layers import Concatenate, Dense, Dropout, Input, Layer
from layerkit.models import Functional, Model, Sequential
from layerkit.saving import register_keras_serializable


def _same_predictions(a, b, xs):
    b.set_weights(a.get_weights())
    pa, pb = a.predict(xs, verbose=0), b.predict(xs, verbose=0)
    for u, v in zip(pa if isinstance(pa, list) else [pa], pb if isinstance(pb, list) else [pb]):
        np.testing.assert_allclose(u, v, rtol=1e-6)


def test_functional_round_trip_with_shared_layer_and_two_inputs():
    a, b = Input(shape=(3,), name="a"), Input(shape=(3,), name="b")
    shared = Dense(4, activation="relu", name="shared")
    merged = Concatenate(name="cat")([shared(a), shared(b)])
    out1 = Dense(2, name="head1")(merged)
    out2 = Dense(1, name="head2")(Dropout(0.2)(merged))
    model = Model([a, b], [out1, out2], name="twin")
    config = model.get_config()
    clone = Functional.from_config(config)
    assert clone.name == "twin"
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]
    xs = [np.random.random((5, 3)), np.random.random((5, 3))]
    _same_predictions(model, clone, xs)


def test_sequential_round_trip():
    model = Sequential([Dense(3, input_dim=2, activation="tanh"), Dense(1)])
    clone = Sequential.from_config(model.get_config())
    _same_predictions(model, clone, np.random.random((4, 2)))


def test_registered_custom_layer_in_a_config():
    @register_keras_serializable(package="tests")
    class Scale(Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    inp = Input(shape=(2,))
    model = Model(inp, Scale(3.0)(inp))
    clone = Functional.from_config(model.get_config())
    x = np.ones((1, 2), "float32")
    np.testing.assert_allclose(clone.predict(x, verbose=0), 3 * x)


def test_unknown_class_in_a_config_is_a_clear_error():
    inp = Input(shape=(2,))
    config = Model(inp, Dense(1)(inp)).get_config()
    config["layers"][1]["class_name"] = "NoSuchLayer"
    config["layers"][1]["registered_name"] = "NoSuchLayer"
    with pytest.raises(ValueError, match="Unknown layer or model class 'NoSuchLayer'"):
        Functional.from_config(config)


def test_model_from_config_rebuilds_a_functional_config():
    from layerkit import layers, models
    x = layers.Input((3,))
    model = models.Model(x, layers.Dense(2, name="out")(x))
    rebuilt = models.Model.from_config(model.get_config(), custom_objects={})
    assert isinstance(rebuilt, models.Functional)
    assert [l.name for l in rebuilt.layers] == [l.name for l in model.layers]
    assert rebuilt.output_shape == (None, 2)
