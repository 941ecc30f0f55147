"""The numpy-style ops added for Keras 3 parity: diagonal, trace, meshgrid,
nonzero, quantile, unique, empty, copy, conj, real, imag, logaddexp.

Values are checked against numpy itself (an independent reference); where
numpy has no counterpart (unique's `size`), against values read from the real
keras.ops on JAX. None of these tests needs Keras installed.
"""
import numpy as np
import pytest

from layerkit import ops

RNG = np.random.default_rng(11)


def to_np(x):
    return np.asarray(ops.convert_to_numpy(x))


def dtype_of(x):
    return ops.dtype(x)


@pytest.mark.parametrize("offset,axis1,axis2", [(0, 0, 1), (1, 0, 1), (-1, 0, 1), (0, 1, 2),
                                                (1, 2, 0)])
def test_diagonal_and_trace_match_numpy(offset, axis1, axis2):
    x = RNG.normal(size=(4, 5, 3)).astype("float32")
    np.testing.assert_allclose(to_np(ops.diagonal(x, offset, axis1, axis2)),
                               np.diagonal(x, offset, axis1, axis2))
    np.testing.assert_allclose(to_np(ops.trace(x, offset, axis1, axis2)),
                               np.trace(x, offset, axis1, axis2), rtol=1e-6, atol=1e-6)


def test_trace_of_ints_and_bools_sums_as_int32():
    x = np.arange(9, dtype="int32").reshape(3, 3)
    assert to_np(ops.trace(x)) == 12
    assert dtype_of(ops.trace(x)) == "int32"
    assert dtype_of(ops.trace(x > 3)) == "int32"
    assert to_np(ops.trace(x.astype("int8"))) == 12
    assert to_np(ops.trace(x.astype("float32"))) == 12.0


@pytest.mark.parametrize("indexing", ["xy", "ij"])
def test_meshgrid_matches_numpy(indexing):
    a, b = np.arange(3, dtype="int32"), np.arange(4, dtype="float32")
    c = np.arange(2, dtype="int32")
    ours = ops.meshgrid(a, b, c, indexing=indexing)
    theirs = np.meshgrid(a, b, c, indexing=indexing)
    assert len(ours) == 3
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(to_np(o), t)
        assert dtype_of(o) == str(t.dtype)


def test_nonzero_matches_numpy():
    x = np.array([[0, 3, 0], [1, 0, 2]], dtype="float32")
    ours = ops.nonzero(x)
    assert isinstance(ours, tuple) and len(ours) == 2
    for o, t in zip(ours, np.nonzero(x)):
        np.testing.assert_array_equal(to_np(o), t)
        assert dtype_of(o) == "int32"


# Every method, every kind of axis and both keepdims, in few cases (each
# distinct call compiles on JAX).
QUANTILE_CASES = [("linear", 1, False), ("lower", 1, False), ("higher", (0, 2), True),
                  ("midpoint", -1, False), ("nearest", None, True), ("linear", None, False)]


@pytest.mark.parametrize("method,axis,keepdims", QUANTILE_CASES)
def test_quantile_matches_numpy(method, axis, keepdims):
    x = RNG.normal(size=(3, 5, 4)).astype("float32")
    qs = [[0.0, 0.25, 0.9, 1.0]] + ([0.3] if method == "linear" else [])
    for q in qs:
        ours = to_np(ops.quantile(x, q, axis=axis, method=method, keepdims=keepdims))
        theirs = np.quantile(x, q, axis=axis, method=method, keepdims=keepdims)
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_quantile_of_ints_is_float32():
    out = ops.quantile(np.array([1, 2, 3, 4], dtype="int32"), 0.5)
    assert dtype_of(out) == "float32"
    assert to_np(out) == 2.5


