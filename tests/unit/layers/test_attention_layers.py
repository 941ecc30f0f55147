"""Attention and AdditiveAttention: the layer contract (self-attention), outputs,
scores and gradients against real Keras 3 (masks, causal masks, concat scores),
masks through a functional graph, dropout in training only, Keras 2's causal=True,
bad input."""
import pathlib
import sys

import numpy as np
import pytest

import layerkit
from layerkit import engine, layers
from layerkit.saving import register_keras_serializable

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from keras_compare_multi import compare_multi_with_keras  # noqa: E402
from layer_contract import run_layer_contract  # noqa: E402

RNG = np.random.default_rng(4)


def rand(*shape):
    return RNG.normal(size=shape).astype("float32")


def to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


Q, V, K = rand(2, 4, 6), rand(2, 5, 3), rand(2, 5, 6)
Q_MASK = np.array([[1, 1, 0, 0], [1, 1, 1, 0]], bool)
V_MASK = np.array([[1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], bool)


def _pair(shape):
    """[shape, shape] for one tensor's shape (the contract's); a list stays."""
    return shape if isinstance(shape[0], (list, tuple)) else [shape, shape]


class _SelfAttention:
    """layer(x) == layer([x, x]), so the single-input contract runs the whole layer."""

    def __call__(self, x, *args, **kwargs):
        # (The base re-enters __call__ once, in the layer's name scope, on the first
        # call: the list is made once.)
        return super().__call__(x if isinstance(x, list) else [x, x], *args, **kwargs)

    def build(self, input_shape):
        super().build(_pair(input_shape))

    def compute_output_shape(self, input_shape):
        return super().compute_output_shape(_pair(input_shape))


@register_keras_serializable(package="tests")
class SelfDotAttention(_SelfAttention, layers.Attention):
    pass


@register_keras_serializable(package="tests")
class SelfAdditiveAttention(_SelfAttention, layers.AdditiveAttention):
    pass


@pytest.mark.parametrize("cls,kwargs,n_weights", [
    (SelfDotAttention, {}, 0), (SelfDotAttention, {"use_scale": True, "dropout": 0.1}, 1),
    (SelfDotAttention, {"score_mode": "concat", "use_scale": True}, 2),
    (SelfAdditiveAttention, {}, 1), (SelfAdditiveAttention, {"use_scale": False}, 0)])
def test_layer_contract(cls, kwargs, n_weights):
    run_layer_contract(cls, kwargs, input_shape=(2, 4, 6), expected_output_shape=(2, 4, 6),
                       expected_num_trainable_weights=n_weights,
                       expected_num_non_trainable_weights=0, supports_masking=True,
                       symbolic_shape=(None, None, 6))


KERAS_CASES = [
    ("Attention", {}, [Q, V, K], {}),
    ("Attention", {"use_scale": True}, [Q, V, K], {"return_attention_scores": True}),
    ("Attention", {"score_mode": "concat"}, [Q, V, K], {}),
    ("Attention", {"score_mode": "concat", "use_scale": True}, [Q, K], {}),
    ("Attention", {}, [Q, V, K], {"mask": [Q_MASK, V_MASK]}),
    ("Attention", {}, [Q, V, K], {"mask": [None, V_MASK], "return_attention_scores": True}),
    ("Attention", {}, [Q, V, K], {"use_causal_mask": True, "mask": [Q_MASK, V_MASK]}),
    ("Attention", {"use_scale": True}, [Q, Q], {"use_causal_mask": True}),
    ("AdditiveAttention", {}, [Q, V, K], {}),
    ("AdditiveAttention", {"use_scale": False}, [Q, V, K], {"mask": [Q_MASK, V_MASK]}),
    ("AdditiveAttention", {}, [Q, Q], {"use_causal_mask": True,
                                       "return_attention_scores": True}),
]


@pytest.mark.parametrize("class_name,kwargs,inputs,call_kwargs", KERAS_CASES)
def test_matches_keras(keras_oracle, class_name, kwargs, inputs, call_kwargs):
    compare_multi_with_keras(keras_oracle, class_name, kwargs, inputs, call_kwargs,
                             as_list=True)


def test_masks_through_a_graph_match_keras(keras_oracle):
    def build(lib):
        q_in, v_in = lib.Input((4,), dtype="int32"), lib.Input((5,), dtype="int32")
        embed = lib.layers.Embedding(10, 6, mask_zero=True)
        out = lib.layers.Attention(use_scale=True)([embed(q_in), embed(v_in)])
        return lib.Model([q_in, v_in], lib.layers.GlobalAveragePooling1D()(out))

    ours, theirs = build(layerkit), build(keras_oracle)
    weights = [rand(*w.shape) for w in ours.weights]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    q_ids = np.array([[1, 2, 0, 0], [3, 4, 5, 0]], "int32")
    v_ids = np.array([[6, 7, 8, 0, 0], [1, 0, 0, 0, 0]], "int32")
    np.testing.assert_allclose(ours.predict([q_ids, v_ids], verbose=0),
                               theirs.predict([q_ids, v_ids], verbose=0), atol=1e-5)
    # The output carries the query's mask.
    layer = layers.Attention()
    out = layer([Q, K], mask=[Q_MASK, V_MASK])
    np.testing.assert_array_equal(to_np(out._keras_mask), Q_MASK)
    assert np.all(to_np(out)[~Q_MASK] == 0)


def test_keras2_causal_flag_and_scores():
    causal = layers.Attention(causal=True)
    assert causal.get_config()["causal"] is True
    out, scores = causal([Q, Q], return_attention_scores=True)
    expected, expected_scores = layers.Attention()([Q, Q], use_causal_mask=True,
                                                   return_attention_scores=True)
    np.testing.assert_allclose(to_np(out), to_np(expected), atol=1e-6)
    scores = to_np(scores)
    np.testing.assert_allclose(scores, to_np(expected_scores), atol=1e-6)
    assert np.all(np.triu(scores[0], 1) == 0)
    np.testing.assert_allclose(scores.sum(-1), 1.0, atol=1e-5)


def test_dropout_only_in_training():
    layer = layers.Attention(dropout=0.5, seed=3)
    inference = to_np(layer([Q, V, K]))
    np.testing.assert_allclose(inference, to_np(layers.Attention()([Q, V, K])), atol=1e-6)
    trained = to_np(layer([Q, V, K], training=True))
    assert not np.allclose(trained, inference, atol=1e-3)


def test_bad_input_names_the_layer():
    with pytest.raises(ValueError, match=r'"att_bad".*list \[query, value\]'):
        layers.Attention(name="att_bad")(Q)
    with pytest.raises(ValueError, match=r'"att_len".*length 4'):
        layers.Attention(name="att_len")([Q, V, K, K])
    with pytest.raises(ValueError, match=r'"att_dim".*same last dimension.*\(2, 4, 6\).*\(2, 5, 3\)'):
        layers.Attention(name="att_dim")([Q, V])
    with pytest.raises(ValueError, match=r'"att_steps".*same number of steps'):
        layers.Attention(name="att_steps")([Q, V, rand(2, 4, 6)])
    with pytest.raises(ValueError, match=r'"att_rank".*3-D'):
        layers.Attention(name="att_rank")([rand(2, 6), rand(2, 6)])
    with pytest.raises(ValueError, match=r'"att_mask".*\[query_mask, value_mask\]'):
        layers.Attention(name="att_mask")([Q, K], mask=Q_MASK)
    with pytest.raises(ValueError, match="score_mode"):
        layers.Attention(score_mode="add")
    with pytest.raises(ValueError, match=r'"add_bad".*list'):
        layers.AdditiveAttention(name="add_bad")(Q)
