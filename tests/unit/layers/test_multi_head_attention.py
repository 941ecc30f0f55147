"""MultiHeadAttention: the layer contract (self-attention), outputs, attention scores and
gradients against real Keras 3 (masks, causal and sliding-window masks, attention
axes, gate, output_shape), masks through a functional graph, dropout in training only,
and bad input."""
import pathlib
import sys

import numpy as np
import pytest

import layerkit
from layerkit import engine, layers
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.saving import register_keras_serializable

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from keras_compare_multi import compare_multi_with_keras  # noqa: E402
from layer_contract import run_layer_contract  # noqa: E402

RNG = np.random.default_rng(3)


def rand(*shape):
    return RNG.normal(size=shape).astype("float32")


def to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


@register_keras_serializable(package="tests")
class SelfAttention(layers.MultiHeadAttention):
    """layer(x) == MultiHeadAttention(x, x): one input, so the single-input contract
    runs the whole layer (build, config, symbolic and eager calls, a fit step)."""

    def __call__(self, x, *args, **kwargs):
        return super().__call__(x, x, *args, **kwargs)

    def build(self, query_shape, value_shape=None, key_shape=None):
        super().build(query_shape, value_shape or query_shape, key_shape)


def test_layer_contract():
    run_layer_contract(SelfAttention, {"num_heads": 2, "key_dim": 3},
                       input_shape=(2, 4, 6), expected_output_shape=(2, 4, 6),
                       expected_num_trainable_weights=8,
                       expected_num_non_trainable_weights=0,
                       expected_weight_names=["kernel", "bias"] * 4,
                       symbolic_shape=(None, None, 6), supports_masking=True)
    run_layer_contract(SelfAttention, {"num_heads": 1, "key_dim": 2, "use_bias": False,
                                       "output_shape": 5, "dropout": 0.2},
                       input_shape=(2, 3, 4), expected_output_shape=(2, 3, 5),
                       expected_num_trainable_weights=4, expected_num_non_trainable_weights=0,
                       expected_weight_names=["kernel"] * 4)


Q, V, K = rand(2, 4, 6), rand(2, 5, 6), rand(2, 5, 3)
ATTENTION_MASK = RNG.uniform(size=(2, 4, 5)) > 0.3
ATTENTION_MASK[0, 2] = False       # one query that may attend to nothing
X4 = rand(2, 3, 4, 5)

KERAS_CASES = [
    ("plain", {"num_heads": 2, "key_dim": 3}, [Q, V], {}),
    ("key", {"num_heads": 2, "key_dim": 3}, [Q, V, K], {}),
    ("value_dim", {"num_heads": 2, "key_dim": 3, "value_dim": 4}, [Q, V, K],
     {"return_attention_scores": True}),
    ("scores", {"num_heads": 3, "key_dim": 2}, [Q, V], {"return_attention_scores": True}),
    ("attention_mask", {"num_heads": 2, "key_dim": 3}, [Q, V],
     {"attention_mask": ATTENTION_MASK}),
    ("attention_mask_scores", {"num_heads": 2, "key_dim": 3}, [Q, V],
     {"attention_mask": ATTENTION_MASK, "return_attention_scores": True}),
    ("causal", {"num_heads": 2, "key_dim": 3}, [Q, Q], {"use_causal_mask": True}),
    ("causal_cross", {"num_heads": 2, "key_dim": 3}, [Q, V], {"use_causal_mask": True}),
    ("causal_scores", {"num_heads": 2, "key_dim": 3}, [Q, Q],
     {"use_causal_mask": True, "return_attention_scores": True}),
    ("causal_and_mask", {"num_heads": 2, "key_dim": 3}, [Q, V],
     {"use_causal_mask": True, "attention_mask": ATTENTION_MASK}),
    ("output_shape_no_bias", {"num_heads": 2, "key_dim": 3, "output_shape": (3, 2),
                              "use_bias": False}, [Q, V], {}),
    ("gate", {"num_heads": 2, "key_dim": 3, "use_gate": True}, [Q, V], {}),
    ("sliding_window", {"num_heads": 2, "key_dim": 3, "sliding_window": 2}, [Q, Q], {}),
    ("attention_axis_2", {"num_heads": 2, "key_dim": 2, "attention_axes": (2,)}, [X4, X4],
     {}),
    ("attention_axes_1_2", {"num_heads": 2, "key_dim": 2, "attention_axes": (1, 2)},
     [X4, X4], {"return_attention_scores": True}),
    ("initializers", {"num_heads": 2, "key_dim": 3, "kernel_initializer": "he_normal",
                      "bias_initializer": "ones", "kernel_regularizer": "l2",
                      "bias_constraint": "non_neg"}, [Q, V], {}),
]


