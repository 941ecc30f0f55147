"""Layers under mixed policies: float32 variables, 16-bit computation and outputs,
float32 softmax and losses, config round trips, and outputs against Keras 3 under
the same policy with the same weights."""
import numpy as np
import pytest

from layerkit import engine, layers, losses, mixed_precision, ops

MIXED = [("mixed_float16", "float16"), ("mixed_bfloat16", "bfloat16")]


def _np32(x):
    return np.asarray(engine.convert_to_numpy(ops.cast(x, "float32")))


@pytest.mark.parametrize("policy, compute", MIXED)
def test_variables_stay_float32_and_outputs_are_in_the_compute_dtype(policy, compute):
    x = np.random.rand(4, 6, 6, 3).astype("float32")
    for layer in (layers.Conv2D(4, 3, dtype=policy), layers.BatchNormalization(dtype=policy),
                  layers.Dense(5, dtype=policy), layers.LayerNormalization(dtype=policy)):
        y = layer(x)
        assert ops.dtype(y) == compute, layer.name
        assert {v.dtype for v in layer.weights} == {"float32"}, layer.name
        assert (layer.dtype, layer.variable_dtype, layer.compute_dtype) == \
            ("float32", "float32", compute)
        assert layer.dtype_policy == mixed_precision.DTypePolicy(policy)
    emb = layers.Embedding(10, 4, dtype=policy)
    assert ops.dtype(emb(np.array([[1, 2, 3]]))) == compute
    assert emb.embeddings.dtype == "float32"


def test_float_inputs_are_cast_and_integer_inputs_are_not():
    dense = layers.Dense(3, dtype="mixed_float16")
    y = dense(ops.convert_to_tensor(np.ones((2, 4), "float64")))
    assert ops.dtype(y) == "float16"
    assert ops.dtype(layers.Dense(3)(ops.convert_to_tensor(np.ones((2, 4), "float16")))) \
        == "float32"     # a float32 layer casts a float16 input up, as Keras 3
    assert ops.dtype(layers.Embedding(5, 2, dtype="mixed_bfloat16")(np.array([[1, 4]]))) \
        == "bfloat16"


def test_symbolic_outputs_carry_the_compute_dtype():
    mixed_precision.set_global_policy("mixed_float16")
    inputs = layers.Input((4,))
    hidden = layers.Dense(8, activation="relu")(inputs)
    out = layers.Activation("softmax", dtype="float32")(layers.Dense(3)(hidden))
    assert hidden.dtype == "float16" and out.dtype == "float32"


def test_softmax_in_float32_and_losses_in_float32():
    mixed_precision.set_global_policy("mixed_float16")
    logits = layers.Dense(3)(np.random.rand(5, 4).astype("float32"))
    assert ops.dtype(logits) == "float16"
    probs = layers.Activation("softmax", dtype="float32")(logits)
    assert ops.dtype(probs) == "float32"
    y = np.eye(3)[[0, 1, 2, 0, 1]].astype("float32")
    assert ops.dtype(losses.CategoricalCrossentropy()(y, logits)) == "float32"
    assert ops.dtype(losses.MeanSquaredError()(y, logits)) == "float32"


class _Seen(layers.Layer):
    """Records the dtypes its call sees: the input's and its weight's."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, inputs):
        self.seen = (ops.dtype(inputs), ops.dtype(self.w.value))
        return inputs * self.w.value


def test_autocast_false_leaves_the_inputs_uncast():
    x = np.ones((1, 3), "float32")
    on, off = _Seen(dtype="mixed_float16"), _Seen(dtype="mixed_float16", autocast=False)
    on(x)
    off(ops.convert_to_tensor(x))
    assert on.seen == ("float16", "float16")
    # Keras 3: autocast=False keeps the inputs as they come; the weights are still
    # read in the compute dtype at the top level.
    assert off.seen == ("float32", "float16")
    assert on.w.dtype == off.w.dtype == "float32"
    # A float32 layer inside a mixed model reads its weights in float32.
    inner = layers.Dense(2, dtype="float32")
    x16 = ops.cast(x, "float16")
    assert ops.dtype(inner(x16)) == "float32"


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16", "float16"])
def test_config_round_trip_keeps_the_policy_as_keras_does(policy, keras_oracle):
    layer = layers.Dense(3, dtype=policy)
    config = layer.get_config()
    theirs = keras_oracle.layers.Dense(3, dtype=policy).get_config()["dtype"]
    if policy.startswith("mixed"):
        assert config["dtype"] == theirs      # Keras 3's serialized DTypePolicy
    else:
        assert config["dtype"] == policy      # a plain dtype stays a name
    again = layers.Dense.from_config(config)
    assert again.dtype_policy == layer.dtype_policy
    # and Keras 3 reads it back to the same policy
    assert keras_oracle.layers.Dense.from_config(config).dtype_policy.name == policy


CASES = [
    ("Dense", {"units": 5, "activation": "relu"}, (4, 7)),
    ("Conv2D", {"filters": 3, "kernel_size": 3}, (2, 6, 6, 2)),
    ("BatchNormalization", {}, (4, 5)),
    ("LayerNormalization", {}, (4, 5)),
    ("LSTM", {"units": 4}, (2, 5, 3)),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3}, (2, 4, 6)),
]


@pytest.mark.parametrize("policy, compute", MIXED)
@pytest.mark.parametrize("name, kwargs, shape", CASES, ids=[c[0] for c in CASES])
def test_outputs_match_keras_under_the_same_policy(name, kwargs, shape, policy, compute,
                                                    keras_oracle):
    x = np.random.uniform(-1, 1, shape).astype("float32")
    ours = getattr(layers, name)(dtype=policy, **kwargs)
    theirs = getattr(keras_oracle.layers, name)(dtype=policy, **kwargs)
    args = (x, x) if name == "MultiHeadAttention" else (x,)
    ours(*args)
    theirs(*args)
    weights = [np.random.uniform(-0.5, 0.5, w.shape).astype("float32")
               for w in theirs.get_weights()]
    if name == "BatchNormalization":
        weights[3] = np.abs(weights[3]) + 0.5   # a positive moving variance
    theirs.set_weights(weights)
    ours.set_weights(weights)
    got, want = ours(*args), theirs(*args)
    assert ops.dtype(got) == compute == keras_oracle.ops.dtype(want)
    assert {v.dtype for v in ours.weights} == {"float32"}
    tol = 2e-2 if compute == "bfloat16" else 3e-3
    np.testing.assert_allclose(_np32(got), np.asarray(want, dtype="float32"),
                               rtol=tol, atol=tol)
