"""Keras 3's `ops.dot_product_attention` on JAX: `jax.nn.dot_product_attention`
(XLA's implementation; cuDNN's flash kernel with flash_attention=True on a GPU).

Layout (batch, length, heads, head_dim) for query, key and value, as in Keras and
jax.nn. jax.nn needs the value's head_dim equal to the key's; MultiHeadAttention
allows value_dim != key_dim, so that case runs the same computation written out
with einsum (grouped heads, masked logits, softmax in float32), as Keras does.
A masked-out logit becomes -0.7 * the dtype's max (jax.nn's choice), so a query row
with every key masked attends uniformly on both engines.
"""
import jax
import jax.numpy as jnp

from layerkit.engine.common.attention_args import (check_attention_shapes,
                                                   check_unsupported, mask_shape_4d)
from layerkit.engine.jax.core import convert_to_tensor


def _einsum_attention(query, key, value, bias, mask, scale, is_causal):
    """The reference computation, for head dims jax.nn does not take."""
    B, T, N, H = query.shape
    S, K = key.shape[1], key.shape[2]
    G = N // K
    q = jnp.reshape(query, (B, T, K, G, H))
    logits = jnp.einsum("btkgh,bskh->bkgts", q, key,
                        preferred_element_type=jnp.promote_types(query.dtype, jnp.float32))
    logits = logits * jnp.asarray(scale, logits.dtype)
    if bias is not None:
        logits = logits + jnp.reshape(jnp.broadcast_to(bias, (bias.shape[0], N, T, S)),
                                      (bias.shape[0], K, G, T, S))
    keep = None
    if mask is not None:
        keep = jnp.reshape(jnp.broadcast_to(mask, (mask.shape[0], N, T, S)),
                           (mask.shape[0], K, G, T, S))
    if is_causal:
        causal = jnp.tril(jnp.ones((T, S), bool))
        keep = causal if keep is None else jnp.logical_and(keep, causal)
    if keep is not None:
        logits = jnp.where(keep, logits, -0.7 * jnp.finfo(logits.dtype).max)
    probs = jax.nn.softmax(logits.astype(jnp.float32), axis=-1).astype(value.dtype)
    out = jnp.einsum("bkgts,bskh->btkgh", probs, value)
    return jnp.reshape(out, (B, T, N, value.shape[-1]))


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None,
                          is_causal=False, flash_attention=None, attn_logits_soft_cap=None):
    """softmax(query . key * scale + bias, masked) . value, per head; returns
    (batch, query length, heads, value head_dim)."""
    check_unsupported(attn_logits_soft_cap)
    query, key, value = (convert_to_tensor(t) for t in (query, key, value))
    check_attention_shapes(query.shape, key.shape, value.shape)
    dtype = jnp.result_type(query.dtype, key.dtype, value.dtype)
    query, key, value = query.astype(dtype), key.astype(dtype), value.astype(dtype)
    B, T, N, H = query.shape
    target = (B, N, T, key.shape[1])
    if bias is not None:
        bias = convert_to_tensor(bias).astype(dtype)
        bias = jnp.reshape(bias, mask_shape_4d("bias", bias.shape, target))
    if mask is not None:
        mask = convert_to_tensor(mask).astype(bool)
        mask = jnp.reshape(mask, mask_shape_4d("mask", mask.shape, target))
    scale = (1.0 / H ** 0.5) if scale is None else scale
    if value.shape[-1] != H:
        if flash_attention:
            raise ValueError("dot_product_attention: flash attention needs value and key "
                             f"of the same head_dim; received key.shape={key.shape}, "
                             f"value.shape={value.shape}.")
        return _einsum_attention(query, key, value, bias, mask, scale, bool(is_causal))
    if flash_attention:
        try:
            return jax.nn.dot_product_attention(query, key, value, bias, mask, scale=scale,
                                                is_causal=bool(is_causal),
                                                implementation="cudnn")
        except Exception as e:  # noqa: BLE001 - say why, in Keras's words
            raise ValueError(
                "dot_product_attention: flash_attention=True needs cuDNN's flash kernel (a "
                "recent NVIDIA GPU, float16/bfloat16 inputs, head_dim a multiple of 8); "
                f"it is not available here: {e}") from e
    return jax.nn.dot_product_attention(query, key, value, bias, mask, scale=scale,
                                        is_causal=bool(is_causal), implementation="xla")
