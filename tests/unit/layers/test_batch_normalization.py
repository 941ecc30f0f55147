"""BatchNormalization against the real Keras 3: outputs and gradients in both modes,
the moving statistics after training calls and after `fit`, evaluate with the
moving statistics, trainable=False, masks, renorm, config and bad input."""
import json
import pathlib
import sys

import numpy as np
import pytest

import layerkit
from layerkit import layers

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from keras_state_compare import (assert_config_matches_keras, assert_matches_keras,  # noqa: E402
                           rand, share_weights, to_np)


def _pair(keras, input_shape, **kwargs):
    ours, theirs = layers.BatchNormalization(**kwargs), keras.layers.BatchNormalization(**kwargs)
    share_weights(ours, theirs, input_shape)
    return ours, theirs


@pytest.mark.parametrize("shape,axis", [((8, 5), -1), ((4, 6, 3), -1), ((2, 5, 5, 4), -1),
                                        ((2, 3, 4, 5), 1), ((3, 4, 5), 1), ((3, 4, 5, 2), 2),
                                        ((1, 3), -1)])
@pytest.mark.parametrize("training", [True, False])
def test_matches_keras_outputs_gradients_and_updates(keras_oracle, shape, axis, training):
    ours, theirs = _pair(keras_oracle, shape, axis=axis, momentum=0.9)
    x = rand(*shape) * 3 + 1
    assert_matches_keras(ours, theirs, x, training, atol=2e-5)


@pytest.mark.parametrize("center,scale", [(False, True), (True, False), (False, False)])
def test_center_and_scale_off(keras_oracle, center, scale):
    ours, theirs = _pair(keras_oracle, (6, 4), center=center, scale=scale, epsilon=0.01)
    assert len(ours.weights) == 2 + center + scale
    assert [w.path.split("/")[-1] for w in ours.trainable_weights] == \
        [n for n, on in (("gamma", scale), ("beta", center)) if on]
    for training in (True, False):
        assert_matches_keras(ours, theirs, rand(6, 4), training)


def test_eager_training_calls_update_moving_statistics(keras_oracle):
    ours, theirs = _pair(keras_oracle, (16, 3), momentum=0.8)
    mm, mv = to_np(ours.moving_mean), to_np(ours.moving_variance)
    for _ in range(3):
        x = rand(16, 3) * 2 + 0.5
        np.testing.assert_allclose(to_np(ours(x, training=True)),
                                   np.asarray(theirs(x, training=True)), atol=1e-5)
        mm, mv = mm * 0.8 + x.mean(0) * 0.2, mv * 0.8 + x.var(0) * 0.2   # biased variance
    for mine, ref in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, ref, atol=1e-6)
    np.testing.assert_allclose(to_np(ours.moving_mean), mm, rtol=1e-5)
    np.testing.assert_allclose(to_np(ours.moving_variance), mv, rtol=1e-5)
    # Inference uses them.
    x = rand(5, 3)
    mm, mv, g, b = (to_np(v) for v in (ours.moving_mean, ours.moving_variance,
                                      ours.gamma, ours.beta))
    np.testing.assert_allclose(to_np(ours(x)), (x - mm) / np.sqrt(mv + 1e-3) * g + b,
                               atol=1e-5)


def test_frozen_layer_runs_in_inference_mode_and_updates_nothing():
    layer = layers.BatchNormalization()
    x = rand(10, 4) * 5 + 3
    layer(x)
    layer.trainable = False
    before = layer.get_weights()
    out = to_np(layer(x, training=True))
    np.testing.assert_allclose(out, (x - 0.0) / np.sqrt(1 + 1e-3), atol=1e-5)
    for a, b in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4


def test_weights_names_order_and_counts():
    layer = layers.BatchNormalization(name="bn")
    out = layer(layerkit.Input((7, 3)))
    assert out.shape == (None, 7, 3)
    assert [w.path for w in layer.weights] == ["bn/gamma", "bn/beta", "bn/moving_mean",
                                               "bn/moving_variance"]
    assert [w.path for w in layer.non_trainable_weights] == ["bn/moving_mean",
                                                            "bn/moving_variance"]
    assert layer.count_params() == 12


def _model(lib, like=None):
    model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(6),
                            lib.layers.BatchNormalization(momentum=0.7),
                            lib.layers.Activation("relu"), lib.layers.Dense(1)])
    if like is not None:   # layer by layer: the model-level order is another helper's
        for mine, ref in zip(model.layers, like.layers):
            mine.set_weights(ref.get_weights())
    model.compile(optimizer=lib.optimizers.SGD(0.1), loss="mse")
    return model


