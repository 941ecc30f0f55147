"""Keras 3's `ops.dot_product_attention` on PyTorch:
`torch.nn.functional.scaled_dot_product_attention` (its fused CPU kernel; flash or
memory-efficient kernels on a GPU).

Keras's layout is (batch, length, heads, head_dim); torch's is (batch, heads,
length, head_dim), so the inputs are transposed in and the output back out (views;
the kernel makes what it needs contiguous). Grouped-query attention (fewer key/value
heads) uses torch's enable_gqa. A mask becomes an additive float mask of
-0.7 * the dtype's max where False (jax.nn's constant): a query row whose keys are
all masked then attends uniformly, as on JAX, where torch's boolean mask would give
zeros. is_causal together with a mask or bias (torch refuses both) folds the causal
triangle into that float mask.
"""
import torch
import torch.nn.functional as F

from layerkit.engine.common.attention_args import (check_attention_shapes,
                                                   check_mask_shape, check_unsupported)
from layerkit.engine.torch.core import convert_to_tensor


def _to_4d(t):
    return t.reshape((1,) * (4 - t.dim()) + tuple(t.shape))


def _additive_mask(bias, mask, is_causal, T, S, dtype, device):
    """bias (zeros if None) with the masked-out logits pushed to a large negative."""
    keep = None if mask is None else _to_4d(mask)
    if is_causal:
        causal = torch.ones((T, S), dtype=torch.bool, device=device).tril()
        keep = causal if keep is None else keep & causal
    base = torch.zeros((), dtype=dtype, device=device) if bias is None else _to_4d(bias)
    if keep is None:
        return base
    return torch.where(keep, base, torch.tensor(-0.7 * torch.finfo(dtype).max, dtype=dtype,
                                                device=device))


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None,
                          is_causal=False, flash_attention=None, attn_logits_soft_cap=None):
    """softmax(query . key * scale + bias, masked) . value, per head; returns
    (batch, query length, heads, value head_dim)."""
    check_unsupported(attn_logits_soft_cap)
    query, key, value = (convert_to_tensor(t) for t in (query, key, value))
    heads, kv_heads = check_attention_shapes(query.shape, key.shape, value.shape)
    dtype = torch.promote_types(torch.promote_types(query.dtype, key.dtype), value.dtype)
    query, key, value = query.to(dtype), key.to(dtype), value.to(dtype)
    B, T, N, H = query.shape
    S = key.shape[1]
    target = (B, N, T, S)
    if bias is not None:
        bias = convert_to_tensor(bias).to(dtype)
        check_mask_shape("bias", bias.shape, target)
    if mask is not None:
        mask = convert_to_tensor(mask).to(torch.bool)
        check_mask_shape("mask", mask.shape, target)
    attn_mask = None
    if bias is not None or mask is not None:
        attn_mask = _additive_mask(bias, mask, is_causal, T, S, dtype, query.device)
        is_causal = False
    if flash_attention and (query.device.type != "cuda" or
                            dtype not in (torch.float16, torch.bfloat16)):
        raise ValueError(
            "dot_product_attention: flash_attention=True needs a CUDA GPU and float16 or "
            f"bfloat16 inputs; received {dtype} inputs on {query.device}. Pass "
            "flash_attention=None to let the engine choose its kernel.")
    out = F.scaled_dot_product_attention(
        query.transpose(1, 2), key.transpose(1, 2), value.transpose(1, 2),
        attn_mask=attn_mask, is_causal=bool(is_causal), scale=scale,
        enable_gqa=kv_heads != heads)
    return out.transpose(1, 2)