@pytest.mark.parametrize("kwargs,inputs,call_kwargs", [c[1:] for c in KERAS_CASES],
                         ids=[c[0] for c in KERAS_CASES])
def test_matches_keras(keras_oracle, kwargs, inputs, call_kwargs):
    compare_multi_with_keras(keras_oracle, "MultiHeadAttention", kwargs, inputs,
                             call_kwargs)


def test_fused_path_equals_scores_path():
    # The fused kernel (ops.dot_product_attention) and the einsum + masked softmax
    # path give the same output: with value_dim != key_dim (the einsum fallback inside
    # the op), with a mask, and causal. (A query whose keys are all masked differs,
    # as in Keras: uniform attention on the fused path, zeros on the other.)
    some_keys = ATTENTION_MASK.copy()
    some_keys[:, :, 0] = True
    for kwargs, inputs, call in [
            ({"num_heads": 2, "key_dim": 3, "value_dim": 4}, [Q, V, K], {}),
            ({"num_heads": 2, "key_dim": 3}, [Q, V], {"attention_mask": some_keys}),
            ({"num_heads": 2, "key_dim": 3}, [Q, Q], {"use_causal_mask": True})]:
        layer = layers.MultiHeadAttention(**kwargs)
        fused = to_np(layer(*inputs, **call))
        with_scores, _ = layer(*inputs, return_attention_scores=True, **call)
        np.testing.assert_allclose(fused, to_np(with_scores), atol=1e-5, rtol=1e-5)


def test_weights_in_keras_order(keras_oracle):
    ours = layers.MultiHeadAttention(num_heads=2, key_dim=3, use_gate=True, name="mha")
    theirs = keras_oracle.layers.MultiHeadAttention(num_heads=2, key_dim=3, use_gate=True,
                                                    name="mha")
    ours(Q, V)
    theirs(Q, V)
    assert [v.path for v in ours.weights] == [v.path for v in theirs.weights]
    assert ours.count_params() == theirs.count_params()


def test_scores_and_causal_mask():
    layer = layers.MultiHeadAttention(num_heads=3, key_dim=2)
    out, scores = layer(Q, Q, use_causal_mask=True, return_attention_scores=True)
    scores = to_np(scores)
    assert scores.shape == (2, 3, 4, 4)
    np.testing.assert_allclose(scores.sum(-1), 1.0, atol=1e-5)
    assert np.all(scores[..., np.triu_indices(4, 1)[0], np.triu_indices(4, 1)[1]] == 0)
    # A query position never sees the future: changing the last step leaves the
    # earlier outputs as they were.
    changed = Q.copy()
    changed[:, -1] += 5.0
    np.testing.assert_allclose(to_np(layer(changed, changed, use_causal_mask=True))[:, :-1],
                               to_np(out)[:, :-1], atol=1e-5)
    spec = layer(SymbolicTensor((None, 4, 6)), SymbolicTensor((None, 7, 6)),
                 return_attention_scores=True)
    assert [t.shape for t in spec] == [(None, 4, 6), (None, 3, 4, 7)]


def _masked_models(keras_oracle):
    """The same cross-attention graph in layerkit and Keras: two Embedding(mask_zero)
    inputs, so the query mask and the value mask both reach the layer."""
    def build(lib):
        q_in = lib.Input((4,), dtype="int32")
        v_in = lib.Input((5,), dtype="int32")
        embed = lib.layers.Embedding(10, 6, mask_zero=True)
        mha = lib.layers.MultiHeadAttention(num_heads=2, key_dim=3)
        out = mha(embed(q_in), embed(v_in))
        return lib.Model([q_in, v_in], lib.layers.GlobalAveragePooling1D()(out))

    ours, theirs = build(layerkit), build(keras_oracle)
    weights = [RNG.uniform(-1, 1, size=w.shape).astype("float32") for w in ours.weights]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    return ours, theirs


def test_padding_masks_through_a_graph_match_keras(keras_oracle):
    ours, theirs = _masked_models(keras_oracle)
    q_ids = np.array([[1, 2, 0, 0], [3, 4, 5, 0]], "int32")
    v_ids = np.array([[6, 7, 8, 0, 0], [1, 0, 0, 0, 0]], "int32")
    expected = np.asarray(theirs.predict([q_ids, v_ids], verbose=0))
    np.testing.assert_allclose(ours.predict([q_ids, v_ids], verbose=0), expected, atol=1e-5)
    # The value mask matters: without it (all ids non-zero) the numbers change.
    assert not np.allclose(ours.predict([q_ids, v_ids + (v_ids == 0)], verbose=0), expected,
                           atol=1e-3)


