"""convert_to_tensor's default dtypes (engine/common/dtypes.py `default_dtype`, one
table for both engines), checked against real Keras 3's keras.ops.convert_to_tensor."""
import numpy as np
import pytest

from layerkit import engine, ops
from layerkit.engine.common.dtypes import default_dtype

# Values whose dtype Keras 3 decides the same way on every backend.
SAME_AS_KERAS = {
    "python float": 1.5,
    "python int": 3,
    "python bool": True,
    "float list": [1.0, 2.0],
    "int list": [1, 2],
    "int and float list": [1, 2.5],
    "nested list with a float": [[1, 2], [3.0, 4]],
    "nested tuple with a float": ((1,), (2.0,)),
    "bool list": [True, False],
    "bool and int list": [True, 2],
    "int tuple": (1, 2),
    "empty list": [],
    "float64 array": np.zeros(2),
    "float32 array": np.zeros(2, np.float32),
    "float16 array": np.zeros(2, np.float16),
    "int32 array": np.zeros(2, np.int32),
    "uint8 array": np.zeros(2, np.uint8),
    "bool array": np.zeros(2, bool),
    "float64 numpy scalar": np.float64(1.0),
    "list of float64 numpy scalars": [np.float64(1.0), np.float64(2.0)],
    "list of float64 arrays": [np.zeros(2), np.ones(2)],
}


@pytest.mark.parametrize("name", sorted(SAME_AS_KERAS))
def test_default_dtype_matches_keras(keras_oracle, name):
    value = SAME_AS_KERAS[name]
    expected = keras_oracle.backend.standardize_dtype(
        keras_oracle.ops.convert_to_tensor(value).dtype)
    assert ops.dtype(ops.convert_to_tensor(value)) == expected
    assert engine.standardize_dtype(engine.convert_to_tensor(value).dtype) == expected


@pytest.mark.parametrize("value", [np.zeros(2, np.int64), np.int64(2)])
def test_int64_numpy_values_keep_the_engines_widest_int(value):
    # Keras too: int64 on torch, int32 on JAX without x64 (its oracle here).
    assert ops.dtype(ops.convert_to_tensor(value)) == engine.core.default_int_dtype()


@pytest.mark.parametrize("value", [1.5, [1, 2], np.zeros(2), True, [[1.0]]])
@pytest.mark.parametrize("dtype", ["float16", "float64", "int32", "int64"])
def test_an_explicit_dtype_wins(value, dtype):
    if dtype.endswith("64") and engine.backend() == "jax":
        dtype = dtype.replace("64", "32")  # JAX without x64 stores 32 bits
    assert ops.dtype(ops.convert_to_tensor(value, dtype=dtype)) == dtype


def test_default_dtype_table():
    assert default_dtype(2.0) == "float32"
    assert default_dtype(2) == "int32"
    assert default_dtype(False) == "bool"
    assert default_dtype([[1], [2, 3.0]]) == "float32"
    assert default_dtype([[1], [True]]) == "int32"
    assert default_dtype([(True,), [False]]) == "bool"
    assert default_dtype([]) == "float32"
    assert default_dtype(np.zeros(3)) == "float32"
    # The value's own dtype stands: arrays other than float64, items that are arrays.
    assert default_dtype(np.zeros(3, np.int64)) is None
    assert default_dtype(np.zeros(3, np.float16)) is None
    assert default_dtype([np.zeros(2, np.int64)]) is None
    assert default_dtype("text") is None


def test_values_survive_the_conversion():
    np.testing.assert_array_equal(
        ops.convert_to_numpy(ops.convert_to_tensor([[1, 2], [3.5, 4]])),
        np.array([[1, 2], [3.5, 4]], np.float32))
    np.testing.assert_array_equal(
        ops.convert_to_numpy(ops.convert_to_tensor([True, 2])), np.array([1, 2], np.int32))
