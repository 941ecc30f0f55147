"""clone_model for Sequential, functional and subclassed models; layerkit.version()."""
import numpy as np
import pytest

import layerkit
from layerkit import layers
from layerkit.models import Functional, Model, Sequential, clone_model


def _x():
    return np.random.default_rng(0).random((6, 4)).astype("float32")


def _same_architecture_new_weights(model, clone):
    assert clone is not model
    assert [type(l) for l in clone.layers] == [type(l) for l in model.layers]
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]
    assert all(a is not b for a, b in zip(clone.weights, model.weights))
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(_x(), verbose=0), model.predict(_x(), verbose=0),
                               rtol=1e-6)


def test_clone_sequential_keeps_its_input_and_config():
    model = Sequential([layers.Input((4,)), layers.Dense(5, activation="relu"),
                        layers.Dropout(0.2), layers.Dense(2)], name="stack")
    clone = clone_model(model)
    assert isinstance(clone, Sequential) and clone.name == "stack" and clone.built
    assert clone.get_config() == model.get_config()
    _same_architecture_new_weights(model, clone)
    assert not all(np.array_equal(a, b) for a, b in zip(
        clone_model(model).get_weights(), model.get_weights()))   # fresh initialization


def test_clone_functional_keeps_shared_layers_shared():
    inp = layers.Input((4,), name="features")
    shared = layers.Dense(4, name="shared")
    h = shared(inp)
    out = layers.Add(name="sum")([h, shared(h)])
    model = Model(inp, out, name="net")
    clone = clone_model(model)
    assert isinstance(clone, Functional) and clone.name == "net"
    assert [l.name for l in clone.layers] == ["features", "shared", "sum"]
    assert len(clone.layers[1]._inbound_nodes) == 2          # called twice, one layer
    assert clone.get_config() == model.get_config()
    _same_architecture_new_weights(model, clone)


def test_clone_with_input_tensors_clone_function_and_call_function():
    inp = layers.Input((4,))
    model = Model(inp, layers.Dense(2, name="head")(layers.Dense(3, name="body")(inp)))
    new_input = layers.Input((4,), name="renamed")
    renamed = clone_model(model, input_tensors=new_input)
    assert renamed.layers[0].name == "renamed" and renamed.input is new_input
    # Model surgery: share the body (its weights), reinitialize the head.
    keep_body = clone_model(model, clone_function=lambda l: l if l.name == "body"
                            else l.__class__.from_config(l.get_config()))
    assert keep_body.get_layer("body") is model.get_layer("body")
    assert keep_body.get_layer("head") is not model.get_layer("head")
    calls = []

    def call_function(layer, *args, **kwargs):
        calls.append(layer.name)
        return layer(*args, **kwargs)

    clone_model(model, call_function=call_function)
    assert calls == ["body", "head"]
    seq = Sequential([layers.Dense(3, input_shape=(4,))])
    as_graph = clone_model(seq, input_tensors=layers.Input((4,), name="in2"))
    assert isinstance(as_graph, Functional) and as_graph.layers[0].name == "in2"


def test_clone_nested_models_recursively():
    inner = Sequential([layers.Dense(3, input_shape=(4,))], name="inner")
    inp = layers.Input((4,))
    model = Model(inp, layers.Dense(1)(inner(inp)))
    seen = []

    def clone_function(layer):
        seen.append(type(layer).__name__)
        return layer.__class__.from_config(layer.get_config())

    clone_model(model, clone_function=clone_function, recursive=True)
    assert seen == ["Dense", "Dense"]        # the inner Dense, then the head
    seen.clear()
    clone_model(model, clone_function=clone_function)
    assert seen == ["Sequential", "Dense"]


class _Student(Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = layers.Dense(units)

    def call(self, x):
        return self.dense(x)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_clone_subclassed_model_from_its_config():
    model = _Student(units=7, name="student")
    model(_x())
    clone = clone_model(model)
    assert type(clone) is _Student and clone.units == 7 and clone.name == "student"
    clone(_x())
    _same_architecture_new_weights(model, clone)
    with pytest.raises(ValueError, match="subclassed model.*clone_function"):
        clone_model(model, clone_function=lambda l: l)


def test_clone_rejects_what_it_cannot_honour():
    with pytest.raises(TypeError, match="unrecognized keyword.*bogus"):
        clone_model(Sequential([layers.Dense(1, input_shape=(2,))]), bogus=1)
    with pytest.raises(ValueError, match="must be a Model"):
        clone_model(layers.Dense(1))
    inp = layers.Input((4,))
    with pytest.raises(ValueError, match="1 input\\(s\\), but input_tensors holds 2"):
        clone_model(Model(inp, layers.Dense(1)(inp)),
                    input_tensors=[layers.Input((4,)), layers.Input((4,))])


def test_clone_matches_keras_layer_structure(keras_oracle):
    keras = keras_oracle
    ours = Model(*(lambda i: (i, layers.Dense(2)(layers.Dense(3)(i))))(layers.Input((4,))))
    theirs = keras.Model(*(lambda i: (i, keras.layers.Dense(2)(keras.layers.Dense(3)(i))))(
        keras.Input((4,))))
    ours_clone, theirs_clone = clone_model(ours), keras.models.clone_model(theirs)
    assert [type(l).__name__ for l in ours_clone.layers] == \
        [type(l).__name__ for l in theirs_clone.layers]
    assert [tuple(w.shape) for w in ours_clone.weights] == \
        [tuple(w.shape) for w in theirs_clone.weights]
    theirs_clone.set_weights(ours.get_weights())
    ours_clone.set_weights(ours.get_weights())
    np.testing.assert_allclose(ours_clone.predict(_x(), verbose=0),
                               np.asarray(theirs_clone.predict(_x(), verbose=0)), rtol=1e-5)


def test_version():
    assert layerkit.version() == layerkit.__version__
