"""The seed's LSTM classifier, trained by layerkit, by a hand-written loop on the same
engine and by Keras 3 on the same engine, side by side.

    LAYERKIT_BACKEND=jax   python benchmarks/bench_lstm.py
    LAYERKIT_BACKEND=torch python benchmarks/bench_lstm.py --repeats 3

Model (keras-notes.md): Embedding(20000, 256), LSTM(128), Dropout(0.5), Dense(1,
sigmoid); rmsprop (lr 1e-3, rho 0.9, eps 1e-7), binary crossentropy; sequences of 80
word ids, batch 32. The hand-written loops: on JAX a jitted step with the LSTM as a
lax.scan (input projection hoisted out of the loop) and optax; on PyTorch nn.Embedding,
nn.LSTM (the fused kernel) and torch.optim.RMSprop. Contenders alternate inside one run;
figures are medians of the repeats (one epoch each).
"""
import argparse
import os
import statistics
import time

import numpy as np

ENGINE = os.environ.get("LAYERKIT_BACKEND", "jax")
VOCAB, EMBED, UNITS, STEPS, BATCH = 20000, 256, 128, 80, 32


def make_data(n, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.integers(1, VOCAB, size=(n, STEPS)).astype("int32"),
            rng.integers(0, 2, size=(n, 1)).astype("float32"))


def layerkit_trainer(x, y):
    import layerkit
    from layerkit import layers
    model = layerkit.Sequential([layers.Embedding(VOCAB, EMBED), layers.LSTM(UNITS),
                                 layers.Dropout(0.5), layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    model.fit(x[:BATCH * 2], y[:BATCH * 2], batch_size=BATCH, epochs=1, verbose=0)
    return lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)


def keras_trainer(x, y):
    os.environ["KERAS_BACKEND"] = ENGINE
    try:
        import keras
    except Exception:
        return None
    model = keras.Sequential([keras.Input((STEPS,), dtype="int32"),
                              keras.layers.Embedding(VOCAB, EMBED), keras.layers.LSTM(UNITS),
                              keras.layers.Dropout(0.5),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    model.fit(x[:BATCH * 2], y[:BATCH * 2], batch_size=BATCH, epochs=1, verbose=0)
    return lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)


def raw_jax_trainer(x, y):
    import jax
    import jax.numpy as jnp
    import optax
    rng = np.random.default_rng(0)

    def glorot(shape):
        lim = np.sqrt(6 / sum(shape))
        return jnp.asarray(rng.uniform(-lim, lim, shape), jnp.float32)

    params = {"emb": jnp.asarray(rng.uniform(-.05, .05, (VOCAB, EMBED)), jnp.float32),
              "k": glorot((EMBED, 4 * UNITS)), "rk": glorot((UNITS, 4 * UNITS)),
              "b": jnp.zeros(4 * UNITS).at[UNITS:2 * UNITS].set(1.0),
              "w": glorot((UNITS, 1)), "wb": jnp.zeros(1)}
    opt = optax.rmsprop(1e-3, decay=0.9, eps=1e-7)

    def forward(p, ids, key):
        z = jnp.take(p["emb"], ids, axis=0) @ p["k"] + p["b"]

        def step(carry, z_t):
            h, c = carry
            g = z_t + h @ p["rk"]
            i, f, gg, o = jnp.split(g, 4, axis=-1)
            c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(gg)
            h = jax.nn.sigmoid(o) * jnp.tanh(c)
            return (h, c), None
        zeros = jnp.zeros((ids.shape[0], UNITS))
        (h, _), _ = jax.lax.scan(step, (zeros, zeros), jnp.swapaxes(z, 0, 1))
        h = jnp.where(jax.random.bernoulli(key, 0.5, h.shape), h / 0.5, 0.0)
        return jax.nn.sigmoid(h @ p["w"] + p["wb"])

    def loss_fn(p, xb, yb, key):
        pr = jnp.clip(forward(p, xb, key), 1e-7, 1 - 1e-7)
        return -jnp.mean(yb * jnp.log(pr) + (1 - yb) * jnp.log(1 - pr)), pr

    @jax.jit
    def step(state, xb, yb):
        p, o, key, sums = state
        key, sub = jax.random.split(key)
        (loss, pr), grads = jax.value_and_grad(loss_fn, has_aux=True)(p, xb, yb, sub)
        updates, o = opt.update(grads, o, p)
        acc = jnp.mean((pr > 0.5) == (yb > 0.5))
        return (optax.apply_updates(p, updates), o, key, sums + jnp.array([loss, acc, 1.]))

    holder = {"state": (params, opt.init(params), jax.random.PRNGKey(0), jnp.zeros(3))}

    def epoch():
        state = holder["state"][:3] + (jnp.zeros(3),)
        for s in range(0, len(x), BATCH):
            state = step(state, x[s:s + BATCH], y[s:s + BATCH])
        holder["state"] = state
        return float(state[3][0])
    epoch()
    return epoch


def raw_torch_trainer(x, y):
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = torch.nn.Embedding(VOCAB, EMBED)
            self.lstm = torch.nn.LSTM(EMBED, UNITS, batch_first=True)
            self.drop = torch.nn.Dropout(0.5)
            self.out = torch.nn.Linear(UNITS, 1)

        def forward(self, ids):
            _, (h, _) = self.lstm(self.emb(ids))
            return torch.sigmoid(self.out(self.drop(h[0])))

    net = Net()
    opt = torch.optim.RMSprop(net.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    xt, yt = torch.from_numpy(x).long(), torch.from_numpy(y)

    def epoch():
        net.train()
        loss_sum, acc_sum = torch.zeros(()), torch.zeros(())
        for s in range(0, len(x), BATCH):
            xb, yb = xt[s:s + BATCH], yt[s:s + BATCH]
            p = net(xb).clamp(1e-7, 1 - 1e-7)
            loss = -(yb * p.log() + (1 - yb) * (1 - p).log()).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                loss_sum += loss.detach()
                acc_sum += ((p > 0.5) == (yb > 0.5)).float().mean()
        return float(loss_sum)
    epoch()
    return epoch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batches", type=int, default=16, help="batches per epoch")
    parser.add_argument("--no-keras", action="store_true")
    args = parser.parse_args()
    x, y = make_data(BATCH * args.batches)
    contenders = {"layerkit": layerkit_trainer(x, y),
                  "raw": raw_jax_trainer(x, y) if ENGINE == "jax" else raw_torch_trainer(x, y)}
    if not args.no_keras:
        k = keras_trainer(x, y)
        if k is not None:
            contenders["keras3"] = k
    times = {name: [] for name in contenders}
    for _ in range(args.repeats):
        for name, fn in contenders.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"engine={ENGINE}  seed LSTM classifier  batch={BATCH}  steps={STEPS}  "
          f"batches/epoch={args.batches}  repeats={args.repeats} (medians)")
    for name, t in med.items():
        print(f"  {name:>9}: {t / args.batches * 1e3:8.1f} ms/step")
    print(f"  layerkit vs raw   : {med['raw'] / med['layerkit']:.2f}x")
    if "keras3" in med:
        print(f"  layerkit vs keras3: {med['keras3'] / med['layerkit']:.2f}x")


if __name__ == "__main__":
    main()