def test_masks_on_eager_tensors_and_output_mask():
    embed = layers.Embedding(10, 6, mask_zero=True)
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    q_ids = np.array([[1, 2, 0, 0]], "int32")
    v_ids = np.array([[3, 0, 0, 0, 0]], "int32")
    q, v = embed(q_ids), embed(v_ids)
    out = mha(q, v)
    np.testing.assert_array_equal(to_np(out._keras_mask), q_ids != 0)
    # As in Keras, the call takes the masks off its inputs (they were read).
    assert getattr(q, "_keras_mask", None) is None
    explicit = mha(q, v, query_mask=q_ids != 0, value_mask=v_ids != 0)
    np.testing.assert_allclose(to_np(out), to_np(explicit), atol=1e-6)
    # With one valid key, every query attends to it alone.
    _, scores = mha(embed(q_ids), embed(v_ids), return_attention_scores=True)
    np.testing.assert_allclose(to_np(scores)[0, :, :2, 0], 1.0, atol=1e-6)


def test_dropout_only_in_training():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3, dropout=0.5, seed=1)
    plain = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    layer(Q, V)
    plain(Q, V)
    plain.set_weights(layer.get_weights())
    inference = to_np(layer(Q, V))
    np.testing.assert_allclose(inference, to_np(plain(Q, V)), atol=1e-5)
    np.testing.assert_allclose(to_np(layer(Q, V, training=False)), inference, atol=1e-6)
    first, second = to_np(layer(Q, V, training=True)), to_np(layer(Q, V, training=True))
    assert not np.allclose(first, inference, atol=1e-3)
    assert not np.allclose(first, second, atol=1e-3)
    _, scores = layer(Q, V, training=True, return_attention_scores=True)
    np.testing.assert_allclose(to_np(scores).sum(-1), 1.0, atol=1e-5)  # before dropout


def test_trains_in_a_model():
    x_in = layerkit.Input((4, 6))
    y = layers.MultiHeadAttention(num_heads=2, key_dim=3, dropout=0.1)(x_in, x_in)
    model = layerkit.Model(x_in, layers.Dense(1)(layers.GlobalAveragePooling1D()(y)))
    model.compile(optimizer="adam", loss="mse")
    x, target = rand(16, 4, 6), rand(16, 1)
    history = model.fit(x, target, epochs=8, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_bad_input_names_the_layer():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3, name="mha_bad")
    layer(Q, V)
    with pytest.raises(ValueError, match=r'"mha_bad".*value of last dimension 6.*\(2, 5, 4\)'):
        layer(Q, rand(2, 5, 4))
    with pytest.raises(ValueError, match=r'"mha_bad".*query of last dimension 6'):
        layer(rand(2, 4, 5), V)
    with pytest.raises(ValueError, match=r'"mha_bad".*same rank'):
        layer(Q, rand(2, 5, 2, 6))
    with pytest.raises(ValueError, match=r'"mha_2d".*at least 3-D'):
        layers.MultiHeadAttention(num_heads=2, key_dim=3, name="mha_2d")(rand(2, 6), rand(2, 6))
    with pytest.raises(ValueError, match=r"value and key must agree"):
        layers.MultiHeadAttention(num_heads=2, key_dim=3)(Q, V, rand(2, 4, 6))
    with pytest.raises(TypeError, match=r"no `value`"):
        layers.MultiHeadAttention(num_heads=2, key_dim=3)(Q)
    with pytest.raises(ValueError, match=r'"mha_bad".*attention_mask.*\(2, 4, 5\).*\(2, 3, 5\)'):
        layer(Q, V, attention_mask=np.ones((2, 3, 5), bool))
    with pytest.raises(ValueError, match="num_heads"):
        layers.MultiHeadAttention(num_heads=0, key_dim=3)
    with pytest.raises(ValueError, match="key_dim"):
        layers.MultiHeadAttention(num_heads=2, key_dim=2.5)
    with pytest.raises(ValueError, match="dropout"):
        layers.MultiHeadAttention(num_heads=2, key_dim=2, dropout=1.5)
    with pytest.raises(ValueError, match="attention_axes"):
        layers.MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=(3,))(X4, X4)
    # Symbolic calls check the same.
    with pytest.raises(ValueError, match=r'"mha_bad".*value of last dimension 6'):
        layer(SymbolicTensor((None, 4, 6)), SymbolicTensor((None, 5, 3)))
