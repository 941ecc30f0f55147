"""Constraints: projections against numpy formulas and the real Keras, lookup, configs."""
import numpy as np
import pytest

from layerkit import engine, constraints, ops

RNG = np.random.default_rng(1)
W = (3.0 * RNG.normal(size=(4, 5))).astype("float32")
K4 = RNG.normal(size=(3, 3, 2, 4)).astype("float32")
EPS = 1e-7


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def test_max_norm_matches_numpy():
    norms = np.sqrt((W ** 2).sum(axis=0, keepdims=True))
    expected = W * (np.clip(norms, 0, 2.0) / (EPS + norms))
    np.testing.assert_allclose(_np(constraints.MaxNorm()(W)), expected, rtol=1e-6)
    out = _np(constraints.MaxNorm(1.5, axis=1)(W))
    assert np.sqrt((out ** 2).sum(axis=1)).max() == pytest.approx(1.5, rel=1e-5)


def test_non_neg_unit_norm_min_max_norm_match_numpy():
    np.testing.assert_array_equal(_np(constraints.NonNeg()(W)), np.where(W >= 0, W, 0))
    unit = _np(constraints.UnitNorm(axis=0)(W))
    np.testing.assert_allclose(np.sqrt((unit ** 2).sum(axis=0)), np.ones(5), rtol=1e-5)
    norms = np.sqrt((K4 ** 2).sum(axis=(0, 1, 2), keepdims=True))
    desired = 0.3 * np.clip(norms, 1.0, 2.0) + 0.7 * norms
    np.testing.assert_allclose(
        _np(constraints.MinMaxNorm(1.0, 2.0, rate=0.3, axis=[0, 1, 2])(K4)),
        K4 * desired / (EPS + norms), rtol=1e-5)


def test_works_on_variables():
    v = engine.Variable(W, dtype="float32")
    np.testing.assert_array_equal(_np(constraints.NonNeg()(v)), np.where(W >= 0, W, 0))


@pytest.mark.parametrize("make,x", [
    (lambda m: m.MaxNorm(), W), (lambda m: m.MaxNorm(1.0, axis=1), W),
    (lambda m: m.MaxNorm(0.5, axis=[0, 1, 2]), K4), (lambda m: m.NonNeg(), W),
    (lambda m: m.UnitNorm(), W), (lambda m: m.UnitNorm(axis=-1), K4),
    (lambda m: m.MinMaxNorm(), W), (lambda m: m.MinMaxNorm(0.5, 3.0, 0.5, axis=1), W)])
def test_values_match_keras(keras_oracle, make, x):
    np.testing.assert_allclose(_np(make(constraints)(x)), np.asarray(make(keras_oracle.constraints)(x)),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["max_norm", "non_neg", "unit_norm", "min_max_norm",
                                  "MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm"])
def test_lookup_and_configs_match_keras(keras_oracle, name):
    ours, theirs = constraints.get(name), keras_oracle.constraints.get(name)
    assert constraints.serialize(ours) == keras_oracle.constraints.serialize(theirs)


def test_get_serialize_and_aliases():
    assert constraints.get(None) is None
    c = constraints.MaxNorm(3, axis=[0, 1])
    assert constraints.get(c) is c
    assert constraints.max_norm is constraints.MaxNorm
    assert isinstance(constraints.get("maxnorm"), constraints.MaxNorm)  # Keras 1/2 spelling
    config = constraints.serialize(c)
    assert config["config"] == {"max_value": 3, "axis": [0, 1]}
    back = constraints.get(config)
    np.testing.assert_allclose(_np(back(K4)), _np(c(K4)))
    fn = lambda w: w  # noqa: E731
    assert constraints.get(fn) is fn


def test_unknown_names_raise_value_error_naming_them():
    with pytest.raises(ValueError, match="max_nrom") as e:
        constraints.get("max_nrom")
    assert "max_norm" in str(e.value)
    with pytest.raises(ValueError):
        constraints.get(1.0)
