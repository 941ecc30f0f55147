"""ops.dot_product_attention (Keras 3's signature) on the current engine: outputs and
gradients against the real keras.ops (JAX) — masks, bias, causal, scale, grouped-query
heads — a query whose keys are all masked, value head_dim != key head_dim, symbolic
calls, and bad arguments."""
import numpy as np
import pytest

from layerkit import engine, layers, ops  # noqa: F401 (layers: symbolic ops record nodes)
from layerkit.engine.common.contract import CONTRACT
from layerkit.engine.common.symbolic_tensor import SymbolicTensor

RNG = np.random.default_rng(5)
Q = RNG.normal(size=(2, 3, 4, 8)).astype("float32")
K = RNG.normal(size=(2, 5, 4, 8)).astype("float32")
V = RNG.normal(size=(2, 5, 4, 8)).astype("float32")
K_GQA = RNG.normal(size=(2, 5, 2, 8)).astype("float32")
MASK = RNG.uniform(size=(2, 1, 3, 5)) > 0.3
MASK[..., 0] = True
BIAS = RNG.normal(size=(1, 4, 3, 5)).astype("float32")


def to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


def _grads(fn, arrays, cotangent):
    def loss(*xs):
        return engine.numpy.sum(fn(*xs) * engine.convert_to_tensor(cotangent))

    tensors = [engine.convert_to_tensor(a) for a in arrays]
    _, grads = engine.core.value_and_grad(loss, argnums=tuple(range(len(arrays))))(*tensors)
    return [to_np(g) for g in grads]


def _their_grads(fn, arrays, cotangent):
    import jax
    import jax.numpy as jnp
    return [np.asarray(g) for g in jax.grad(
        lambda *xs: jnp.sum(fn(*xs) * cotangent), argnums=tuple(range(len(arrays))))(
            *[jnp.asarray(a) for a in arrays])]


CASES = [
    ("plain", (Q, K, V), {}),
    ("mask", (Q, K, V), {"mask": MASK}),
    ("mask_3d", (Q, K, V), {"mask": MASK[:, 0]}),
    ("bias", (Q, K, V), {"bias": BIAS}),
    ("bias_and_mask", (Q, K, V), {"bias": BIAS, "mask": MASK}),
    ("causal", (Q, K, V), {"is_causal": True}),
    ("causal_and_mask", (Q, K, V), {"is_causal": True, "mask": MASK}),
    ("causal_and_bias", (Q, K, V), {"is_causal": True, "bias": BIAS}),
    ("scale", (Q, K, V), {"scale": 0.3}),
    ("grouped_query", (Q, K_GQA, K_GQA), {"mask": MASK}),
]


@pytest.mark.parametrize("arrays,kwargs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_matches_keras(keras_oracle, arrays, kwargs):
    ours = ops.dot_product_attention(*arrays, **kwargs)
    theirs = np.asarray(keras_oracle.ops.dot_product_attention(*arrays, **kwargs))
    np.testing.assert_allclose(to_np(ours), theirs, atol=1e-5, rtol=1e-5)
    cotangent = RNG.normal(size=theirs.shape).astype("float32")
    mine = _grads(lambda *xs: ops.dot_product_attention(*xs, **kwargs), arrays, cotangent)
    expected = _their_grads(lambda *xs: keras_oracle.ops.dot_product_attention(*xs, **kwargs),
                            arrays, cotangent)
    for name, g, e in zip(("query", "key", "value"), mine, expected):
        np.testing.assert_allclose(g, e, atol=1e-4, rtol=1e-4, err_msg=f"gradient of {name}")


def test_query_with_every_key_masked(keras_oracle):
    # Uniform attention over the values and no gradient into its query, on both
    # engines and in Keras (on JAX).
    mask = MASK.copy()
    mask[0, 0, 1] = False
    out = to_np(ops.dot_product_attention(Q, K, V, mask=mask))
    np.testing.assert_allclose(out[0, 1], V[0].mean(0), atol=1e-5)
    cotangent = RNG.normal(size=out.shape).astype("float32")
    mine = _grads(lambda *xs: ops.dot_product_attention(*xs, mask=mask), (Q, K, V), cotangent)
    expected = _their_grads(
        lambda *xs: keras_oracle.ops.dot_product_attention(*xs, mask=mask), (Q, K, V),
        cotangent)
    assert np.all(mine[0][0, 1] == 0)
    for g, e in zip(mine, expected):
        np.testing.assert_allclose(g, e, atol=1e-4, rtol=1e-4)


def test_value_head_dim_may_differ():
    # jax.nn needs equal head dims; the op then writes the computation out.
    value = RNG.normal(size=(2, 5, 2, 6)).astype("float32")
    out = to_np(ops.dot_product_attention(Q, K_GQA, value, mask=MASK, is_causal=True))
    logits = np.einsum("btnh,bsnh->bnts", Q, np.repeat(K_GQA, 2, axis=2)) / np.sqrt(8)
    keep = MASK & np.tril(np.ones((3, 5), bool))
    logits = np.where(keep, logits, -1e30)
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    expected = np.einsum("bnts,bsnh->btnh", probs, np.repeat(value, 2, axis=2))
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_public_names_and_symbolic_call():
    assert "dot_product_attention" in CONTRACT["nn"]
    assert ops.nn.dot_product_attention is ops.dot_product_attention
    out = ops.dot_product_attention(SymbolicTensor((None, 3, 4, 8)),
                                    SymbolicTensor((None, 5, 4, 8)),
                                    SymbolicTensor((None, 5, 4, 6)))
    assert out.shape == (None, 3, 4, 6)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"4-D.*query.shape=\(3, 4, 8\)"):
        ops.dot_product_attention(Q[0], K[0], V[0])
    with pytest.raises(ValueError, match="multiple of the number of key/value heads"):
        ops.dot_product_attention(Q, K[:, :, :3], V[:, :, :3])
    with pytest.raises(ValueError, match="head_dim"):
        ops.dot_product_attention(Q, K[..., :4], V)
    with pytest.raises(ValueError, match="key and value must agree"):
        ops.dot_product_attention(Q, K, V[:, :4])
    with pytest.raises(ValueError, match=r"`mask` must broadcast.*\(2, 4, 3, 5\)"):
        ops.dot_product_attention(Q, K, V, mask=np.ones((2, 1, 3, 4), bool))
    with pytest.raises(ValueError, match="attn_logits_soft_cap"):
        ops.dot_product_attention(Q, K, V, attn_logits_soft_cap=30.0)
    with pytest.raises(ValueError, match="flash"):
        ops.dot_product_attention(Q, K, V, flash_attention=True)