def test_unique_matches_numpy():
    x = np.array([[3, 1, 2], [1, 3, 5]], dtype="int32")
    np.testing.assert_array_equal(to_np(ops.unique(x)), np.unique(x))
    values, index, inverse, counts = ops.unique(x, return_index=True, return_inverse=True,
                                                return_counts=True)
    t_values, t_index, t_inverse, t_counts = np.unique(x, return_index=True,
                                                       return_inverse=True,
                                                       return_counts=True)
    np.testing.assert_array_equal(to_np(values), t_values)
    np.testing.assert_array_equal(to_np(index), t_index)
    np.testing.assert_array_equal(to_np(inverse).reshape(-1), t_inverse.reshape(-1))
    np.testing.assert_array_equal(to_np(counts), t_counts)
    # The values rebuilt from the inverse are the input.
    np.testing.assert_array_equal(to_np(values)[to_np(inverse)].reshape(x.shape), x)


def test_unique_along_an_axis_matches_numpy():
    x = np.array([[1, 2], [0, 5], [1, 2], [0, 5], [7, 7]], dtype="float32")
    values, inverse, counts = ops.unique(x, axis=0, return_inverse=True, return_counts=True)
    t_values, t_inverse, t_counts = np.unique(x, axis=0, return_inverse=True,
                                              return_counts=True)
    np.testing.assert_array_equal(to_np(values), t_values)
    np.testing.assert_array_equal(to_np(inverse).reshape(-1), t_inverse.reshape(-1))
    np.testing.assert_array_equal(to_np(counts), t_counts)


def test_unique_with_size_pads_and_cuts_like_keras():
    # Expected values are what keras.ops.unique (JAX, Keras 3.15) returns.
    x = np.array([3, 1, 3, 2], dtype="int32")
    kwargs = dict(return_index=True, return_inverse=True, return_counts=True)
    values, index, inverse, counts = ops.unique(x, size=6, **kwargs)
    np.testing.assert_array_equal(to_np(values), [1, 2, 3, 1, 1, 1])
    np.testing.assert_array_equal(to_np(index), [1, 3, 0, 1, 1, 1])
    np.testing.assert_array_equal(to_np(inverse), [2, 0, 2, 1])
    np.testing.assert_array_equal(to_np(counts), [1, 1, 2, 0, 0, 0])
    values, index, inverse, counts = ops.unique(x, size=2, **kwargs)
    np.testing.assert_array_equal(to_np(values), [1, 2])
    np.testing.assert_array_equal(to_np(index), [1, 3])
    np.testing.assert_array_equal(to_np(counts), [1, 1])
    np.testing.assert_array_equal(to_np(ops.unique(x, size=5, fill_value=-1)),
                                  [1, 2, 3, -1, -1])
    x2 = np.array([[1, 2], [1, 2], [0, 5]], dtype="int32")
    values, index, counts = ops.unique(x2, axis=0, size=4, fill_value=9, return_index=True,
                                       return_counts=True)
    np.testing.assert_array_equal(to_np(values), [[0, 5], [1, 2], [9, 9], [9, 9]])
    np.testing.assert_array_equal(to_np(index), [2, 0, 2, 2])
    np.testing.assert_array_equal(to_np(counts), [1, 2, 0, 0])
    assert dtype_of(index) == "int32" and dtype_of(counts) == "int32"


def test_empty_and_copy():
    e = ops.empty((2, 3))
    assert tuple(e.shape) == (2, 3) and dtype_of(e) == "float32"
    assert dtype_of(ops.empty(4, dtype="int32")) == "int32"
    x = ops.convert_to_tensor(np.arange(4.0, dtype="float32"))
    y = ops.copy(x)
    assert y is not x
    np.testing.assert_array_equal(to_np(y), [0, 1, 2, 3])
    np.testing.assert_array_equal(to_np(ops.copy(np.arange(3))), [0, 1, 2])


def test_conj_real_imag():
    z = np.array([1 + 2j, -3.5 - 1j, 0.5j], dtype="complex64")
    np.testing.assert_array_equal(to_np(ops.conj(z)), np.conj(z))
    np.testing.assert_array_equal(to_np(ops.real(z)), z.real)
    np.testing.assert_array_equal(to_np(ops.imag(z)), z.imag)
    r = np.array([1.0, -2.0], dtype="float32")
    np.testing.assert_array_equal(to_np(ops.conj(r)), r)
    np.testing.assert_array_equal(to_np(ops.real(r)), r)
    np.testing.assert_array_equal(to_np(ops.imag(r)), [0.0, 0.0])
    assert dtype_of(ops.imag(r)) == "float32"


