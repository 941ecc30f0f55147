"""Activations: values against the real Keras and numpy formulas, lookup, serialization."""
import math
import warnings

import numpy as np
import pytest

from layerkit import activations, ops

RNG = np.random.default_rng(2)
X = (3.0 * RNG.normal(size=(3, 4, 6))).astype("float32")
X[0, 0, :4] = [-1.0, 0.0, 1.0, 0.5]  # hit the kinks exactly


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


NAMES = ["linear", "relu", "leaky_relu", "relu6", "sigmoid", "hard_sigmoid", "hard_silu",
         "log_sigmoid", "softmax", "log_softmax", "tanh", "elu", "selu", "celu", "softplus",
         "softsign", "silu", "swish", "gelu", "exponential", "mish", "glu", "hard_tanh",
         "tanh_shrink", "soft_shrink", "hard_shrink", "squareplus", "sparse_plus",
         "sparse_sigmoid", "sparsemax", "hard_swish"]


# Keras 3.15's sparsemax computes its threshold from the sum of the partial sums (wrong
# once two or more entries are in the support); it is checked against numpy below.
@pytest.mark.parametrize("name", [n for n in NAMES if n != "sparsemax"])
def test_every_named_activation_matches_keras(keras_oracle, name):
    ours = _np(activations.get(name)(X))
    theirs = np.asarray(keras_oracle.activations.get(name)(X))
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("kwargs", [
    {}, {"negative_slope": 0.1}, {"max_value": 6.0}, {"max_value": 2.5}, {"threshold": 0.7},
    {"negative_slope": 0.2, "max_value": 3.0}, {"negative_slope": 0.3, "threshold": -0.5},
    {"negative_slope": 0.1, "max_value": 4.0, "threshold": 1.0}])
def test_relu_arguments_match_keras(keras_oracle, kwargs):
    np.testing.assert_allclose(_np(activations.relu(X, **kwargs)),
                               np.asarray(keras_oracle.activations.relu(X, **kwargs)),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("fn,kwargs", [
    ("elu", {"alpha": 0.4}), ("leaky_relu", {"negative_slope": 0.05}), ("gelu", {"approximate": True}),
    ("softmax", {"axis": 1}), ("softmax", {"axis": (1, 2)}), ("log_softmax", {"axis": 0}),
    ("celu", {"alpha": 2.0}), ("soft_shrink", {"threshold": 1.0}), ("squareplus", {"b": 1.0}),
    ("glu", {"axis": 1})])
def test_keyword_arguments_match_keras(keras_oracle, fn, kwargs):
    x = X[:, :, :4] if fn == "glu" else X
    np.testing.assert_allclose(_np(getattr(activations, fn)(x, **kwargs)),
                               np.asarray(getattr(keras_oracle.activations, fn)(x, **kwargs)),
                               rtol=2e-5, atol=2e-6)


def test_formulas_against_numpy():
    x = X.astype("float64")
    np.testing.assert_allclose(_np(activations.sigmoid(X)), 1 / (1 + np.exp(-x)), rtol=1e-5)
    np.testing.assert_allclose(_np(activations.hard_sigmoid(X)), np.clip(x + 3, 0, 6) / 6, rtol=1e-6)
    np.testing.assert_allclose(_np(activations.elu(X, 0.5)), np.where(x > 0, x, 0.5 * np.expm1(x)),
                               rtol=1e-5, atol=1e-7)
    erf = np.vectorize(math.erf)
    np.testing.assert_allclose(_np(activations.gelu(X)), 0.5 * x * (1 + erf(x / math.sqrt(2))),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(activations.mish(X)), x * np.tanh(np.log1p(np.exp(x))),
                               rtol=1e-5, atol=1e-6)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    np.testing.assert_allclose(_np(activations.softmax(X)), e / e.sum(-1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(_np(activations.relu(X, max_value=1.0)), np.clip(x, 0, 1))
    assert activations.linear(X) is X


def _sparsemax_reference(v):
    z = np.sort(v)[::-1]
    k = np.arange(1, len(v) + 1)
    cums = np.cumsum(z)
    k_max = k[1 + k * z > cums].max()
    tau = (cums[k_max - 1] - 1) / k_max
    return np.maximum(v - tau, 0)


def test_sparsemax_is_the_projection_onto_the_simplex():
    for axis in (-1,):
        out = _np(activations.sparsemax(X, axis=axis))
        moved = np.moveaxis(X, axis, -1).reshape(-1, X.shape[axis])
        expected = np.stack([_sparsemax_reference(r) for r in moved.astype("float64")])
        expected = np.moveaxis(expected.reshape(np.moveaxis(X, axis, -1).shape), -1, axis)
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(out.sum(axis=axis), 1.0, rtol=1e-5)
    np.testing.assert_allclose(_np(activations.sparsemax(np.array([0.5, 1.0, 1.2], "float32"))),
                               [0.0, 0.4, 0.6], atol=1e-6)


def test_softmax_on_a_rank1_input_normalizes_the_vector(keras_oracle):
    v = np.array([-1.0, 0.0, 1.0], "float32")
    out = _np(activations.softmax(v))
    np.testing.assert_allclose(out, [0.09003057, 0.24472847, 0.66524096], rtol=1e-6)
    np.testing.assert_allclose(out, np.asarray(keras_oracle.activations.softmax(v)), rtol=1e-6)


def test_softmax_over_a_size_one_axis_warns():
    with pytest.warns(UserWarning, match="size 1"):
        out = activations.softmax(np.ones((4, 1), "float32"))
    np.testing.assert_array_equal(_np(out), np.ones((4, 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        activations.softmax(np.ones((4, 3), "float32"))


def test_softmax_tuple_axis_sums_to_one_over_those_axes():
    out = _np(activations.softmax(X, axis=(0, 2)))
    np.testing.assert_allclose(out.sum(axis=(0, 2)), np.ones(4), rtol=1e-5)


def test_get_none_string_callable():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    fn = lambda x: x * 2  # noqa: E731
    assert activations.get(fn) is fn


def test_unknown_names_raise_value_error_naming_them_and_listing_valid_ones():
    with pytest.raises(ValueError, match="rleu") as e:
        activations.get("rleu")
    assert "relu" in str(e.value) and "softmax" in str(e.value)
    with pytest.raises(ValueError):
        activations.get(12)


def test_serialize_and_deserialize():
    assert activations.serialize(activations.relu) == "relu"
    assert activations.serialize(activations.swish) == "silu"
    assert activations.serialize(None) == "linear"
    for name in NAMES:
        fn = activations.deserialize(name)
        assert activations.deserialize(activations.serialize(fn)) is fn
    # Keras 3's dict form for a function
    keras_form = {"module": "builtins", "class_name": "function", "config": "tanh",
                  "registered_name": "function"}
    assert activations.get(keras_form) is activations.tanh
    custom = lambda x: x  # noqa: E731
    assert activations.deserialize("mine", custom_objects={"mine": custom}) is custom


def test_serialize_matches_keras(keras_oracle):
    for name in ("relu", "softmax", "gelu", "sigmoid", "linear"):
        assert activations.serialize(activations.get(name)) == \
            keras_oracle.activations.serialize(keras_oracle.activations.get(name))


def test_registered_custom_activation_round_trips():
    from layerkit.saving import register_keras_serializable

    @register_keras_serializable(package="lktest")
    def doubled(x):
        return x * 2

    name = activations.serialize(doubled)
    assert name == "lktest>doubled"
    assert activations.get(name) is doubled
