"""Merge layers and their functional spellings, against numpy and the real Keras."""
import json

import numpy as np
import pytest

import layerkit
from layerkit import engine, layers
from layerkit.engine.common.symbolic_tensor import SymbolicTensor

S = SymbolicTensor


def to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


def rand(*shape):
    return np.random.uniform(-1, 1, size=shape).astype("float32")


ELEMENTWISE = [
    ("Add", lambda xs: sum(xs[1:], xs[0])),
    ("Multiply", lambda xs: np.prod(np.stack(xs), axis=0)),
    ("Average", lambda xs: np.mean(np.stack(xs), axis=0)),
    ("Maximum", lambda xs: np.max(np.stack(xs), axis=0)),
    ("Minimum", lambda xs: np.min(np.stack(xs), axis=0)),
]


@pytest.mark.parametrize("name,reference", ELEMENTWISE)
def test_elementwise_merges(name, reference, keras_oracle):
    xs = [rand(4, 5), rand(4, 5), rand(4, 5)]
    ours = to_np(getattr(layers, name)()(xs))
    np.testing.assert_allclose(ours, reference(xs), atol=1e-6)
    theirs = np.asarray(getattr(keras_oracle.layers, name)()(xs))
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    fn = getattr(layers, name.lower())
    np.testing.assert_allclose(to_np(fn(xs[:2])), reference(xs[:2]), atol=1e-6)
    out = getattr(layers, name)()([S((None, 5)), S((None, 5))])
    assert isinstance(out, SymbolicTensor) and out.shape == (None, 5)


def test_subtract(keras_oracle):
    a, b = rand(3, 4), rand(3, 4)
    ours = to_np(layers.Subtract()([a, b]))
    np.testing.assert_allclose(ours, a - b, atol=1e-6)
    np.testing.assert_allclose(ours, np.asarray(keras_oracle.layers.Subtract()([a, b])),
                               atol=1e-6)
    np.testing.assert_allclose(to_np(layers.subtract([a, b])), a - b, atol=1e-6)
    with pytest.raises(ValueError, match=r'Subtract layer "sub3".*exactly 2'):
        layers.Subtract(name="sub3")([a, b, a])


def test_broadcasting_rules_like_keras(keras_oracle):
    # Lower-rank inputs gain axes after the batch axis; size-1 axes broadcast.
    a, b = rand(2, 3), rand(2, 4, 3)
    ours = to_np(layers.Add()([a, b]))
    np.testing.assert_allclose(ours, a[:, None, :] + b, atol=1e-6)
    np.testing.assert_allclose(ours, np.asarray(keras_oracle.layers.Add()([a, b])), atol=1e-6)
    c, d = rand(2, 1, 3), rand(2, 4, 1)
    np.testing.assert_allclose(to_np(layers.Multiply()([c, d])), c * d, atol=1e-6)
    assert layers.Add()([S((None, 3)), S((None, 4, 3))]).shape == (None, 4, 3)
    assert layers.Add()([S((None, 1, 3)), S((None, 4, 1))]).shape == (None, 4, 3)
    assert layers.Add()([S((None, None)), S((None, 5))]).shape == (None, None)
    assert layers.Maximum().compute_output_shape([(8, 2), (None, 2)]) == (8, 2)


def test_merge_shape_errors_name_the_layer():
    with pytest.raises(ValueError, match=r'"add_bad".*incompatible shapes.*\(None, 3\).*\(None, 4\)'):
        layers.Add(name="add_bad")([S((None, 3)), S((None, 4))])
    with pytest.raises(ValueError, match=r'"mul_bad".*incompatible'):
        layers.Multiply(name="mul_bad")([rand(2, 3), rand(2, 5)])
    with pytest.raises(ValueError, match=r'"one".*at least 2 inputs.*1'):
        layers.Add(name="one")([rand(2, 3)])
    with pytest.raises(ValueError, match="different batch sizes"):
        layers.Add()([S((2, 3)), S((4, 3))])
    with pytest.raises(ValueError, match="list"):
        layers.Add(name="single")(rand(2, 3))
    built = layers.Add(name="built_add")
    built([rand(2, 3), rand(2, 3)])
    with pytest.raises(ValueError, match="built_add"):
        built([rand(2, 3), rand(2, 4)])


def test_concatenate(keras_oracle):
    a, b = rand(2, 3, 4), rand(2, 5, 4)
    layer = layers.Concatenate(axis=1)
    ours = to_np(layer([a, b]))
    np.testing.assert_array_equal(ours, np.concatenate([a, b], axis=1))
    theirs = np.asarray(keras_oracle.layers.Concatenate(axis=1)([a, b]))
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(to_np(layers.concatenate([a, a])),
                                  np.concatenate([a, a], axis=-1))
    np.testing.assert_array_equal(to_np(layers.concatenate([a, b], axis=1)), ours)
    assert layers.Concatenate()([S((None, 3)), S((None, 5))]).shape == (None, 8)
    assert layers.Concatenate(axis=1)([S((None, 3, 2)), S((None, None, 2))]).shape == \
        (None, None, 2)
    assert layers.concatenate([S((None, 3)), S((None, 5)), S((None, 1))]).shape == (None, 9)
    with pytest.raises(ValueError, match=r'"cat_bad".*matching shapes.*\(None, 3, 2\).*\(None, 3, 4\)'):
        layers.Concatenate(axis=1, name="cat_bad")([S((None, 3, 2)), S((None, 3, 4))])
    with pytest.raises(ValueError, match="same rank"):
        layers.Concatenate()([S((None, 3)), S((None, 3, 1))])
    with pytest.raises(ValueError, match="at least 2"):
        layers.Concatenate()([a])
    config = layers.Concatenate(axis=1, name="cat").get_config()
    json.dumps(config)
    assert config["axis"] == 1
    assert layers.Concatenate.from_config(config).get_config() == config


