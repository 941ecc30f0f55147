"""The seed's MLP, trained by layerkit and by a hand-written loop on the same engine.

    LAYERKIT_BACKEND=jax   python benchmarks/bench_mlp.py
    LAYERKIT_BACKEND=torch python benchmarks/bench_mlp.py

Model: Dense 64 relu, Dropout .5, Dense 64 relu, Dropout .5, Dense 10 softmax;
batch 128; SGD(0.01, momentum .9, nesterov); categorical crossentropy; accuracy.
The hand-written loops track loss and accuracy per epoch as fit does. The
contenders alternate inside one run; figures are medians of the repeats.
Also: steps_per_execution=K against a raw loop that scans K steps (JAX),
predict() on one sample, and the import time of layerkit against the engine.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ENGINE, paired_ratio, race  # noqa: E402
N, FEATURES, CLASSES, BATCH = 16384, 20, 10, 128


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((N, FEATURES), dtype=np.float32)
    y = np.eye(CLASSES, dtype=np.float32)[rng.integers(0, CLASSES, N)]
    return x, y


# --- layerkit ---------------------------------------------------------------
def layerkit_trainer(x, y, steps_per_execution=1):
    import layerkit
    from layerkit.layers import Dense, Dropout
    from layerkit.models import Sequential
    from layerkit.optimizers import SGD
    model = Sequential([Dense(64, activation="relu", input_dim=FEATURES), Dropout(0.5),
                        Dense(64, activation="relu"), Dropout(0.5),
                        Dense(CLASSES, activation="softmax")])
    model.compile(loss="categorical_crossentropy",
                  optimizer=SGD(learning_rate=0.01, momentum=0.9, nesterov=True),
                  metrics=["accuracy"], steps_per_execution=steps_per_execution)
    model.fit(x[:BATCH * 4], y[:BATCH * 4], batch_size=BATCH, epochs=1, verbose=0)

    def epoch():
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    return epoch, model


# --- raw JAX ------------------------------------------------------------------
def raw_jax_trainer(x, y, scan_steps=1):
    import jax
    import jax.numpy as jnp
    import optax

    def init(key):
        ks = jax.random.split(key, 3)
        def dense(k, i, o):
            lim = np.sqrt(6 / (i + o))
            return {"w": jax.random.uniform(k, (i, o), minval=-lim, maxval=lim), "b": jnp.zeros(o)}
        return [dense(ks[0], FEATURES, 64), dense(ks[1], 64, 64), dense(ks[2], 64, CLASSES)]

    def forward(params, xb, key):
        k1, k2 = jax.random.split(key)
        h = jax.nn.relu(xb @ params[0]["w"] + params[0]["b"])
        h = jnp.where(jax.random.bernoulli(k1, 0.5, h.shape), h / 0.5, 0.0)
        h = jax.nn.relu(h @ params[1]["w"] + params[1]["b"])
        h = jnp.where(jax.random.bernoulli(k2, 0.5, h.shape), h / 0.5, 0.0)
        return jax.nn.softmax(h @ params[2]["w"] + params[2]["b"])

    def loss_fn(params, xb, yb, key):
        p = jnp.clip(forward(params, xb, key), 1e-7, 1 - 1e-7)
        return -jnp.mean(jnp.sum(yb * jnp.log(p), axis=-1)), p

    opt = optax.sgd(0.01, momentum=0.9, nesterov=True)

    def step(state, batch):
        params, opt_state, key, sums = state
        xb, yb = batch
        key, sub = jax.random.split(key)
        (loss, p), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, xb, yb, sub)
        updates, opt_state = opt.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        n = xb.shape[0]
        acc = jnp.mean(jnp.argmax(p, -1) == jnp.argmax(yb, -1))
        sums = sums + jnp.array([loss * n, acc * n, n])
        return (params, opt_state, key, sums), sums

    one = jax.jit(step, donate_argnums=0)

    def scanned(state, batches):
        state, sums = jax.lax.scan(step, state, batches)
        return state, sums[-1]
    many = jax.jit(scanned, donate_argnums=0)
    params = init(jax.random.PRNGKey(0))
    holder = {"state": (params, opt.init(params), jax.random.PRNGKey(1), jnp.zeros(3))}
    rng = np.random.default_rng(0)

    def epoch():
        perm = rng.permutation(N)
        xs, ys = x[perm], y[perm]
        state = holder["state"]
        state = state[:3] + (jnp.zeros(3),)
        block = BATCH * scan_steps
        full = N // block if scan_steps > 1 else 0
        for b in range(full):
            s = slice(b * block, (b + 1) * block)
            state, sums = many(state, (xs[s].reshape(scan_steps, BATCH, FEATURES),
                                       ys[s].reshape(scan_steps, BATCH, CLASSES)))
        for start in range(full * block, N, BATCH):
            state, sums = one(state, (xs[start:start + BATCH], ys[start:start + BATCH]))
        holder["state"] = state
        jax.block_until_ready(sums)
        return float(sums[0] / sums[2]), float(sums[1] / sums[2])
    epoch()
    return epoch


# --- raw PyTorch ----------------------------------------------------------------
def raw_torch_trainer(x, y):
    import torch
    net = torch.nn.Sequential(torch.nn.Linear(FEATURES, 64), torch.nn.ReLU(), torch.nn.Dropout(0.5),
                              torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Dropout(0.5),
                              torch.nn.Linear(64, CLASSES))
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    g = torch.Generator().manual_seed(0)

    def epoch():
        net.train()
        perm = torch.randperm(N, generator=g)
        xs, ys = xt[perm], yt[perm]
        loss_sum = torch.zeros(()); acc_sum = torch.zeros(())
        for start in range(0, N, BATCH):
            xb, yb = xs[start:start + BATCH], ys[start:start + BATCH]
            p = torch.softmax(net(xb), dim=-1).clamp(1e-7, 1 - 1e-7)
            loss = -(yb * p.log()).sum(-1).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                n = xb.shape[0]
                loss_sum += loss.detach() * n
                acc_sum += (p.argmax(-1) == yb.argmax(-1)).float().mean() * n
        return float(loss_sum / N), float(acc_sum / N)
    epoch()
    return epoch


# --- Keras 3 on the same engine ---------------------------------------------------
def keras_trainer(x, y):
    os.environ["KERAS_BACKEND"] = ENGINE
    try:
        import keras
    except Exception:
        return None
    model = keras.Sequential([keras.Input((FEATURES,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dropout(0.5), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dropout(0.5), keras.layers.Dense(CLASSES, activation="softmax")])
    model.compile(loss="categorical_crossentropy",
                  optimizer=keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
                  metrics=["accuracy"])
    model.fit(x[:BATCH * 4], y[:BATCH * 4], batch_size=BATCH, epochs=1, verbose=0)
    return lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)


def predict_latency(model, repeats=2000):
    one = np.random.random((1, FEATURES)).astype(np.float32)
    for _ in range(50):
        model.predict(one, verbose=0)
    ts = []
    for _ in range(repeats):
        t = time.perf_counter()
        model.predict(one, verbose=0)
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def import_times(repeats=5):
    def run(code):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True,
                       env=dict(os.environ, LAYERKIT_BACKEND=ENGINE))
        return time.perf_counter() - t
    base = statistics.median(run("pass") for _ in range(repeats))
    engine = statistics.median(run(f"import {ENGINE}") for _ in range(repeats)) - base
    layerkit = statistics.median(run("import layerkit") for _ in range(repeats)) - base
    return engine, layerkit


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--scan", type=int, default=8, help="K for steps_per_execution (JAX)")
    parser.add_argument("--no-keras", action="store_true")
    args = parser.parse_args()
    x, y = make_data()
    lk_epoch, lk_model = layerkit_trainer(x, y)
    contenders = {"layerkit": lk_epoch}
    contenders["raw"] = raw_jax_trainer(x, y) if ENGINE == "jax" else raw_torch_trainer(x, y)
    if not args.no_keras:
        k = keras_trainer(x, y)
        if k is not None:
            contenders["keras3"] = k
    times = {}
    med = race(contenders, args.repeats, times)
    print(f"engine={ENGINE}  samples={N}  batch={BATCH}  repeats={args.repeats} (medians)")
    for name, t in med.items():
        print(f"  {name:>22}: {N / t:12.0f} samples/s   ({t * 1e3:.1f} ms/epoch)")
    print(f"  ratio layerkit/raw    : {med['raw'] / med['layerkit']:.3f}x   "
          f"(median of paired repeats: {paired_ratio(times, 'layerkit', 'raw'):.3f}x)")
    if "keras3" in med:
        print(f"  ratio keras3/raw      : {med['raw'] / med['keras3']:.3f}x")
    if ENGINE == "jax" and args.scan > 1:
        k = args.scan
        lk_scan, _ = layerkit_trainer(x, y, steps_per_execution=k)
        times2 = {}
        med2 = race({"layerkit_spe": lk_scan, "raw_scan": raw_jax_trainer(x, y, scan_steps=k)},
                    args.repeats, times2)
        print(f"  steps_per_execution={k}: layerkit {N / med2['layerkit_spe']:.0f} samples/s, "
              f"raw scan {N / med2['raw_scan']:.0f} samples/s, ratio "
              f"{med2['raw_scan'] / med2['layerkit_spe']:.3f}x (paired: "
              f"{paired_ratio(times2, 'layerkit_spe', 'raw_scan'):.3f}x)")
    lat = predict_latency(lk_model)
    print(f"  predict(1 sample)     : {lat * 1e3:.3f} ms (median)")
    engine_t, layerkit_t = import_times()
    print(f"  import {ENGINE:<6}          : {engine_t:.3f} s;  import layerkit: {layerkit_t:.3f} s "
          f"({layerkit_t / engine_t:.2f}x)")


if __name__ == "__main__":
    main()