def test_logaddexp_matches_numpy_and_does_not_overflow():
    a = np.array([0.0, 1.0, -50.0, 800.0, -np.inf], dtype="float32")
    b = np.array([0.0, 2.0, -51.0, 800.0, 3.0], dtype="float32")
    np.testing.assert_allclose(to_np(ops.logaddexp(a, b)), np.logaddexp(a, b), rtol=1e-6)
    ints = ops.logaddexp(np.array([1, 2], dtype="int32"), np.array([3, 4], dtype="int32"))
    assert dtype_of(ints) == "float32"
    np.testing.assert_allclose(to_np(ints), np.logaddexp([1.0, 2.0], [3.0, 4.0]), rtol=1e-6)


def test_the_new_names_are_exported():
    for name in ("diagonal", "trace", "meshgrid", "nonzero", "quantile", "unique", "empty",
                 "copy", "conj", "real", "imag", "logaddexp", "conv", "depthwise_conv",
                 "separable_conv", "conv_transpose", "max_pool", "average_pool"):
        assert callable(getattr(ops, name)), name
    assert "conv" in ops.nn.__all__ and "average_pool" in ops.nn.__all__
    assert "quantile" in ops.numpy.__all__


@pytest.mark.parametrize("fn", ["maximum", "minimum"])
def test_extremum_against_a_python_number_keeps_numpy_promotion(fn):
    ints = ops.convert_to_tensor(np.array([1, 5, -2], dtype="int32"))
    floats = ops.convert_to_tensor(np.array([np.nan, 1.0, -3.0], dtype="float32"))
    reference = getattr(np, fn)
    assert dtype_of(getattr(ops, fn)(ints, 2)) == "int32"
    assert dtype_of(getattr(ops, fn)(ints, 0.5)) == "float32"
    np.testing.assert_array_equal(to_np(getattr(ops, fn)(ints, 0.5)),
                                  reference(np.array([1, 5, -2], "float32"), 0.5))
    np.testing.assert_array_equal(to_np(getattr(ops, fn)(2, ints)),
                                  reference(2, np.array([1, 5, -2])))
    out = to_np(getattr(ops, fn)(floats, 0.0))
    assert np.isnan(out[0])      # NaN propagates, as in numpy
    np.testing.assert_array_equal(out[1:], reference(np.array([1.0, -3.0], "float32"), 0.0))


@pytest.mark.parametrize("fn", ["equal", "not_equal", "greater", "greater_equal", "less",
                                "less_equal"])
def test_comparisons_against_python_numbers_match_numpy(fn):
    ints = np.array([0, 1, 2], dtype="int32")
    for scalar in (1, 0.5, 1.0):
        np.testing.assert_array_equal(to_np(getattr(ops, fn)(ops.convert_to_tensor(ints), scalar)),
                                      getattr(np, fn)(ints, scalar))
        np.testing.assert_array_equal(to_np(getattr(ops, fn)(scalar, ops.convert_to_tensor(ints))),
                                      getattr(np, fn)(scalar, ints))



@pytest.mark.parametrize("fn", ["mean", "sum"])
def test_reducing_over_no_axis_is_numpys_identity(fn):
    """axis=() reduces nothing, as in numpy and JAX (torch's own dim=() reduces all),
    for a plain array and for a permuted engine tensor (a conv's channels_last output
    on PyTorch)."""
    x = RNG.standard_normal((2, 3, 4)).astype("float32")
    permuted = ops.transpose(ops.convert_to_tensor(x.transpose(0, 2, 1)), (0, 2, 1))
    for value in (x, permuted):
        out = getattr(ops, fn)(value, axis=())
        np.testing.assert_allclose(to_np(out), getattr(np, fn)(x, axis=()), rtol=1e-6)
    counts = ops.sum(np.arange(6, dtype="int8").reshape(2, 3), axis=())
    assert dtype_of(counts) == "int32"
