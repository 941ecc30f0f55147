"""Ops written once over the engines' primitives (moments, in_top_k), against real
Keras 3's keras.ops on the same numpy inputs."""
import numpy as np
import pytest

from layerkit import ops

RNG = np.random.default_rng(11)


def to_np(x):
    return np.asarray(ops.convert_to_numpy(x))


@pytest.mark.parametrize("axes", [[0], [1, 2], (0, 2), 1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_moments_matches_keras(keras_oracle, axes, keepdims):
    x = RNG.normal(2.0, 3.0, size=(4, 5, 6)).astype("float32")
    kx = keras_oracle.ops
    k_axes = [axes] if isinstance(axes, int) else list(axes)
    k_mean, k_var = kx.moments(x, k_axes, keepdims=keepdims)
    mean, var = ops.moments(x, axes, keepdims=keepdims)
    np.testing.assert_allclose(to_np(mean), np.asarray(k_mean), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(to_np(var), np.asarray(k_var), rtol=1e-5, atol=1e-6)


def test_moments_gradient_is_the_variance_gradient():
    # d/dx sum(var(x)) over axis 0 = 2 (x - mean) / n, whether or not the mean's path
    # is followed (it contributes zero).
    from layerkit import engine
    x = RNG.normal(size=(5, 3)).astype("float32")

    def total_variance(t):
        return ops.sum(ops.moments(t, [0])[1])

    _, grad = engine.core.value_and_grad(total_variance)(ops.convert_to_tensor(x))
    np.testing.assert_allclose(to_np(grad), 2 * (x - x.mean(0)) / 5, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_in_top_k_matches_keras(keras_oracle, k):
    predictions = RNG.normal(size=(16, 5)).astype("float32")
    predictions[3] = [0.5, 0.5, 0.5, 0.1, 0.0]  # a tie at the top
    predictions[4] = [0.9, 0.2, 0.2, 0.2, 0.1]  # a tie below the top
    targets = RNG.integers(0, 5, size=16)
    targets[3], targets[4] = 2, 3
    expected = np.asarray(keras_oracle.ops.in_top_k(targets, predictions, k))
    np.testing.assert_array_equal(to_np(ops.in_top_k(targets, predictions, k)), expected)
    assert ops.dtype(ops.in_top_k(targets, predictions, k)) == "bool"


def test_conv_and_pool_argument_errors_name_the_argument():
    # One message for both engines (engine/common/conv_utils.py).
    x = RNG.normal(size=(1, 6, 6, 3)).astype("float32")
    with pytest.raises(ValueError, match=r"`pool_size` must be an int or a tuple of 2 ints "
                                         r"for a 2D operation, received pool_size=\(2, 2, 2\)"):
        ops.max_pool(x, (2, 2, 2))
    with pytest.raises(ValueError, match=r"`strides` must be an int or a tuple of 2 ints"):
        ops.average_pool(x, 2, strides=(1, 1, 1))
    with pytest.raises(ValueError, match=r"received padding='full'"):
        ops.average_pool(x, 2, padding="full")
    with pytest.raises(ValueError, match=r"conv: the kernel must have rank 4 \(spatial dims, "
                                         r"in channels, out channels\) for an input of shape "
                                         r"\(1, 6, 6, 3\), received a kernel of shape "
                                         r"\(3, 3, 3\)"):
        ops.conv(x, np.zeros((3, 3, 3), "float32"))
    with pytest.raises(ValueError, match=r"`dilation_rate` must be an int or a tuple of 2"):
        ops.depthwise_conv(x, np.zeros((3, 3, 3, 1), "float32"), dilation_rate=(1, 2, 1))