DOT_CASES = [
    ((4, 5), (4, 5), 1),
    ((4, 5), (4, 5), -1),
    ((4, 3, 5), (4, 5, 6), (2, 1)),
    ((4, 3, 5), (4, 6, 3), (1, 2)),
    ((4, 3, 5), (4, 5), (2, 1)),
    ((4, 5), (4, 5, 6), (1, 1)),
    ((4, 2, 3, 5), (4, 5, 7), (3, 1)),
]


@pytest.mark.parametrize("shape1,shape2,axes,normalize",
                         [c + (False,) for c in DOT_CASES]
                         + [c + (True,) for c in DOT_CASES[::2]])
def test_dot_matches_keras(shape1, shape2, axes, normalize, keras_oracle):
    x, y = rand(*shape1), rand(*shape2)
    layer = layers.Dot(axes=axes, normalize=normalize)
    ours = to_np(layer([x, y]))
    theirs = np.asarray(keras_oracle.layers.Dot(axes=axes, normalize=normalize)([x, y]))
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    assert layer.compute_output_shape([shape1, shape2]) == ours.shape
    sym = layers.Dot(axes=axes)([S((None,) + shape1[1:]), S((None,) + shape2[1:])])
    assert sym.shape == (None,) + ours.shape[1:]


def test_dot_numpy_reference_and_functional_form():
    x, y = rand(3, 4), rand(3, 4)
    np.testing.assert_allclose(to_np(layers.dot([x, y], axes=1)),
                               np.sum(x * y, axis=1, keepdims=True), atol=1e-6)
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    yn = y / np.linalg.norm(y, axis=1, keepdims=True)
    np.testing.assert_allclose(to_np(layers.dot([x, y], axes=1, normalize=True)),
                               np.sum(xn * yn, axis=1, keepdims=True), atol=1e-5)
    a, b = rand(2, 3, 4), rand(2, 4, 5)
    np.testing.assert_allclose(to_np(layers.Dot(axes=(2, 1))([a, b])), a @ b, atol=1e-5)


def test_dot_errors_and_config():
    with pytest.raises(ValueError, match=r'"dot_bad".*\(None, 3\).*\(None, 4\)'):
        layers.Dot(axes=1, name="dot_bad")([S((None, 3)), S((None, 4))])
    with pytest.raises(ValueError, match="batch axis"):
        layers.Dot(axes=0)([S((None, 3)), S((None, 3))])
    with pytest.raises(ValueError, match="exactly 2"):
        layers.Dot(axes=1)([S((None, 3))] * 3)
    with pytest.raises(ValueError, match="pair"):
        layers.Dot(axes=(1, 2, 3))
    with pytest.raises(TypeError):
        layers.Dot(axes="1")
    layer = layers.Dot(axes=(1, 2), normalize=True, name="d")
    config = layer.get_config()
    json.dumps(config)
    assert config["axes"] == [1, 2] and config["normalize"] is True
    clone = layers.Dot.from_config(config)
    assert clone.axes == (1, 2) and clone.get_config() == config


def test_merge_configs_round_trip():
    for cls in (layers.Add, layers.Subtract, layers.Multiply, layers.Average,
                layers.Maximum, layers.Minimum):
        layer = cls(name=f"m_{cls.__name__.lower()}")
        config = layer.get_config()
        json.dumps(config)
        assert cls.from_config(config).get_config() == config


def test_functional_forms_create_layers():
    a, b = S((None, 4)), S((None, 4))
    out = layers.add([a, b])
    layer = out._history[0]
    assert isinstance(layer, layers.Add) and layer._inbound_nodes[0].input_tensors == [a, b]
    out = layers.concatenate([a, b], axis=-1, name="joined")
    assert out._history[0].name == "joined" and out.shape == (None, 8)
    assert isinstance(layers.dot([a, b], axes=1)._history[0], layers.Dot)


def test_merge_shape_errors_name_the_inputs():
    # The clashing inputs by position, and in a graph by the layer that made each.
    a, b = layerkit.Input((3,)), layerkit.Input((4,))
    x = layers.Dense(3, name="left_dense")(a)
    y = layers.Dense(4, name="right_dense")(b)
    with pytest.raises(ValueError, match=r'"add_named".*input 0 \(from layer "left_dense"\) '
                                         r'of shape \(None, 3\) and input 2 \(from layer '
                                         r'"right_dense"\) of shape \(None, 4\)'):
        layers.Add(name="add_named")([x, x, y])
    with pytest.raises(ValueError, match=r'"mul_pos".*input 1 of shape \(2, 5\)'):
        layers.Multiply(name="mul_pos")([rand(2, 3), rand(2, 5)])
    with pytest.raises(ValueError, match=r'"cat_named".*input 0 \(from layer "left_dense"\).*'
                                         r'input 1 \(from layer "right_dense"\).*axis 1'):
        layers.Concatenate(axis=0, name="cat_named")([x, y])
    with pytest.raises(ValueError, match=r'"dot_named".*input 1 \(from layer "right_dense"\)'):
        layers.Dot(axes=1, name="dot_named")([x, y])
