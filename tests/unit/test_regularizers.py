"""Regularizers: penalties against numpy formulas and the real Keras, lookup, configs."""
import numpy as np
import pytest

from layerkit import engine, ops, regularizers

RNG = np.random.default_rng(0)
W = RNG.normal(size=(5, 4)).astype("float32")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def test_l1_l2_l1l2_match_numpy():
    np.testing.assert_allclose(_np(regularizers.L1(0.3)(W)), 0.3 * np.abs(W).sum(), rtol=1e-6)
    np.testing.assert_allclose(_np(regularizers.L2(0.2)(W)), 0.2 * np.square(W).sum(), rtol=1e-6)
    np.testing.assert_allclose(_np(regularizers.L1L2(0.1, 0.4)(W)),
                               0.1 * np.abs(W).sum() + 0.4 * np.square(W).sum(), rtol=1e-6)
    out = regularizers.L2(0.2)(W)
    assert _np(out).shape == () and ops.dtype(out) == "float32"


def test_defaults_follow_keras3_and_l1_l2_follows_keras2():
    assert regularizers.L1().l1 == 0.01 and regularizers.l1().l1 == 0.01
    assert regularizers.L2().l2 == 0.01 and regularizers.l2().l2 == 0.01
    assert (regularizers.L1L2().l1, regularizers.L1L2().l2) == (0.0, 0.0)
    assert (regularizers.l1_l2().l1, regularizers.l1_l2().l2) == (0.01, 0.01)
    assert regularizers.l2(0.5).l2 == 0.5
    assert regularizers.L2(l=0.3).l2 == 0.3  # Keras 2's keyword
    assert _np(regularizers.L1L2()(W)) == 0.0


def test_invalid_factors_raise():
    for bad in (-0.1, float("nan"), float("inf"), "big"):
        with pytest.raises(ValueError, match="l2"):
            regularizers.L2(bad)


def test_works_on_variables():
    v = engine.Variable(W, dtype="float32")
    np.testing.assert_allclose(_np(regularizers.L2(0.5)(v)), 0.5 * np.square(W).sum(), rtol=1e-6)


def test_orthogonal_regularizer():
    q, _ = np.linalg.qr(RNG.normal(size=(6, 6)))
    assert abs(float(_np(regularizers.OrthogonalRegularizer(1.0)(q.astype("float32"))))) < 1e-5
    with pytest.raises(ValueError, match="2-D"):
        regularizers.OrthogonalRegularizer()(np.ones((2, 2, 2), "float32"))
    with pytest.raises(ValueError, match="mode"):
        regularizers.OrthogonalRegularizer(mode="diagonal")


@pytest.mark.parametrize("make", [
    lambda m: m.L1(0.3), lambda m: m.L1L2(l1=0.2, l2=0.05),
    lambda m: m.OrthogonalRegularizer(0.5, "rows"),
    lambda m: m.OrthogonalRegularizer(0.5, "columns")])
def test_values_match_keras(keras_oracle, make):
    ours = _np(make(regularizers)(W))
    theirs = np.asarray(make(keras_oracle.regularizers)(keras_oracle.ops.convert_to_tensor(W)))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", ["l1", "l2", "L1", "L2", "L1L2", "OrthogonalRegularizer"])
def test_string_lookup_matches_keras(keras_oracle, name):
    ours = regularizers.get(name)
    theirs = keras_oracle.regularizers.get(name)
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.get_config().keys() == theirs.get_config().keys()
    # Keras's serialized form loads here with the same numbers.
    loaded = regularizers.deserialize(keras_oracle.regularizers.serialize(theirs))
    np.testing.assert_allclose(_np(loaded(W)), np.asarray(theirs(W)), rtol=1e-5)


def test_get_and_serialize():
    assert regularizers.get(None) is None
    reg = regularizers.L2(0.3)
    assert regularizers.get(reg) is reg
    assert isinstance(regularizers.get("l1_l2"), regularizers.L1L2)
    assert isinstance(regularizers.get(regularizers.L1), regularizers.L1)
    fn = lambda x: ops.sum(x)  # noqa: E731
    assert regularizers.get(fn) is fn
    config = regularizers.serialize(regularizers.L1L2(0.1, 0.2))
    assert config == {"module": "keras.regularizers", "class_name": "L1L2",
                      "config": {"l1": 0.1, "l2": 0.2}, "registered_name": None}
    back = regularizers.get(config)
    assert isinstance(back, regularizers.L1L2) and (back.l1, back.l2) == (0.1, 0.2)
    legacy = regularizers.deserialize({"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.01}})
    assert legacy.l2 == 0.01


def test_unknown_names_raise_value_error_naming_them():
    with pytest.raises(ValueError, match="l3") as e:
        regularizers.get("l3")
    assert "l1_l2" in str(e.value)
    with pytest.raises(ValueError):
        regularizers.get(42)


def test_custom_subclass_round_trip():
    class Scaled(regularizers.Regularizer):
        def __init__(self, k=1.0):
            self.k = k

        def __call__(self, x):
            return self.k * ops.sum(x)

        def get_config(self):
            return {"k": self.k}

    config = regularizers.serialize(Scaled(3.0))
    back = regularizers.deserialize(config, custom_objects={"Scaled": Scaled})
    assert back.k == 3.0
    np.testing.assert_allclose(_np(back(W)), 3.0 * W.sum(), rtol=1e-5)
