"""SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout and AlphaDropout: output
statistics over many draws, reproducibility from a seed, fresh draws each training
call, identity at inference, the spatial sharing of the drop mask, config equal to
Keras 3's and bad arguments."""
import pathlib
import sys

import numpy as np
import pytest

import layerkit
from layerkit import layers

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from keras_state_compare import assert_config_matches_keras, rand, to_np  # noqa: E402

RANDOM_LAYERS = [
    (layers.GaussianNoise, dict(stddev=0.3)),
    (layers.GaussianDropout, dict(rate=0.3)),
    (layers.AlphaDropout, dict(rate=0.3)),
    (layers.SpatialDropout1D, dict(rate=0.3)),
    (layers.SpatialDropout2D, dict(rate=0.3)),
    (layers.SpatialDropout3D, dict(rate=0.3)),
]
SHAPES = {"SpatialDropout1D": (4, 5, 6), "SpatialDropout2D": (4, 3, 5, 6),
          "SpatialDropout3D": (4, 2, 3, 5, 6)}


def _input(cls):
    return rand(*SHAPES.get(cls.__name__, (8, 6))) + 2.0


@pytest.mark.parametrize("cls,kwargs", RANDOM_LAYERS)
def test_identity_at_inference_and_seeded_training_draws(cls, kwargs):
    x = _input(cls)
    layer = cls(seed=7, **kwargs)
    np.testing.assert_array_equal(to_np(layer(x)), x)
    np.testing.assert_array_equal(to_np(layer(x, training=False)), x)
    first, second = to_np(layer(x, training=True)), to_np(layer(x, training=True))
    assert first.shape == x.shape and not np.allclose(first, x)
    assert not np.allclose(first, second)          # the seed state advances
    again = cls(seed=7, **kwargs)
    np.testing.assert_array_equal(to_np(again(x, training=True)), first)   # reproducible
    other = cls(seed=8, **kwargs)
    assert not np.allclose(to_np(other(x, training=True)), first)
    assert layer.weights == [] and layer.compute_output_shape(x.shape) == x.shape
    assert layer.compute_mask(x, None) is None


@pytest.mark.parametrize("cls,kwargs", RANDOM_LAYERS)
def test_config_matches_keras(keras_oracle, cls, kwargs):
    name = cls.__name__
    extra = {"data_format": "channels_first"} if name[-2:] in ("2D", "3D") else {}
    ours = cls(seed=3, name="r", **kwargs, **extra)
    theirs = getattr(keras_oracle.layers, name)(seed=3, name="r", **kwargs, **extra)
    assert_config_matches_keras(ours, theirs)


def test_gaussian_noise_statistics():
    x = np.full((200, 500), 2.0, "float32")
    y = to_np(layers.GaussianNoise(0.5, seed=1)(x, training=True))
    assert abs(y.mean() - 2.0) < 0.01 and abs(y.std() - 0.5) < 0.01


def test_gaussian_dropout_statistics():
    x = np.full((200, 500), 3.0, "float32")
    rate = 0.2
    y = to_np(layers.GaussianDropout(rate, seed=1)(x, training=True))
    assert abs(y.mean() - 3.0) < 0.02
    assert abs(y.std() - 3.0 * np.sqrt(rate / (1 - rate))) < 0.02


def test_alpha_dropout_keeps_selu_statistics():
    # Standard-normal inputs keep mean ~0 and variance ~1 (the point of AlphaDropout).
    x = np.random.default_rng(0).normal(size=(400, 500)).astype("float32")
    y = to_np(layers.AlphaDropout(0.2, seed=2)(x, training=True))
    assert abs(y.mean()) < 0.01 and abs(y.var() - 1.0) < 0.02
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.2) * (1 + 0.2 * alpha_p ** 2)) ** -0.5
    dropped = np.isclose(y, a * alpha_p - a * alpha_p * 0.2, atol=1e-5)
    assert abs(dropped.mean() - 0.2) < 0.01


def test_alpha_dropout_noise_shape_shares_the_mask():
    x = np.ones((30, 40), "float32")
    y = to_np(layers.AlphaDropout(0.5, noise_shape=(None, 1), seed=4)(x, training=True))
    # Every row is either all kept or all dropped.
    assert np.all(np.isclose(y, y[:, :1]))
    assert 0 < np.unique(np.round(y[:, 0], 5)).size <= 2


@pytest.mark.parametrize("cls,shape,fmt", [
    (layers.SpatialDropout1D, (20, 7, 30), None),
    (layers.SpatialDropout2D, (20, 4, 5, 30), "channels_last"),
    (layers.SpatialDropout2D, (20, 30, 4, 5), "channels_first"),
    (layers.SpatialDropout3D, (20, 2, 3, 4, 30), "channels_last"),
    (layers.SpatialDropout3D, (20, 30, 2, 3, 4), "channels_first")])
def test_spatial_dropout_drops_whole_channels(cls, shape, fmt):
    kwargs = {} if fmt is None else {"data_format": fmt}
    x = np.ones(shape, "float32")
    y = to_np(cls(0.4, seed=5, **kwargs)(x, training=True))
    channel_axis = 1 if fmt == "channels_first" else len(shape) - 1
    spatial = tuple(a for a in range(1, len(shape)) if a != channel_axis)
    # Each (sample, channel) map is all zeros or all 1 / (1 - rate).
    assert np.all(y.min(axis=spatial) == y.max(axis=spatial))
    values = np.unique(y)
    np.testing.assert_allclose(values, [0.0, 1 / 0.6], rtol=1e-6)
    assert abs((y.max(axis=spatial) == 0).mean() - 0.4) < 0.1
    assert y.mean() == pytest.approx(1.0, abs=0.15)


def test_random_layers_train_inside_fit():
    model = layerkit.Sequential([
        layerkit.Input((6, 4)), layers.GaussianNoise(0.1, seed=1),
        layers.SpatialDropout1D(0.2, seed=2), layers.Flatten(),
        layers.GaussianDropout(0.2, seed=3), layers.AlphaDropout(0.1, seed=4),
        layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = rand(16, 6, 4), rand(16, 1)
    h = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert np.all(np.isfinite(h.history["loss"]))
    # Inference is deterministic (no noise).
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))


def test_bad_arguments():
    with pytest.raises(ValueError, match="rate"):
        layers.GaussianDropout(1.0)
    with pytest.raises(ValueError, match="rate"):
        layers.AlphaDropout(-0.1)
    with pytest.raises(ValueError, match="stddev"):
        layers.GaussianNoise(-1)
    with pytest.raises(ValueError, match="data_format"):
        layers.SpatialDropout2D(0.1, data_format="channels_middle")
    with pytest.raises(ValueError, match="rate"):
        layers.SpatialDropout2D(1.5)
    with pytest.raises(TypeError, match="noise_shape"):
        layers.SpatialDropout2D(0.1, noise_shape=(1, 1))
    with pytest.raises(ValueError, match="spatial_dropout2d"):
        layers.SpatialDropout2D(0.1, name="spatial_dropout2d")(rand(2, 3, 4))
    # Keras 2's larger noise is allowed (Keras 3 caps stddev at 1).
    assert layers.GaussianNoise(2.0).stddev == 2.0


def test_default_names_follow_keras():
    from layerkit.engine.common import naming
    naming.reset_uids()
    assert [layers.SpatialDropout1D(0.1).name, layers.SpatialDropout3D(0.1).name,
            layers.GaussianNoise(0.1).name] == ["spatial_dropout1d", "spatial_dropout3d",
                                                "gaussian_noise"]
