"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector."""
import json

import numpy as np
import pytest

from layerkit import engine, layers
from layerkit.engine.common.symbolic_tensor import SymbolicTensor


def to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


def rand(*shape):
    return np.random.uniform(-1, 1, size=shape).astype("float32")


def check_config(layer):
    config = layer.get_config()
    json.dumps(config)
    clone = type(layer).from_config(json.loads(json.dumps(config)))
    assert clone.get_config() == config
    return clone


def test_flatten(keras_oracle):
    x = rand(2, 3, 4, 5)
    layer = layers.Flatten()
    y = to_np(layer(x))
    np.testing.assert_array_equal(y, x.reshape(2, -1))
    assert layer.compute_output_shape(x.shape) == y.shape
    np.testing.assert_array_equal(y, np.asarray(keras_oracle.layers.Flatten()(x)))
    cf = layers.Flatten(data_format="channels_first")
    y_cf = to_np(cf(x))
    np.testing.assert_array_equal(y_cf, x.transpose(0, 2, 3, 1).reshape(2, -1))
    theirs = keras_oracle.layers.Flatten(data_format="channels_first")(x)
    np.testing.assert_array_equal(y_cf, np.asarray(theirs))
    assert to_np(layers.Flatten()(np.arange(3.0))).shape == (3, 1)
    assert layers.Flatten()(SymbolicTensor((None, 3, 4))).shape == (None, 12)
    assert layers.Flatten()(SymbolicTensor((None, None, 4))).shape == (None, None)
    ints = layers.Flatten()(SymbolicTensor((None, 2, 2), dtype="int32"))
    assert ints.dtype == "int32"
    assert check_config(cf).data_format == "channels_first"
    with pytest.raises(ValueError, match="data_format"):
        layers.Flatten(data_format="nhwc")


def test_reshape(keras_oracle):
    x = rand(2, 12)
    layer = layers.Reshape((3, -1))
    y = to_np(layer(x))
    np.testing.assert_array_equal(y, x.reshape(2, 3, 4))
    np.testing.assert_array_equal(y, np.asarray(keras_oracle.layers.Reshape((3, -1))(x)))
    assert layers.Reshape((2, 6))(SymbolicTensor((None, 12))).shape == (None, 2, 6)
    assert layers.Reshape((-1, 2))(SymbolicTensor((None, 3, 4))).shape == (None, 6, 2)
    assert layers.Reshape((-1, 2))(SymbolicTensor((None, None, 4))).shape == (None, None, 2)
    assert layers.Reshape((4, 3)).compute_output_shape((5, 12)) == (5, 4, 3)
    clone = check_config(layers.Reshape((3, -1), name="rs"))
    assert clone.target_shape == (3, -1)


def test_reshape_errors_name_the_layer():
    with pytest.raises(ValueError, match=r'"bad_reshape".*\(None, 10\).*\(3, 4\)'):
        layers.Reshape((3, 4), name="bad_reshape")(SymbolicTensor((None, 10)))
    with pytest.raises(ValueError, match="bad_minus"):
        layers.Reshape((3, -1), name="bad_minus")(rand(2, 10))
    with pytest.raises(ValueError, match="at most one -1"):
        layers.Reshape((-1, -1))


def test_permute(keras_oracle):
    x = rand(2, 3, 4, 5)
    layer = layers.Permute((3, 1, 2))
    y = to_np(layer(x))
    np.testing.assert_array_equal(y, x.transpose(0, 3, 1, 2))
    np.testing.assert_array_equal(y, np.asarray(keras_oracle.layers.Permute((3, 1, 2))(x)))
    assert layer.compute_output_shape((None, 3, 4, 5)) == (None, 5, 3, 4)
    assert layers.Permute((2, 1))(SymbolicTensor((None, 7, 9))).shape == (None, 9, 7)
    with pytest.raises(ValueError, match="permutation"):
        layers.Permute((0, 1))
    with pytest.raises(ValueError, match="ndim=3"):
        layers.Permute((2, 1), name="p")(rand(2, 3))
    assert check_config(layers.Permute((2, 1))).dims == (2, 1)


def test_repeat_vector(keras_oracle):
    x = rand(2, 3)
    layer = layers.RepeatVector(4)
    y = to_np(layer(x))
    assert y.shape == (2, 4, 3)
    np.testing.assert_array_equal(y, np.repeat(x[:, None, :], 4, axis=1))
    np.testing.assert_array_equal(y, np.asarray(keras_oracle.layers.RepeatVector(4)(x)))
    assert layers.RepeatVector(5)(SymbolicTensor((None, 8))).shape == (None, 5, 8)
    with pytest.raises(ValueError, match="ndim=2"):
        layers.RepeatVector(2)(rand(2, 3, 4))
    with pytest.raises(TypeError):
        layers.RepeatVector(2.5)
    assert check_config(layers.RepeatVector(3)).n == 3
