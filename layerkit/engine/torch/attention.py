"""Keras 3's `ops.dot_product_attention` on PyTorch:
`torch.nn.functional.scaled_dot_product_attention` (its fused CPU kernel; flash or
memory-efficient kernels on a GPU).

Keras's layout is (batch, length, heads, head_dim); torch's is (batch, heads,
length, head_dim), so the inputs are transposed in and the output back out (views;
the kernel makes what it needs contiguous). Grouped-query attention (fewer key/value
heads) uses torch's enable_gqa. A mask becomes an additive float mask of
-0.7 * the dtype's max where False (jax.nn's constant): a query row whose keys are
all masked then attends uniformly, as on JAX, where torch's boolean mask would give
zeros (its query is zeroed so that, as on JAX, no gradient flows through it).
is_causal together with a mask or bias (torch refuses both) folds the causal
triangle into that float mask.
"""
import torch
import torch.nn.functional as F

from layerkit.engine.common.attention_args import (check_attention_shapes,
                                                   check_unsupported, mask_shape_4d)
from layerkit.engine.torch.core import convert_to_tensor


def _keep_mask(mask, is_causal, T, S, device):
    """The boolean mask of the logits that count (None: all of them)."""
    keep = None if mask is None else mask
    if is_causal:
        causal = torch.ones((T, S), dtype=torch.bool, device=device).tril()
        keep = causal if keep is None else keep & causal
    return keep


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
        bias = bias.reshape(mask_shape_4d("bias", bias.shape, target))
    if mask is not None:
        mask = convert_to_tensor(mask).to(torch.bool)
        mask = mask.reshape(mask_shape_4d("mask", mask.shape, target))
    attn_mask = None if bias is None else bias
    if mask is not None:
        keep = _keep_mask(mask, is_causal, T, S, query.device)
        is_causal = False
        base = torch.zeros((), dtype=dtype, device=query.device) if bias is None else attn_mask
        attn_mask = torch.where(keep, base, torch.tensor(-0.7 * torch.finfo(dtype).max,
                                                         dtype=dtype, device=query.device))
        # A query row with every key masked attends uniformly and passes no gradient
        # to the query or the keys, as with jax.nn (which replaces the logits): its
        # query is zeroed and its mask row cleared, so its logits are exactly 0.
        # (Leaving them all at -big gives the right output, but torch's backward then
        # loses the row's log-sum-exp to rounding and the value gradient comes out
        # S times too large.)
        rows = keep.any(-1, keepdim=True)                      # (B|1, N|1, T, 1)
        attn_mask = torch.where(rows, attn_mask, torch.zeros((), dtype=dtype,
                                                             device=query.device))
        query = query * rows.transpose(1, 2).to(dtype)
    elif bias is not None and is_causal:
        keep = _keep_mask(None, True, T, S, query.device)
        attn_mask = attn_mask.masked_fill(~keep, -0.7 * torch.finfo(dtype).max)
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
