"""A Transformer encoder block trained by layerkit, by a hand-written loop on the same
engine, and by Keras 3 on the same engine (where installed), side by side.

    LAYERKIT_BACKEND=jax   python benchmarks/bench_transformer.py
    LAYERKIT_BACKEND=torch python benchmarks/bench_transformer.py

Block: MultiHeadAttention(4 heads, key_dim 32) self-attention over 128 steps of 128
features, residual + LayerNormalization, a feed-forward Dense(256, relu) -> Dense(128),
residual + LayerNormalization, then GlobalAveragePooling1D and Dense(10, softmax);
batch 32, adam, sparse categorical crossentropy. No dropout, so every contender runs
the fused attention kernel (jax.nn.dot_product_attention / torch's
scaled_dot_product_attention). Figures are medians of the repeats, the contenders
alternating inside one run.
"""
import argparse

import numpy as np

from harness import ENGINE, keras3, race, report

STEPS, DIM, HEADS, KEY_DIM, FF, CLASSES, BATCH = 128, 128, 4, 32, 256, 10, 32
N = BATCH * 16


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, STEPS, DIM)).astype(np.float32)
    return x, rng.integers(0, CLASSES, N).astype(np.int32)


def build(lib):
    """The block in layerkit or Keras 3 (the same API)."""
    L = lib.layers
    inputs = lib.Input((STEPS, DIM))
    attended = L.MultiHeadAttention(num_heads=HEADS, key_dim=KEY_DIM)(inputs, inputs)
    x = L.LayerNormalization(epsilon=1e-6)(L.Add()([inputs, attended]))
    ff = L.Dense(DIM)(L.Dense(FF, activation="relu")(x))
    x = L.LayerNormalization(epsilon=1e-6)(L.Add()([x, ff]))
    outputs = L.Dense(CLASSES, activation="softmax")(L.GlobalAveragePooling1D()(x))
    model = lib.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def framework_trainer(lib, x, y):
    model = build(lib)
    model.fit(x[:BATCH * 2], y[:BATCH * 2], batch_size=BATCH, epochs=1, verbose=0)
    return lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)


def _glorot(rng, *shape):
    limit = np.sqrt(6.0 / (shape[0] + shape[-1]))
    return rng.uniform(-limit, limit, size=shape).astype(np.float32)


def _init(seed=0):
    rng = np.random.default_rng(seed)
    z = lambda *s: np.zeros(s, np.float32)  # noqa: E731
    return {"wq": _glorot(rng, DIM, HEADS * KEY_DIM), "bq": z(HEADS * KEY_DIM),
            "wk": _glorot(rng, DIM, HEADS * KEY_DIM), "bk": z(HEADS * KEY_DIM),
            "wv": _glorot(rng, DIM, HEADS * KEY_DIM), "bv": z(HEADS * KEY_DIM),
            "wo": _glorot(rng, HEADS * KEY_DIM, DIM), "bo": z(DIM),
            "g1": np.ones(DIM, np.float32), "b1": z(DIM),
            "w1": _glorot(rng, DIM, FF), "c1": z(FF), "w2": _glorot(rng, FF, DIM), "c2": z(DIM),
            "g2": np.ones(DIM, np.float32), "b2": z(DIM),
            "wc": _glorot(rng, DIM, CLASSES), "cc": z(CLASSES)}


# --- raw JAX ------------------------------------------------------------------
def raw_jax_trainer(x, y):
    import jax
    import jax.numpy as jnp
    import optax

    def norm(h, g, b):
        mean = h.mean(-1, keepdims=True)
        var = ((h - mean) ** 2).mean(-1, keepdims=True)
        return (h - mean) * jax.lax.rsqrt(var + 1e-6) * g + b

    def forward(p, xb):
        split = lambda t: t.reshape(t.shape[:2] + (HEADS, KEY_DIM))  # noqa: E731
        q, k, v = (split(xb @ p["w" + n] + p["b" + n]) for n in "qkv")
        att = jax.nn.dot_product_attention(q, k, v).reshape(xb.shape[:2] + (HEADS * KEY_DIM,))
        h = norm(xb + att @ p["wo"] + p["bo"], p["g1"], p["b1"])
        h = norm(h + jax.nn.relu(h @ p["w1"] + p["c1"]) @ p["w2"] + p["c2"], p["g2"], p["b2"])
        return h.mean(1) @ p["wc"] + p["cc"]

    def loss_fn(p, xb, yb):
        return optax.softmax_cross_entropy_with_integer_labels(forward(p, xb), yb).mean()

    opt = optax.adam(1e-3, eps=1e-7)

    @jax.jit
    def step(state, xb, yb):
        p, s = state
        loss, grads = jax.value_and_grad(loss_fn)(p, xb, yb)
        updates, s = opt.update(grads, s, p)
        return (optax.apply_updates(p, updates), s), loss

    params = {k: jnp.asarray(v) for k, v in _init().items()}
    holder = {"state": (params, opt.init(params))}

    def epoch():
        state, loss = holder["state"], None
        for start in range(0, N, BATCH):
            state, loss = step(state, x[start:start + BATCH], y[start:start + BATCH])
        holder["state"] = state
        return float(loss)
    epoch()
    return epoch


# --- raw PyTorch ----------------------------------------------------------------
def raw_torch_trainer(x, y):
    import torch
    import torch.nn.functional as F

    p = {k: torch.tensor(v, requires_grad=True) for k, v in _init().items()}
    opt = torch.optim.Adam(p.values(), lr=1e-3, eps=1e-7, foreach=True)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y).long()

    def forward(xb):
        heads = lambda t: t.view(t.shape[0], STEPS, HEADS, KEY_DIM).transpose(1, 2)  # noqa
        q, k, v = (heads(F.linear(xb, p["w" + n].T, p["b" + n])) for n in "qkv")
        att = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(
            xb.shape[0], STEPS, HEADS * KEY_DIM)
        h = F.layer_norm(xb + F.linear(att, p["wo"].T, p["bo"]), (DIM,), p["g1"], p["b1"], 1e-6)
        ff = F.linear(F.relu(F.linear(h, p["w1"].T, p["c1"])), p["w2"].T, p["c2"])
        h = F.layer_norm(h + ff, (DIM,), p["g2"], p["b2"], 1e-6)
        return F.linear(h.mean(1), p["wc"].T, p["cc"])

    def epoch():
        loss = None
        for start in range(0, N, BATCH):
            loss = F.cross_entropy(forward(xt[start:start + BATCH]), yt[start:start + BATCH])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        return float(loss.detach())
    epoch()
    return epoch


def keras_trainer(x, y):
    keras = keras3()
    return None if keras is None else framework_trainer(keras, x, y)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-keras", action="store_true")
    args = parser.parse_args()
    import layerkit
    x, y = make_data()
    contenders = {"layerkit": framework_trainer(layerkit, x, y),
                  "raw": raw_jax_trainer(x, y) if ENGINE == "jax" else raw_torch_trainer(x, y)}
    if not args.no_keras:
        k = keras_trainer(x, y)
        if k is not None:
            contenders["keras3"] = k
    times = {}
    race(contenders, args.repeats, times)
    report(f"transformer block  engine={ENGINE}  sequences={N}  batch={BATCH}  "
           f"repeats={args.repeats} (medians)", N, times)

if __name__ == "__main__":
    main()
