"""The seed's Conv1D sequence classifier trained by layerkit, by a hand-written loop on
the same engine, and by Keras 3 on the same engine (where installed), side by side,
at batch 16 and batch 128.

    LAYERKIT_BACKEND=jax   python benchmarks/bench_conv1d.py
    LAYERKIT_BACKEND=torch python benchmarks/bench_conv1d.py

Model (the seed's): Conv1D(64, 3, relu) x2, MaxPooling1D(3), Conv1D(128, 3, relu) x2,
GlobalAveragePooling1D, Dropout(0.5), Dense(1, sigmoid); inputs of 64 steps x 100
features; rmsprop; binary crossentropy; accuracy. The raw loops shuffle the samples each
epoch, as `fit` does (and as the MLP and CNN benchmarks' raw loops do); the raw torch
loop keeps its data channels-first (N, C, T), as a torch user would. Figures are
medians of the repeats, the contenders alternating inside one run.
"""
import argparse

import numpy as np

from harness import ENGINE, keras3, race, report

STEPS, FEATURES, N = 64, 100, 2048


def set_samples(n):
    global N
    N = n


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((N, STEPS, FEATURES), dtype=np.float32)
    return x, rng.integers(0, 2, (N, 1)).astype(np.float32)


def framework_trainer(lib, x, y, batch):
    L = lib.layers
    model = lib.Sequential([
        lib.Input((STEPS, FEATURES)), L.Conv1D(64, 3, activation="relu"),
        L.Conv1D(64, 3, activation="relu"), L.MaxPooling1D(3),
        L.Conv1D(128, 3, activation="relu"), L.Conv1D(128, 3, activation="relu"),
        L.GlobalAveragePooling1D(), L.Dropout(0.5), L.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    model.fit(x[:batch * 2], y[:batch * 2], batch_size=batch, epochs=1, verbose=0)
    return lambda: model.fit(x, y, batch_size=batch, epochs=1, verbose=0)


def _init(seed=0):
    rng = np.random.default_rng(seed)

    def conv(k, i, o):
        limit = np.sqrt(6.0 / (k * i + k * o))
        return rng.uniform(-limit, limit, (k, i, o)).astype(np.float32), np.zeros(o, np.float32)
    layers = [conv(3, FEATURES, 64), conv(3, 64, 64), conv(3, 64, 128), conv(3, 128, 128)]
    limit = np.sqrt(6.0 / 129)
    dense = (rng.uniform(-limit, limit, (128, 1)).astype(np.float32), np.zeros(1, np.float32))
    return layers, dense


# --- raw JAX ------------------------------------------------------------------
def raw_jax_trainer(x, y, batch):
    import jax
    import jax.numpy as jnp
    import optax

    def conv(h, w, b):
        return jax.nn.relu(jax.lax.conv_general_dilated(
            h, w, (1,), "VALID", dimension_numbers=("NWC", "WIO", "NWC")) + b)

    def forward(p, xb, key):
        (c1, c2, c3, c4), (wd, bd) = p
        h = conv(conv(xb, *c1), *c2)
        h = jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 3, 1), (1, 3, 1), "VALID")
        h = conv(conv(h, *c3), *c4).mean(1)
        h = jnp.where(jax.random.bernoulli(key, 0.5, h.shape), h / 0.5, 0.0)
        return jax.nn.sigmoid(h @ wd + bd)

    def loss_fn(p, xb, yb, key):
        out = jnp.clip(forward(p, xb, key), 1e-7, 1 - 1e-7)
        loss = -jnp.mean(yb * jnp.log(out) + (1 - yb) * jnp.log(1 - out))
        return loss, jnp.mean((out > 0.5) == (yb > 0.5))

    opt = optax.rmsprop(1e-3, decay=0.9, eps=1e-7)

    @jax.jit
    def step(state, xb, yb):
        p, s, key = state
        key, sub = jax.random.split(key)
        (loss, acc), grads = jax.value_and_grad(loss_fn, has_aux=True)(p, xb, yb, sub)
        updates, s = opt.update(grads, s, p)
        return (optax.apply_updates(p, updates), s, key), (loss, acc)

    params = jax.tree_util.tree_map(jnp.asarray, _init())
    holder = {"state": (params, opt.init(params), jax.random.PRNGKey(0))}
    rng = np.random.default_rng(0)

    def epoch():
        state, logs = holder["state"], None
        perm = rng.permutation(N)
        xs, ys = x[perm], y[perm]
        for start in range(0, N, batch):
            state, logs = step(state, xs[start:start + batch], ys[start:start + batch])
        holder["state"] = state
        return float(logs[0])
    epoch()
    return epoch


# --- raw PyTorch ----------------------------------------------------------------
def raw_torch_trainer(x, y, batch):
    import torch
    import torch.nn.functional as F

    convs, dense = _init()
    params = []
    for w, b in convs:     # (k, in, out) -> torch's (out, in, k)
        params += [torch.tensor(w.transpose(2, 1, 0).copy(), requires_grad=True),
                   torch.tensor(b, requires_grad=True)]
    params += [torch.tensor(dense[0].T.copy(), requires_grad=True),
               torch.tensor(dense[1], requires_grad=True)]
    opt = torch.optim.RMSprop(params, lr=1e-3, alpha=0.9, eps=1e-7, foreach=True)
    xt = torch.from_numpy(x.transpose(0, 2, 1).copy())      # channels first, once
    yt = torch.from_numpy(y)
    g = torch.Generator().manual_seed(0)

    def forward(xb):
        w = params
        h = F.relu(F.conv1d(F.relu(F.conv1d(xb, w[0], w[1])), w[2], w[3]))
        h = F.max_pool1d(h, 3)
        h = F.relu(F.conv1d(F.relu(F.conv1d(h, w[4], w[5])), w[6], w[7])).mean(-1)
        return torch.sigmoid(F.linear(F.dropout(h, 0.5, training=True), w[8], w[9]))

    def epoch():
        loss = None
        perm = torch.randperm(N, generator=g)
        xs, ys = xt[perm], yt[perm]
        for start in range(0, N, batch):
            out = forward(xs[start:start + batch]).clamp(1e-7, 1 - 1e-7)
            yb = ys[start:start + batch]
            loss = F.binary_cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                ((out > 0.5) == (yb > 0.5)).float().mean()
        return float(loss.detach())
    epoch()
    return epoch


def keras_trainer(x, y, batch):
    keras = keras3()
    return None if keras is None else framework_trainer(keras, x, y, batch)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batches", type=int, nargs="+", default=[16, 128])
    parser.add_argument("--samples", type=int, default=N, help="sequences per epoch")
    parser.add_argument("--no-keras", action="store_true")
    args = parser.parse_args()
    import layerkit
    set_samples(args.samples)
    x, y = make_data()
    for batch in args.batches:
        contenders = {"layerkit": framework_trainer(layerkit, x, y, batch),
                      "raw": (raw_jax_trainer if ENGINE == "jax" else raw_torch_trainer)(
                          x, y, batch)}
        if not args.no_keras:
            k = keras_trainer(x, y, batch)
            if k is not None:
                contenders["keras3"] = k
        times = {}
        race(contenders, args.repeats, times)
        report(f"conv1d classifier  engine={ENGINE}  samples={N}  batch={batch}  "
               f"repeats={args.repeats} (medians)", N, times)

if __name__ == "__main__":
    main()