def test_fit_matches_keras_and_evaluate_uses_moving_statistics(keras_oracle):
    keras = keras_oracle
    rng = np.random.default_rng(3)
    x = rng.normal(2.0, 3.0, size=(32, 4)).astype("float32")
    y = rng.normal(size=(32, 1)).astype("float32")
    theirs = _model(keras)
    ours = _model(layerkit, theirs)
    h1 = ours.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    h2 = theirs.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-4)
    for mine, ref in zip(ours.layers, theirs.layers):
        for w, a, b in zip(mine.weights, mine.get_weights(), ref.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5, err_msg=w.path)
    bn = ours.layers[1]
    assert not np.allclose(to_np(bn.moving_mean), 0)
    # evaluate normalizes with the moving statistics: the same loss as Keras, and
    # as a NumPy forward pass with those statistics.
    (k1, b1), (g, b, mm, mv), (k2, b2) = (ours.layers[i].get_weights() for i in (0, 1, 3))
    h = (x @ k1 + b1 - mm) / np.sqrt(mv + 1e-3) * g + b
    manual = np.mean((np.maximum(h, 0) @ k2 + b2 - y) ** 2)
    ours_loss = ours.evaluate(x, y, batch_size=32, verbose=0)
    np.testing.assert_allclose(ours_loss, manual, rtol=1e-4)
    np.testing.assert_allclose(ours_loss, theirs.evaluate(x, y, batch_size=32, verbose=0),
                               rtol=1e-4)
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               atol=1e-4)


def test_frozen_bn_in_fit_keeps_statistics(keras_oracle):
    ours = _model(layerkit)
    bn = ours.layers[1]
    bn.trainable = False
    ours.compile(optimizer="sgd", loss="mse")
    before = [to_np(bn.moving_mean), to_np(bn.moving_variance), to_np(bn.gamma)]
    ours.fit(rand(16, 4), rand(16, 1), batch_size=8, epochs=1, verbose=0)
    for a, b in zip(before, [bn.moving_mean, bn.moving_variance, bn.gamma]):
        np.testing.assert_array_equal(a, to_np(b))


def test_mask_excludes_positions_from_statistics(keras_oracle):
    ours, theirs = _pair(keras_oracle, (3, 5, 2), momentum=0.5)
    x = rand(3, 5, 2) * 2
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], bool)
    assert_matches_keras(ours, theirs, x, True, mask=mask, atol=2e-5)
    with pytest.raises(ValueError, match="one dimension less"):
        ours(x, training=True, mask=np.ones((3, 5, 2), bool))
    assert ours.compute_mask(x, mask) is mask


def test_renorm_matches_keras(keras_oracle):
    kwargs = dict(renorm=True, renorm_clipping={"rmax": 1.5, "rmin": 0.5, "dmax": 0.3},
                  renorm_momentum=0.8, momentum=0.9)
    ours, theirs = layers.BatchNormalization(**kwargs), keras_oracle.layers.BatchNormalization(
        **kwargs)
    share_weights(ours, theirs, (6, 3), randomize=False)
    assert [w.path.split("/")[-1] for w in ours.non_trainable_weights] == [
        "moving_mean", "moving_variance", "moving_stddev", "renorm_mean", "renorm_stddev"]
    for step in range(3):
        x = rand(6, 3) * (step + 1) + step
        assert_matches_keras(ours, theirs, x, True)
        ours(x, training=True), theirs(x, training=True)
    assert_matches_keras(ours, theirs, rand(6, 3), False)


def test_config_matches_keras_and_round_trips(keras_oracle):
    from layerkit import constraints, regularizers
    kwargs = dict(axis=1, momentum=0.9, epsilon=1e-4, center=False,
                  gamma_initializer="random_normal", moving_variance_initializer="zeros",
                  gamma_regularizer="l2", gamma_constraint="non_neg", name="bn_cfg")
    ours = layers.BatchNormalization(**kwargs)
    theirs = keras_oracle.layers.BatchNormalization(**kwargs)
    assert_config_matches_keras(ours, theirs)
    config = ours.get_config()
    json.dumps(config)
    clone = layers.BatchNormalization.from_config(config)
    assert isinstance(clone.gamma_regularizer, regularizers.L2)
    assert isinstance(clone.gamma_constraint, constraints.NonNeg)
    assert layers.BatchNormalization(synchronized=True).get_config()["synchronized"] is True
    r = dict(renorm=True, renorm_clipping={"rmax": 2.0}, renorm_momentum=0.5, name="bn_r")
    assert_config_matches_keras(layers.BatchNormalization(**r),
                                keras_oracle.layers.BatchNormalization(**r))


def test_regularizer_and_constraint_apply():
    layer = layers.BatchNormalization(gamma_regularizer=layerkit.regularizers.L2(0.5),
                                      beta_constraint=layerkit.constraints.NonNeg())
    layer(rand(4, 3))
    np.testing.assert_allclose(float(to_np(layer.losses[0])), 0.5 * 3, rtol=1e-6)
    assert layer.beta.constraint is layer.beta_constraint


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match="axis"):
        layers.BatchNormalization(axis=[1, 2])
    with pytest.raises(ValueError, match="momentum"):
        layers.BatchNormalization(momentum="high")
    with pytest.raises(ValueError, match="renorm_clipping"):
        layers.BatchNormalization(renorm=True, renorm_clipping={"rmax": 1, "bogus": 2})
    with pytest.raises(ValueError, match="rmax >= rmin"):
        layers.BatchNormalization(renorm=True, renorm_clipping={"rmax": 1, "rmin": 2})
    with pytest.raises(ValueError, match="virtual_batch_size"):
        layers.BatchNormalization(virtual_batch_size=4)
    layers.BatchNormalization(fused=True)   # Keras 2: only picked an implementation
    with pytest.raises(ValueError, match="out of bounds"):
        layers.BatchNormalization(axis=3)(rand(2, 3))
    layer = layers.BatchNormalization()
    layer(rand(2, 3))
    with pytest.raises(ValueError, match="batch_normalization"):
        layer(rand(2, 4))
