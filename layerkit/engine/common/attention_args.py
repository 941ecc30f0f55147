"""Checks shared by both engines' `dot_product_attention` (Keras 3's `ops` signature):
query (B, T, N, H), key (B, S, K, H), value (B, S, K, Hv), N a multiple of K
(grouped-query attention when K < N); bias and mask broadcastable to (B, N, T, S)."""


def check_attention_shapes(query_shape, key_shape, value_shape):
    """Raises a clear ValueError for shapes Keras's layout cannot take; returns
    (num query heads, num key/value heads)."""
    shapes = {"query": tuple(query_shape), "key": tuple(key_shape),
              "value": tuple(value_shape)}
    if any(len(s) != 4 for s in shapes.values()):
        raise ValueError(
            "dot_product_attention: query, key and value must be 4-D, laid out (batch, "
            f"length, heads, head_dim); received query.shape={shapes['query']}, "
            f"key.shape={shapes['key']}, value.shape={shapes['value']}.")
    q, k, v = shapes["query"], shapes["key"], shapes["value"]
    if k[:3] != v[:3]:
        raise ValueError(
            "dot_product_attention: key and value must agree in batch, length and heads; "
            f"received key.shape={k}, value.shape={v}.")
    if q[0] != k[0] or q[3] != k[3]:
        raise ValueError(
            "dot_product_attention: query and key must agree in batch size and head_dim "
            f"(axes 0 and 3); received query.shape={q}, key.shape={k}.")
    if k[2] == 0 or q[2] % k[2]:
        raise ValueError(
            "dot_product_attention: the number of query heads must be a multiple of the "
            f"number of key/value heads; received query.shape={q} ({q[2]} heads), "
            f"key.shape={k} ({k[2]} heads).")
    return q[2], k[2]


def mask_shape_4d(name, shape, target):
    """The 4-D shape a mask or bias of `shape` stands for, checked against `target`
    (B, N, T, S): 4-D as given, 3-D is (B, T, S) (one mask for every head, as Keras
    reads it), 2-D (T, S), 1-D (S,)."""
    shape = tuple(shape)
    full = {4: shape, 3: shape[:1] + (1,) + shape[1:], 2: (1, 1) + shape,
            1: (1, 1, 1) + shape}.get(len(shape))
    if full is None or not all(m == 1 or m == t for m, t in zip(full, target)):
        raise ValueError(
            f"dot_product_attention: `{name}` must broadcast to (batch, heads, query length, "
            f"key length) = {tuple(target)} (a 3-D one is read as (batch, query length, "
            f"key length)); received {name}.shape={shape}.")
    return full


def check_unsupported(attn_logits_soft_cap):
    if attn_logits_soft_cap is not None:
        raise ValueError(
            "dot_product_attention: `attn_logits_soft_cap` is only supported by Keras on "
            "JAX with TPUs (its Splash kernel); layerkit has no such kernel. Pass "
            "attn_logits_soft_cap=None.")
