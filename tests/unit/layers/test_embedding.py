"""Embedding against the real Keras 3: lookups and gradients, mask_zero's
compute_mask, Keras 2's input_length and weights=, config, and bad indices."""
import pathlib
import sys

import numpy as np
import pytest

import layerkit
from layerkit import layers

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from keras_state_compare import assert_config_matches_keras, rand, to_np  # noqa: E402


def test_lookup_and_gradients_match_keras(keras_oracle):
    ours, theirs = layers.Embedding(10, 4), keras_oracle.layers.Embedding(10, 4)
    ours.build(), theirs.build()
    table = rand(10, 4)
    ours.set_weights([table]), theirs.set_weights([table])
    ids = np.array([[1, 2, 2, 0], [9, 3, 0, 0]], "int32")
    np.testing.assert_array_equal(to_np(ours(ids)), table[ids])
    np.testing.assert_allclose(to_np(ours(ids)), np.asarray(theirs(ids)))
    # Float ids (as NumPy often gives them) are cast, as in Keras.
    np.testing.assert_array_equal(to_np(ours(ids.astype("float32"))), table[ids])
    upstream = rand(2, 4, 4)
    # Gradients with respect to the table (ids have none): scatter-added rows.
    mine = _table_grad(ours, ids, upstream)
    np.testing.assert_allclose(mine, _keras_table_grad(theirs, ids, upstream), atol=1e-6)
    expected = np.zeros_like(table)
    np.add.at(expected, ids, upstream)
    np.testing.assert_allclose(mine, expected, atol=1e-6)


def _table_grad(layer, ids, upstream):
    from layerkit import engine
    from layerkit.engine.common.stateless_scope import StatelessScope

    def loss(tv):
        with StatelessScope(list(zip(layer.trainable_weights, tv))):
            y = layer(engine.convert_to_tensor(ids))
        return (y * engine.convert_to_tensor(upstream)).sum()

    _, (g,) = engine.core.value_and_grad(loss)([layer.embeddings.value])
    return to_np(g)


def _keras_table_grad(layer, ids, upstream):
    import jax
    import jax.numpy as jnp

    def loss(tv):
        y, _ = layer.stateless_call(tv, [], jnp.asarray(ids))
        return jnp.sum(y * upstream)

    return np.asarray(jax.grad(loss)([layer.embeddings.value])[0])


def test_mask_zero_compute_mask(keras_oracle):
    ids = np.array([[3, 0, 1], [0, 0, 2]], "int32")
    layer = layers.Embedding(5, 2, mask_zero=True)
    assert layer.supports_masking
    mask = to_np(layer.compute_mask(layerkit.ops.convert_to_tensor(ids)))
    np.testing.assert_array_equal(mask, ids != 0)
    np.testing.assert_array_equal(
        mask, np.asarray(keras_oracle.layers.Embedding(5, 2, mask_zero=True).compute_mask(ids)))
    plain = layers.Embedding(5, 2)
    assert plain.compute_mask(ids) is None and not plain.supports_masking


def test_shapes_weights_and_keras2_input_length():
    layer = layers.Embedding(1000, 64, input_length=10, name="emb")
    assert layer._batch_input_shape == (None, 10)
    model = layerkit.Sequential([layer, layers.Flatten(), layers.Dense(1)])
    assert model.layers[0].output.shape == (None, 10, 64)
    assert [w.path.split("/")[-2:] for w in layer.weights] == [["emb", "embeddings"]]
    assert layer.count_params() == 64000
    out = layers.Embedding(7, 3)(layerkit.Input((4, 5), dtype="int32"))
    assert out.shape == (None, 4, 5, 3) and out.dtype == "float32"
    model.compile(optimizer="sgd", loss="mse")
    ids = np.random.randint(0, 1000, size=(16, 10))
    h = model.fit(ids, rand(16, 1), epochs=1, batch_size=8, verbose=0)
    assert np.isfinite(h.history["loss"][0])


def test_pretrained_weights_and_frozen_table():
    table = rand(6, 3)
    layer = layers.Embedding(6, 3, weights=[table], trainable=False)
    assert layer.built
    np.testing.assert_array_equal(to_np(layer(np.array([[5, 0]]))), table[[[5, 0]]])
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 1
    bare = layers.Embedding(6, 3, weights=table)   # Keras 3 also takes the bare array
    np.testing.assert_array_equal(to_np(bare.embeddings), table)


def test_regularizer_constraint_and_activity_regularizer():
    layer = layers.Embedding(4, 2, embeddings_initializer="ones",
                             embeddings_regularizer=layerkit.regularizers.L2(0.1),
                             embeddings_constraint="non_neg", activity_regularizer="l1")
    layer(np.array([[1, 2]]))
    assert layer.embeddings.constraint is layer.embeddings_constraint
    values = sorted(float(to_np(v)) for v in layer.losses)
    np.testing.assert_allclose(values, [0.01 * 4, 0.1 * 8], rtol=1e-5)


def test_config_matches_keras(keras_oracle):
    kwargs = dict(embeddings_initializer="ones", mask_zero=True, name="e")
    assert_config_matches_keras(layers.Embedding(20, 3, **kwargs),
                                keras_oracle.layers.Embedding(20, 3, **kwargs))
    config = layers.Embedding(20, 3, input_length=5, name="e2").get_config()
    assert config["batch_input_shape"] == (None, 5) and "input_length" not in config
    assert layers.Embedding.from_config(config)._batch_input_shape == (None, 5)


def test_bad_arguments_and_indices():
    with pytest.raises(ValueError, match="input_dim"):
        layers.Embedding(0, 3)
    with pytest.raises(ValueError, match="output_dim"):
        layers.Embedding(3, "wide")
    with pytest.raises(NotImplementedError, match="lora_rank"):
        layers.Embedding(3, 2, lora_rank=4)
    layer = layers.Embedding(5, 2, name="emb_bad")
    with pytest.raises(ValueError, match=r'Embedding "emb_bad".*\[0, 5\).*5'):
        layer(np.array([[1, 5]]))
    with pytest.raises(ValueError, match=r"non-integer.*1\.5"):
        layer(np.array([[1.5, 2.0]]))
    with pytest.raises(ValueError, match="from -1"):
        layer(np.array([[-1, 2]]))


def test_out_of_range_engine_tensor():
    """A host check is impossible on an engine tensor without a sync; PyTorch's gather
    rejects the index (re-raised naming the layer), JAX reads a NaN row."""
    layer = layers.Embedding(5, 2, name="emb_t")
    ids = layerkit.ops.convert_to_tensor(np.array([[1, 7]], "int32"))
    if layerkit.backend.backend() == "torch":
        with pytest.raises(ValueError, match='Embedding "emb_t"'):
            layer(ids)
    else:
        out = to_np(layer(ids))
        assert np.all(np.isnan(out[0, 1])) and np.all(np.isfinite(out[0, 0]))
