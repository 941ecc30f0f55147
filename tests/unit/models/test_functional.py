"""Functional and Sequential models: graphs, shared layers, nesting, layer access."""
import numpy as np
import pytest

from layerkit import engine
from layerkit.layers import Concatenate, Dense, Dropout, Input
from layerkit.models import Model, Sequential


def test_functional_single_io_matches_numpy():
    a = Input(shape=(4,))
    b = Dense(3, activation="relu")(a)
    model = Model(inputs=a, outputs=b)
    x = np.random.random((5, 4)).astype("float32")
    k, bias = model.layers[1].get_weights()
    np.testing.assert_allclose(model.predict(x, verbose=0), np.maximum(x @ k + bias, 0),
                               rtol=1e-5, atol=1e-6)
    assert model.output_shape == (None, 3)
    assert [l.name for l in model.layers][0] == a._history[0].name


def test_functional_multi_io_lists_and_dicts():
    a1, a2 = Input(shape=(6,), name="a1"), Input(shape=(2,), name="a2")
    b1 = Dense(3, name="b1")(a1)
    b2 = Dense(1, name="b2")(Concatenate()([b1, a2]))
    model = Model(inputs=[a1, a2], outputs=[b1, b2, b2])
    xs = [np.random.random((7, 6)), np.random.random((7, 2))]
    outs = model.predict(xs, verbose=0)
    assert [o.shape for o in outs] == [(7, 3), (7, 1), (7, 1)]
    np.testing.assert_allclose(outs[1], outs[2])
    by_name = model.predict({"a1": xs[0], "a2": xs[1]}, verbose=0)
    np.testing.assert_allclose(by_name[0], outs[0], rtol=1e-6)
    dict_model = Model(inputs={"x": a1}, outputs={"y": b1})
    out = dict_model.predict({"x": xs[0]}, verbose=0)
    np.testing.assert_allclose(out["y"], outs[0], rtol=1e-6)


def test_shared_layer_uses_one_set_of_weights():
    shared = Dense(2)
    a, b = Input(shape=(3,)), Input(shape=(3,))
    model = Model([a, b], [shared(a), shared(b)])
    assert len(model.weights) == 2
    x = np.random.random((4, 3)).astype("float32")
    o1, o2 = model.predict([x, x], verbose=0)
    np.testing.assert_allclose(o1, o2)


def test_model_used_as_a_layer():
    inner_in = Input(shape=(4,))
    inner = Model(inner_in, Dense(2, name="inner_dense")(inner_in), name="inner")
    outer_in = Input(shape=(4,))
    outer = Model(outer_in, Dense(1)(inner(outer_in)))
    x = np.random.random((3, 4)).astype("float32")
    expected = inner.predict(x, verbose=0) @ outer.layers[-1].get_weights()[0] + \
        outer.layers[-1].get_weights()[1]
    np.testing.assert_allclose(outer.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    assert len(outer.trainable_weights) == 4


def test_get_layer_by_name_and_index():
    model = Sequential([Dense(3, input_dim=2, name="first"), Dense(1, name="last")])
    assert model.get_layer("last") is model.layers[1]
    assert model.get_layer(index=0).name == "first"
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")


def test_graph_disconnected_is_a_clear_error():
    a, b = Input(shape=(2,)), Input(shape=(2,))
    out = Concatenate()([a, b])
    with pytest.raises(ValueError, match="Graph disconnected"):
        Model(a, out)


def test_sequential_deferred_build_and_pop():
    model = Sequential()
    model.add(Dense(4))
    model.add(Dense(2))
    assert not model.built
    out = model.predict(np.zeros((3, 5), "float32"), verbose=0)
    assert out.shape == (3, 2) and model.built
    assert model.layers[0].get_weights()[0].shape == (5, 4)
    second = model.layers[1]
    assert model.pop() is second and len(model.layers) == 1
    assert model.output_shape == (None, 4)


def test_sequential_input_output_and_one_node_per_layer():
    model = Sequential([Dense(4, input_dim=3), Dense(2)])
    model.add(Dense(1))
    first, second, third = model.layers
    # add() calls only the new layer: every layer keeps one node, in the model's graph.
    assert [len(l._inbound_nodes) for l in model.layers] == [1, 1, 1]
    assert first.input is model.input and third.output is model.output
    assert second.input is first.output and model.output.shape == (None, 1)
    assert model.pop() is third
    assert model.output is second.output and model.output_shape == (None, 2)
    model.add(Dense(5))
    assert model.output_shape == (None, 5) and model.layers[-1].input is second.output
    x = np.ones((2, 3), "float32")
    w = [v for l in model.layers for v in l.get_weights()]
    expected = ((x @ w[0] + w[1]) @ w[2] + w[3]) @ w[4] + w[5]
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_sequential_add_of_a_layer_that_does_not_fit_leaves_the_model_unchanged():
    model = Sequential([Dense(4, input_dim=3)])
    from layerkit.layers import Reshape
    with pytest.raises(ValueError):
        model.add(Reshape((3,)))
    assert len(model.layers) == 1 and model.output_shape == (None, 4)


def test_unbuilt_sequential_has_no_input_yet():
    model = Sequential([Dense(2)])
    with pytest.raises(AttributeError, match="no input until it is built"):
        model.input


def test_sequential_add_rejects_non_layers():
    with pytest.raises(TypeError, match="only Layer instances"):
        Sequential().add("dense")


def test_subclassed_model_with_custom_call():
    class TwoLayer(Model):
        def __init__(self):
            super().__init__()
            self.d1 = Dense(8, activation="relu")
            self.d2 = Dense(1)

        def call(self, x, training=False):
            return self.d2(self.d1(x))

    model = TwoLayer()
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.random.random((64, 3)), np.random.random((64, 1))
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert len(model.trainable_weights) == 4
    assert len(history.history["loss"]) == 2


def test_dropout_inference_is_identity_in_model():
    model = Sequential([Dropout(0.5, input_shape=(10,))])
    x = np.ones((4, 10), "float32")
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    trained = engine.convert_to_numpy(model(x, training=True))
    assert set(np.unique(trained)) <= {0.0, 2.0}


def test_stateless_call_uses_the_given_values_and_leaves_the_model_alone():
    model = Sequential([Dense(2, input_dim=3, use_bias=False)])
    x = np.ones((1, 3), "float32")
    kernel = np.full((3, 2), 2.0, "float32")
    out, non_trainable = model.stateless_call([kernel], [], x)
    np.testing.assert_allclose(engine.convert_to_numpy(out), [[6.0, 6.0]])
    assert non_trainable == []
    assert not np.allclose(model.get_weights()[0], kernel)
    with pytest.raises(ValueError, match="expected 1 trainable"):
        model.stateless_call([], [], x)
