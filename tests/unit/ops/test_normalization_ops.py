"""The engines' normalization primitives (ops.batch_normalization,
ops.fused_batch_normalization, ops.layer_normalization) against NumPy and Keras 3's
keras.ops, including gradients through given statistics (which torch's inference
kernel would not differentiate), and Keras 2's module paths for these layers
under the `keras` alias."""
import sys

import numpy as np
import pytest

from layerkit import engine, layers, ops


def to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


def rand(*shape):
    return np.random.uniform(-1, 1, size=shape).astype("float32")


@pytest.mark.parametrize("shape,axis", [((6, 4), -1), ((2, 3, 5, 4), -1), ((2, 4, 3), 1),
                                        ((2, 3, 4, 5), 2), ((1, 3), 1)])
def test_fused_batch_normalization_against_numpy(shape, axis):
    x = rand(*shape) * 2 + 1
    c = shape[axis]
    scale, offset = rand(c) + 1.5, rand(c)
    out, mean, var = ops.fused_batch_normalization(x, axis, offset=offset, scale=scale,
                                                   epsilon=1e-3)
    reduce = tuple(a for a in range(len(shape)) if a != axis % len(shape))
    m, v = x.mean(reduce), x.var(reduce)
    view = [1] * len(shape)
    view[axis] = c
    expected = (x - m.reshape(view)) / np.sqrt(v.reshape(view) + 1e-3) * \
        scale.reshape(view) + offset.reshape(view)
    np.testing.assert_allclose(to_np(out), expected, atol=1e-5)
    np.testing.assert_allclose(to_np(mean), m, atol=1e-6)
    np.testing.assert_allclose(to_np(var), v, rtol=1e-5, atol=1e-7)
    given = ops.batch_normalization(x, m, v, axis, offset=offset, scale=scale, epsilon=1e-3)
    np.testing.assert_allclose(to_np(given), expected, atol=1e-5)


def test_batch_normalization_matches_keras_and_differentiates_statistics(keras_oracle):
    import jax
    x, mean, var, scale, offset = rand(3, 4, 5), rand(4), rand(4) + 1, rand(4), rand(4)
    ours = to_np(ops.batch_normalization(x, mean, var, 1, offset, scale, 1e-2))
    theirs = keras_oracle.ops.batch_normalization(x, mean, var, 1, offset, scale, 1e-2)
    np.testing.assert_allclose(ours, np.asarray(theirs), atol=1e-5)
    up = rand(3, 4, 5)

    def mine(m, v):
        return (ops.batch_normalization(x, m, v, 1, offset, scale, 1e-2) *
                engine.convert_to_tensor(up)).sum()

    def ref(m, v):
        return (keras_oracle.ops.batch_normalization(x, m, v, 1, offset, scale, 1e-2)
                * up).sum()

    _, grads = engine.core.value_and_grad(mine, argnums=(0, 1))(mean, var)
    expected = jax.grad(ref, argnums=(0, 1))(mean, var)
    for g, e in zip(grads, expected):
        np.testing.assert_allclose(to_np(g), np.asarray(e), atol=1e-5)
        assert np.abs(to_np(g)).sum() > 0


@pytest.mark.parametrize("axis", [-1, [1, 2], [1, 3], 1])
def test_layer_normalization_matches_keras(keras_oracle, axis):
    x = rand(2, 3, 4, 5)
    axes = sorted(a % 4 for a in np.atleast_1d(axis))
    gamma, beta = rand(*[x.shape[a] for a in axes]), rand(*[x.shape[a] for a in axes])
    ours = to_np(ops.layer_normalization(x, gamma, beta, axis, 1e-3))
    theirs = keras_oracle.ops.layer_normalization(x, gamma, beta, axis, 1e-3)
    np.testing.assert_allclose(ours, np.asarray(theirs), atol=1e-5)


def test_keras2_module_paths_under_the_alias():
    from layerkit.compat import alias_keras, keras_alias
    saved = {k: v for k, v in sys.modules.items() if k == "keras" or k.startswith("keras.")}
    try:
        alias_keras()
        from keras.layers.normalization import BatchNormalization
        from keras.layers.normalization.batch_normalization import BatchNormalization as B2
        from keras.layers.noise import AlphaDropout, GaussianDropout, GaussianNoise
        from keras.layers.embeddings import Embedding
        from keras.layers.core.embedding import Embedding as E2
        from keras.layers.regularization import SpatialDropout2D
        assert BatchNormalization is B2 is layers.BatchNormalization
        assert (GaussianNoise, GaussianDropout, AlphaDropout) == (
            layers.GaussianNoise, layers.GaussianDropout, layers.AlphaDropout)
        assert Embedding is E2 is layers.Embedding
        assert SpatialDropout2D is layers.SpatialDropout2D
    finally:
        for k in [k for k in sys.modules if k == "keras" or k.startswith("keras.")]:
            del sys.modules[k]
        sys.modules.update(saved)
        if keras_alias._FINDER in sys.meta_path:
            sys.meta_path.remove(keras_alias._FINDER)
