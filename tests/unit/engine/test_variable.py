"""The Variable and the stateless scope, on the engine under test."""
import numpy as np
import pytest

from layerkit import engine, ops
from layerkit.engine import StatelessScope


def test_variable_reads_assigns_and_converts():
    v = engine.Variable(np.arange(3, dtype="float32"), name="v")
    assert v.shape == (3,) and v.dtype == "float32"
    v.assign(np.ones(3))
    np.testing.assert_array_equal(v.numpy(), np.ones(3, "float32"))
    v.assign_add(np.ones(3))
    np.testing.assert_array_equal(np.asarray(v), 2 * np.ones(3))
    np.testing.assert_array_equal(engine.convert_to_numpy(v * 2), 4 * np.ones(3))


def test_variable_assign_wrong_shape_names_it():
    v = engine.Variable(np.zeros((2, 2), "float32"), name="kernel")
    with pytest.raises(ValueError, match=r"kernel.*\(2, 2\).*\(3,\)"):
        v.assign(np.zeros(3))


def test_stateless_scope_maps_values_and_records_assignments():
    v = engine.Variable(np.zeros(2, "float32"), name="w")
    with StatelessScope([(v, ops.ones((2,)))]) as scope:
        np.testing.assert_array_equal(engine.convert_to_numpy(v.value), np.ones(2))
        v.assign(np.full(2, 5.0, "float32"))
        np.testing.assert_array_equal(engine.convert_to_numpy(v.value), np.full(2, 5.0))
    np.testing.assert_array_equal(v.numpy(), np.zeros(2))
    np.testing.assert_array_equal(engine.convert_to_numpy(scope.get_current_value(v)),
                                  np.full(2, 5.0))


def test_callable_initializer_needs_shape():
    with pytest.raises(ValueError, match="shape"):
        engine.Variable(lambda shape, dtype=None: np.zeros(shape))
