"""Activation layers against numpy and the real Keras."""
import numpy as np
import pytest

from layerkit import engine, layers

X = np.linspace(-3, 3, 24, dtype="float32").reshape(2, 3, 4)


def _run(layer, x=X):
    return engine.convert_to_numpy(layer(x))


@pytest.mark.parametrize("kwargs", [{}, {"max_value": 1.5}, {"negative_slope": 0.1},
                                    {"threshold": 0.5}, {"max_value": 2.0, "negative_slope": 0.2,
                                                         "threshold": 0.5}])
def test_relu_layer_arguments(kwargs, keras_oracle):
    mine = _run(layers.ReLU(**kwargs))
    theirs = np.asarray(keras_oracle.layers.ReLU(**kwargs)(X))
    np.testing.assert_allclose(mine, theirs, rtol=1e-6, atol=1e-6)


def test_relu_layer_against_numpy():
    out = _run(layers.ReLU(max_value=1.0, negative_slope=0.5, threshold=0.5))
    expected = np.where(X >= 0.5, np.minimum(X, 1.0), 0.5 * (X - 0.5))
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6)


def test_leaky_relu_keras2_alpha_and_elu_softmax_thresholded():
    np.testing.assert_allclose(_run(layers.LeakyReLU(alpha=0.1)), np.where(X > 0, X, 0.1 * X),
                               rtol=1e-6)
    np.testing.assert_allclose(_run(layers.LeakyReLU()), np.where(X > 0, X, 0.3 * X), rtol=1e-6)
    np.testing.assert_allclose(_run(layers.ELU(alpha=0.5)),
                               np.where(X > 0, X, 0.5 * (np.exp(X) - 1)), rtol=1e-5, atol=1e-6)
    e = np.exp(X - X.max(axis=1, keepdims=True))
    np.testing.assert_allclose(_run(layers.Softmax(axis=1)), e / e.sum(axis=1, keepdims=True),
                               rtol=1e-5)
    np.testing.assert_allclose(_run(layers.ThresholdedReLU(theta=1.0)), np.where(X > 1, X, 0))


def test_prelu_learns_a_slope_per_channel_with_shared_axes():
    layer = layers.PReLU(alpha_initializer="ones", shared_axes=[1])
    out = _run(layer)
    assert layer.alpha.shape == (1, 4)
    np.testing.assert_allclose(out, X, rtol=1e-6)   # slope 1 everywhere: identity
    layer.set_weights([np.full((1, 4), 0.25, "float32")])
    np.testing.assert_allclose(_run(layer), np.where(X > 0, X, 0.25 * X), rtol=1e-6)


def test_activation_layers_config_round_trip_and_errors():
    for layer in (layers.ReLU(max_value=2.0), layers.LeakyReLU(0.2), layers.ELU(0.7),
                  layers.Softmax(axis=1), layers.ThresholdedReLU(0.3), layers.PReLU()):
        clone = type(layer).from_config(layer.get_config())
        assert clone.get_config() == {**layer.get_config(), "name": clone.name}
    with pytest.raises(ValueError, match="max_value"):
        layers.ReLU(max_value=-1)
    with pytest.raises(ValueError, match="threshold"):
        layers.ReLU(threshold=-1.0)
