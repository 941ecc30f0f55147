"""TimeDistributed: the layer contract, outputs and gradients against real Keras 3
(Dense, Conv2D, an inner layer with training behaviour), masks passed to the inner
layer and on to the output, the inner layer's weights, config round trip, bad input."""
import pathlib
import sys

import numpy as np
import pytest

import layerkit
from layerkit import engine, layers
from layerkit.engine.common.stateless_scope import StatelessScope

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from layer_contract import run_layer_contract  # noqa: E402

RNG = np.random.default_rng(8)


def rand(*shape):
    return RNG.normal(size=shape).astype("float32")


def to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


def test_layer_contract():
    run_layer_contract(layers.TimeDistributed, {"layer": layers.Dense(3)},
                       input_shape=(2, 4, 5), expected_output_shape=(2, 4, 3),
                       expected_num_trainable_weights=2, expected_num_non_trainable_weights=0,
                       expected_weight_names=["kernel", "bias"],
                       symbolic_shape=(None, None, 5), supports_masking=True)
    run_layer_contract(layers.TimeDistributed,
                       {"layer": layers.Conv2D(2, 3, padding="same")},
                       input_shape=(2, 3, 5, 5, 1), expected_output_shape=(2, 3, 5, 5, 2),
                       expected_num_trainable_weights=2, expected_num_non_trainable_weights=0)


def _grads(layer, x, cotangent):
    variables = layer.weights

    def loss(inputs, values):
        with StatelessScope(list(zip(variables, values))):
            out = layer(inputs)
        return engine.numpy.sum(out * engine.convert_to_tensor(cotangent))

    values = [engine.convert_to_tensor(v.numpy()) for v in variables]
    _, (gx, gw) = engine.core.value_and_grad(loss, argnums=(0, 1))(
        engine.convert_to_tensor(x), values)
    return [to_np(gx)] + [to_np(g) for g in gw]


def _their_grads(layer, x, cotangent):
    import jax
    import jax.numpy as jnp

    def loss(inputs, values):
        out, _ = layer.stateless_call(values, [], inputs)
        return jnp.sum(out * cotangent)

    gx, gw = jax.grad(loss, argnums=(0, 1))(jnp.asarray(x),
                                            [v.value for v in layer.trainable_variables])
    return [np.asarray(gx)] + [np.asarray(g) for g in gw]


@pytest.mark.parametrize("inner,kwargs,shape", [
    ("Dense", {"units": 3, "activation": "tanh"}, (2, 4, 5)),
    ("Dense", {"units": 2}, (2, 3, 4, 5)),
    ("Conv2D", {"filters": 2, "kernel_size": 3}, (2, 3, 6, 6, 2)),
    ("Conv1D", {"filters": 3, "kernel_size": 2, "padding": "causal"}, (2, 3, 7, 2)),
])
def test_matches_keras(keras_oracle, inner, kwargs, shape):
    x = rand(*shape)
    ours = layers.TimeDistributed(getattr(layers, inner)(**kwargs))
    theirs = keras_oracle.layers.TimeDistributed(getattr(keras_oracle.layers, inner)(**kwargs))
    ours(x)
    theirs(x)
    assert [v.path for v in ours.weights] == [v.path for v in theirs.weights] or \
        [v.path.split("/")[-1] for v in ours.weights] == \
        [v.path.split("/")[-1] for v in theirs.weights]
    weights = [rand(*w.shape) for w in ours.get_weights()]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    expected = np.asarray(theirs(x))
    np.testing.assert_allclose(to_np(ours(x)), expected, atol=1e-5, rtol=1e-5)
    assert tuple(ours.compute_output_shape((None,) + shape[1:])) == \
        tuple(theirs.compute_output_shape((None,) + shape[1:]))
    cotangent = rand(*expected.shape)
    for g, e in zip(_grads(ours, x, cotangent), _their_grads(theirs, x, cotangent)):
        np.testing.assert_allclose(g, e, atol=1e-4, rtol=1e-4)


def test_weight_paths_and_config_round_trip():
    layer = layers.TimeDistributed(layers.Dense(3, name="inner"), name="td")
    layer(rand(2, 4, 5))
    assert [v.path for v in layer.weights] == ["td/inner/kernel", "td/inner/bias"]
    assert layer.weights[0] is layer.layer.kernel
    config = layer.get_config()
    assert config["layer"]["class_name"] == "Dense"
    revived = layers.TimeDistributed.from_config(config)
    assert isinstance(revived.layer, layers.Dense) and revived.layer.units == 3


class _MaskRecorder(layers.Layer):
    """Passes its input on, and the mask it received into its output (masked steps
    zeroed), so the test sees what mask the inner layer got."""

    def call(self, inputs, mask=None):
        if mask is None:
            return inputs
        return inputs * layerkit.ops.cast(layerkit.ops.expand_dims(mask, -1), inputs.dtype)

    def compute_mask(self, inputs, mask=None):
        return mask


def test_masks_reach_the_inner_layer_and_pass_on():
    ids = np.array([[1, 2, 0, 0], [3, 0, 0, 0]], "int32")
    inputs = layerkit.Input((4, 3), dtype="int32")
    embedded = layers.TimeDistributed(layers.Embedding(10, 2, mask_zero=True))(inputs)
    assert embedded._keras_mask is not None and embedded._keras_mask.shape == (None, 4, 3)
    model = layerkit.Model(inputs, layers.TimeDistributed(_MaskRecorder())(embedded))
    x = np.stack([ids, ids, ids], -1)        # (2, 4, 3): every id three times
    out = model.predict(x, verbose=0)
    np.testing.assert_array_equal(out[x == 0], 0.0)
    assert np.all(out[x != 0] != 0)
    # A (batch, steps) mask passes on unchanged.
    seq = layerkit.Input((4,), dtype="int32")
    td = layers.TimeDistributed(layers.Dense(2))(layers.Embedding(10, 3, mask_zero=True)(seq))
    assert td._keras_mask.shape == (None, 4)
    mask = layerkit.Model(seq, td).compute_mask(ids, None)
    np.testing.assert_array_equal(to_np(mask), ids != 0)


def test_training_flag_reaches_the_inner_layer():
    layer = layers.TimeDistributed(layers.Dropout(0.5, seed=2))
    x = np.ones((4, 3, 8), "float32")
    np.testing.assert_array_equal(to_np(layer(x)), x)
    dropped = to_np(layer(x, training=True))
    assert set(np.unique(dropped)) <= {0.0, 2.0} and (dropped == 0).any()


def test_bad_input_names_the_layer():
    with pytest.raises(ValueError, match="Layer instance"):
        layers.TimeDistributed(lambda x: x)
    with pytest.raises(ValueError, match=r'"td_rank".*at least 3-D.*\(2, 5\)'):
        layers.TimeDistributed(layers.Dense(2), name="td_rank")(rand(2, 5))
    layer = layers.TimeDistributed(layers.Dense(2), name="td_mask")
    with pytest.raises(ValueError, match=r'"td_mask".*mask.*\(2, 4\).*\(2, 3\)'):
        layer(rand(2, 4, 5), mask=np.ones((2, 3), bool))
