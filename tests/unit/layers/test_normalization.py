"""LayerNormalization, GroupNormalization and UnitNormalization against the real
Keras 3: outputs and gradients (they behave the same in training and inference),
weights, config and bad input."""
import json
import pathlib
import sys
import warnings

import numpy as np
import pytest

import layerkit
from layerkit import layers

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from keras_state_compare import (assert_config_matches_keras, assert_matches_keras,  # noqa: E402
                           rand, share_weights, to_np)


def _pair(keras, name, input_shape, **kwargs):
    ours, theirs = getattr(layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)
    share_weights(ours, theirs, input_shape)
    return ours, theirs


# --- LayerNormalization -------------------------------------------------------
@pytest.mark.parametrize("shape,axis", [((4, 6), -1), ((2, 3, 5), -1), ((2, 3, 5), [1, 2]),
                                        ((2, 3, 4, 5), [1, 3]), ((2, 3, 4), 1),
                                        ((2, 3, 4, 5), [-1, -2])])
def test_layer_norm_matches_keras(keras_oracle, shape, axis):
    ours, theirs = _pair(keras_oracle, "LayerNormalization", shape, axis=axis, epsilon=1e-2)
    x = rand(*shape) * 2 + 1
    assert_matches_keras(ours, theirs, x, True, atol=2e-5)
    assert ours.axis == theirs.axis   # a sorted list once built, as in Keras


@pytest.mark.parametrize("center,scale", [(False, True), (True, False), (False, False)])
def test_layer_norm_center_scale(keras_oracle, center, scale):
    ours, theirs = _pair(keras_oracle, "LayerNormalization", (3, 4), center=center,
                         scale=scale)
    assert [w.path.split("/")[-1] for w in ours.weights] == \
        [n for n, on in (("gamma", scale), ("beta", center)) if on]
    assert_matches_keras(ours, theirs, rand(3, 4), False)


def test_layer_norm_rms_scaling_as_keras(keras_oracle):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = _pair(keras_oracle, "LayerNormalization", (3, 6), rms_scaling=True)
    assert [w.path.split("/")[-1] for w in ours.weights] == ["gamma"]
    assert_matches_keras(ours, theirs, rand(3, 6) + 0.5, True)
    with pytest.warns(UserWarning, match="deprecated"):
        layers.LayerNormalization(rms_scaling=True)


def test_layer_norm_numpy_reference_and_config(keras_oracle):
    layer = layers.LayerNormalization(axis=(1, 2), epsilon=1e-5, name="ln",
                                      gamma_regularizer="l2", beta_constraint="non_neg")
    x = rand(2, 3, 4)
    y = to_np(layer(x))
    mean, var = x.mean((1, 2), keepdims=True), x.var((1, 2), keepdims=True)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-5), atol=1e-5)
    assert layer.gamma.shape == (3, 4) and layer.count_params() == 24
    theirs = keras_oracle.layers.LayerNormalization(
        axis=(1, 2), epsilon=1e-5, name="ln", gamma_regularizer="l2",
        beta_constraint="non_neg")
    theirs.build((2, 3, 4))
    assert_config_matches_keras(layer, theirs)
    json.dumps(layer.get_config())
    assert layer.compute_mask(x, "m") == "m"
    with pytest.raises(TypeError, match="axis"):
        layers.LayerNormalization(axis="last")
    with pytest.raises(ValueError, match="out of bounds"):
        layers.LayerNormalization(axis=3)(rand(2, 3))


def test_layer_norm_in_a_model_fits_on_both_engines():
    model = layerkit.Sequential([layerkit.Input((5, 4)), layers.LayerNormalization(),
                                 layers.GroupNormalization(groups=2),
                                 layers.UnitNormalization(), layers.Flatten(),
                                 layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    h = model.fit(rand(16, 5, 4), rand(16, 1), epochs=2, batch_size=8, verbose=0)
    assert np.all(np.isfinite(h.history["loss"]))


# --- GroupNormalization ---------------------------------------------------------
@pytest.mark.parametrize("shape,groups,axis", [((2, 8), 4, -1), ((2, 5, 6), 3, -1),
                                               ((2, 3, 3, 4), 2, -1), ((2, 4, 3, 3), 2, 1),
                                               ((2, 5, 6), -1, -1), ((2, 5, 6), 1, -1)])
def test_group_norm_matches_keras(keras_oracle, shape, groups, axis):
    ours, theirs = _pair(keras_oracle, "GroupNormalization", shape, groups=groups, axis=axis)
    assert ours.groups == theirs.groups
    assert_matches_keras(ours, theirs, rand(*shape) * 3, True, atol=2e-5)


def test_group_norm_config_and_errors(keras_oracle):
    # (A string "l1" differs: Keras 3 stores its default factor rounded to float32.)
    kwargs = dict(groups=2, axis=1, epsilon=1e-4, center=False, name="gn")
    assert_config_matches_keras(
        layers.GroupNormalization(gamma_regularizer=layerkit.regularizers.L1(0.5), **kwargs),
        keras_oracle.layers.GroupNormalization(
            gamma_regularizer=keras_oracle.regularizers.L1(0.5), **kwargs))
    with pytest.raises(ValueError, match="groups"):
        layers.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match="multiple of `groups`"):
        layers.GroupNormalization(groups=4)(rand(2, 6))
    with pytest.raises(ValueError, match="multiple of `groups`"):
        layers.GroupNormalization(groups=8)(rand(2, 6))
    layer = layers.GroupNormalization(groups=3)
    layer(rand(2, 6))
    assert [w.path.split("/")[-1] for w in layer.weights] == ["gamma", "beta"]
    with pytest.raises(ValueError, match="group_normalization"):
        layer(rand(2, 5))


# --- UnitNormalization ----------------------------------------------------------
@pytest.mark.parametrize("shape,axis", [((3, 4), -1), ((2, 3, 4), [1, 2]), ((2, 3, 4), 1)])
def test_unit_norm_matches_keras(keras_oracle, shape, axis):
    ours = layers.UnitNormalization(axis=axis)
    theirs = keras_oracle.layers.UnitNormalization(axis=axis)
    x = rand(*shape)
    out = assert_matches_keras(ours, theirs, x, False)[0]
    np.testing.assert_allclose(np.sqrt((out ** 2).sum(axis=tuple(np.atleast_1d(axis)))), 1,
                               rtol=1e-5)
    assert ours.weights == [] and ours.built


def test_unit_norm_zero_rows_and_config(keras_oracle):
    x = np.zeros((2, 3), "float32")
    np.testing.assert_array_equal(to_np(layers.UnitNormalization()(x)), x)
    assert_config_matches_keras(layers.UnitNormalization(axis=[1, 2], name="un"),
                                keras_oracle.layers.UnitNormalization(axis=[1, 2], name="un"))
    with pytest.raises(TypeError, match="axis"):
        layers.UnitNormalization(axis=1.5)
