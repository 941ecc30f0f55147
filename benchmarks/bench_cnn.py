"""The seed's convnets, trained by layerkit, by a hand-written loop on the same engine
and by Keras 3 on the same engine, side by side in one run.

    LAYERKIT_BACKEND=jax   python benchmarks/bench_cnn.py --model vgg
    LAYERKIT_BACKEND=torch python benchmarks/bench_cnn.py --model xception

vgg:      the seed's VGG-like CNN, 100x100x3 images, 10 classes, batch 32,
          SGD(0.01, momentum .9, nesterov).
xception: the seed's mini-Xception, 64x64x1 images, 2 classes, batch 32, adam, with the
          seed's l2(0.01) on the two plain 3x3 convolutions.
The hand-written loops take their data in the layout their engine prefers (NCHW for
PyTorch); layerkit and Keras 3 take Keras's channels_last arrays.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ENGINE, keras3, race, report  # noqa: E402

SHAPES = {"vgg": ((100, 100, 3), 10), "xception": ((64, 64, 1), 2)}
BATCH = 32


def make_data(kind, n, seed=0):
    shape, classes = SHAPES[kind]
    rng = np.random.default_rng(seed)
    x = rng.random((n,) + shape, dtype=np.float32)
    y = np.eye(classes, dtype=np.float32)[rng.integers(0, classes, n)]
    return x, y


# --- the model, written once against the Keras API (layerkit and Keras 3) ------------
def build(k, kind):
    L = k.layers
    shape, classes = SHAPES[kind]
    if kind == "vgg":
        model = k.Sequential([
            k.Input(shape), L.Conv2D(32, 3, activation="relu"), L.Conv2D(32, 3, activation="relu"),
            L.MaxPooling2D(2), L.Dropout(0.25),
            L.Conv2D(64, 3, activation="relu"), L.Conv2D(64, 3, activation="relu"),
            L.MaxPooling2D(2), L.Dropout(0.25), L.Flatten(),
            L.Dense(256, activation="relu"), L.Dropout(0.5), L.Dense(classes, activation="softmax")])
        model.compile(loss="categorical_crossentropy",
                      optimizer=k.optimizers.SGD(0.01, momentum=0.9, nesterov=True))
        return model
    reg = k.regularizers.l2(0.01)
    inp = k.Input(shape)
    x = inp
    for _ in range(2):
        x = L.Conv2D(8, 3, kernel_regularizer=reg, use_bias=False)(x)
        x = L.Activation("relu")(L.BatchNormalization()(x))
    for filters in (16, 32, 64, 128):
        residual = L.BatchNormalization()(L.Conv2D(filters, 1, strides=2, padding="same",
                                                   use_bias=False)(x))
        x = L.BatchNormalization()(L.SeparableConv2D(filters, 3, padding="same", use_bias=False)(x))
        x = L.Activation("relu")(x)
        x = L.BatchNormalization()(L.SeparableConv2D(filters, 3, padding="same", use_bias=False)(x))
        x = L.add([L.MaxPooling2D(3, strides=2, padding="same")(x), residual])
    x = L.GlobalAveragePooling2D()(L.Conv2D(classes, 3, padding="same")(x))
    model = k.Model(inp, L.Activation("softmax")(x))
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


def keras_api_trainer(k, kind, x, y):
    model = build(k, kind)
    model.fit(x[:BATCH * 2], y[:BATCH * 2], batch_size=BATCH, epochs=1, verbose=0)
    return lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)


# --- raw JAX ---------------------------------------------------------------------------
def raw_jax_trainer(kind, x, y):
    import jax
    import jax.numpy as jnp
    import optax
    from jax import lax

    classes = SHAPES[kind][1]
    dn = ("NHWC", "HWIO", "NHWC")
    keys = iter(jax.random.split(jax.random.PRNGKey(0), 64))

    def glorot(shape):
        fan_in = int(np.prod(shape[:-1])) if len(shape) > 2 else shape[0]
        fan_out = shape[-1] * (int(np.prod(shape[:-2])) if len(shape) > 2 else 1)
        lim = np.sqrt(6 / (fan_in + fan_out))
        return jax.random.uniform(next(keys), shape, minval=-lim, maxval=lim)

    def conv(h, w, stride=1, padding="VALID", groups=1):
        return lax.conv_general_dilated(h, w, (stride, stride), padding, dimension_numbers=dn,
                                        feature_group_count=groups)

    def bn(h, p, s, train):
        if train:
            mean, var = jnp.mean(h, (0, 1, 2)), jnp.var(h, (0, 1, 2))
            s = {"m": 0.99 * s["m"] + 0.01 * mean, "v": 0.99 * s["v"] + 0.01 * var}
        else:
            mean, var = s["m"], s["v"]
        return (h - mean) * lax.rsqrt(var + 1e-3) * p["g"] + p["b"], s

    if kind == "vgg":
        params = {"c1": glorot((3, 3, 3, 32)), "c2": glorot((3, 3, 32, 32)),
                  "c3": glorot((3, 3, 32, 64)), "c4": glorot((3, 3, 64, 64)),
                  "cb": [jnp.zeros(32), jnp.zeros(32), jnp.zeros(64), jnp.zeros(64)],
                  "d1": glorot((22 * 22 * 64, 256)), "b1": jnp.zeros(256),
                  "d2": glorot((256, classes)), "b2": jnp.zeros(classes)}
        stats = {}
        opt = optax.sgd(0.01, momentum=0.9, nesterov=True)

        def dropout(h, key, rate):
            return jnp.where(jax.random.bernoulli(key, 1 - rate, h.shape), h / (1 - rate), 0.0)

        def forward(p, s, xb, key):
            k1, k2, k3 = jax.random.split(key, 3)
            h = jax.nn.relu(conv(xb, p["c1"]) + p["cb"][0])
            h = jax.nn.relu(conv(h, p["c2"]) + p["cb"][1])
            h = dropout(lax.reduce_window(h, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1),
                                          "VALID"), k1, 0.25)
            h = jax.nn.relu(conv(h, p["c3"]) + p["cb"][2])
            h = jax.nn.relu(conv(h, p["c4"]) + p["cb"][3])
            h = dropout(lax.reduce_window(h, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1),
                                          "VALID"), k2, 0.25)
            h = dropout(jax.nn.relu(h.reshape(h.shape[0], -1) @ p["d1"] + p["b1"]), k3, 0.5)
            return jax.nn.softmax(h @ p["d2"] + p["b2"]), s, 0.0
    else:
        params, stats = {"stem": [], "blocks": []}, {"stem": [], "blocks": []}
        cin = 1
        for _ in range(2):
            params["stem"].append({"w": glorot((3, 3, cin, 8)), "g": jnp.ones(8), "b": jnp.zeros(8)})
            stats["stem"].append({"m": jnp.zeros(8), "v": jnp.ones(8)})
            cin = 8
        for f in (16, 32, 64, 128):
            block_p, block_s = {"res": glorot((1, 1, cin, f))}, {}
            for name, c_in in (("s1", cin), ("s2", f)):
                block_p[name] = {"dw": glorot((3, 3, 1, c_in)), "pw": glorot((1, 1, c_in, f))}
            for name in ("bn_res", "bn1", "bn2"):
                block_p[name] = {"g": jnp.ones(f), "b": jnp.zeros(f)}
                block_s[name] = {"m": jnp.zeros(f), "v": jnp.ones(f)}
            params["blocks"].append(block_p)
            stats["blocks"].append(block_s)
            cin = f
        params["head"] = {"w": glorot((3, 3, cin, classes)), "b": jnp.zeros(classes)}
        opt = optax.adam(0.001, eps=1e-7)

        def sep(h, p):
            h = conv(h, p["dw"], padding="SAME", groups=h.shape[-1])
            return conv(h, p["pw"], padding="SAME")

        def forward(p, s, xb, key, train=True):
            new_s = {"stem": [], "blocks": []}
            h = xb
            for lp, ls in zip(p["stem"], s["stem"]):
                h, ns = bn(conv(h, lp["w"]), lp, ls, train)
                h = jax.nn.relu(h)
                new_s["stem"].append(ns)
            for bp, bs in zip(p["blocks"], s["blocks"]):
                res, s_res = bn(conv(h, bp["res"], 2, "SAME"), bp["bn_res"], bs["bn_res"], train)
                h, s1 = bn(sep(h, bp["s1"]), bp["bn1"], bs["bn1"], train)
                h, s2 = bn(sep(jax.nn.relu(h), bp["s2"]), bp["bn2"], bs["bn2"], train)
                h = lax.reduce_window(h, -jnp.inf, lax.max, (1, 3, 3, 1), (1, 2, 2, 1), "SAME")
                h = h + res
                new_s["blocks"].append({"bn_res": s_res, "bn1": s1, "bn2": s2})
            logits = jnp.mean(conv(h, p["head"]["w"], padding="SAME") + p["head"]["b"], (1, 2))
            l2 = 0.01 * sum(jnp.sum(lp["w"] ** 2) for lp in p["stem"])
            return jax.nn.softmax(logits), new_s, l2

    def loss_fn(p, s, xb, yb, key):
        prob, s, penalty = forward(p, s, xb, key)
        prob = jnp.clip(prob, 1e-7, 1 - 1e-7)
        return -jnp.mean(jnp.sum(yb * jnp.log(prob), -1)) + penalty, s

    @jax.jit
    def step(state, xb, yb):
        p, s, o, key = state
        key, sub = jax.random.split(key)
        (loss, s), grads = jax.value_and_grad(loss_fn, has_aux=True)(p, s, xb, yb, sub)
        updates, o = opt.update(grads, o, p)
        return (optax.apply_updates(p, updates), s, o, key), loss

    holder = {"state": (params, stats, opt.init(params), jax.random.PRNGKey(1))}
    rng = np.random.default_rng(0)

    def epoch():
        perm = rng.permutation(len(x))
        xs, ys = x[perm], y[perm]
        state = holder["state"]
        for start in range(0, len(x), BATCH):
            state, loss = step(state, xs[start:start + BATCH], ys[start:start + BATCH])
        holder["state"] = state
        jax.block_until_ready(loss)
    epoch()
    return epoch


# --- raw PyTorch -------------------------------------------------------------------------
def raw_torch_trainer(kind, x, y):
    import torch
    from torch import nn

    classes = SHAPES[kind][1]
    if kind == "vgg":
        net = nn.Sequential(
            nn.Conv2d(3, 32, 3), nn.ReLU(), nn.Conv2d(32, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Dropout(0.25), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.Conv2d(64, 64, 3), nn.ReLU(),
            nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(), nn.Linear(22 * 22 * 64, 256),
            nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, classes))
        opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, nesterov=True)
        penalized = []
    else:
        def bn(c):
            return nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)

        def sep(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cin, 3, padding=1, groups=cin, bias=False),
                                 nn.Conv2d(cin, cout, 1, bias=False))

        class Block(nn.Module):
            def __init__(self, cin, f):
                super().__init__()
                self.res = nn.Sequential(nn.Conv2d(cin, f, 1, stride=2, bias=False), bn(f))
                self.body = nn.Sequential(sep(cin, f), bn(f), nn.ReLU(), sep(f, f), bn(f),
                                          nn.MaxPool2d(3, 2, padding=1))

            def forward(self, h):
                return self.body(h) + self.res(h)

        stem = [nn.Conv2d(1, 8, 3, bias=False), bn(8), nn.ReLU(),
                nn.Conv2d(8, 8, 3, bias=False), bn(8), nn.ReLU()]
        blocks = [Block(c_in, f) for c_in, f in ((8, 16), (16, 32), (32, 64), (64, 128))]
        net = nn.Sequential(*stem, *blocks, nn.Conv2d(128, classes, 3, padding=1),
                            nn.AdaptiveAvgPool2d(1), nn.Flatten())
        opt = torch.optim.Adam(net.parameters(), lr=0.001, eps=1e-7)
        penalized = [stem[0].weight, stem[3].weight]
    # A fresh tensor: a transposed one-channel array keeps a non-canonical stride on
    # its size-1 axis, and torch 2.13's oneDNN conv backward corrupts the heap on it.
    src = torch.from_numpy(x).permute(0, 3, 1, 2)
    xt = torch.empty(src.shape).copy_(src)
    yt = torch.from_numpy(y)
    g = torch.Generator().manual_seed(0)

    def epoch():
        net.train()
        perm = torch.randperm(len(xt), generator=g)
        xs, ys = xt[perm], yt[perm]
        for start in range(0, len(xt), BATCH):
            xb, yb = xs[start:start + BATCH], ys[start:start + BATCH]
            prob = torch.softmax(net(xb), -1).clamp(1e-7, 1 - 1e-7)
            loss = -(yb * prob.log()).sum(-1).mean()
            for w in penalized:
                loss = loss + 0.01 * w.square().sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    epoch()
    return epoch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=sorted(SHAPES), default="vgg")
    parser.add_argument("--samples", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-keras", action="store_true")
    args = parser.parse_args()
    x, y = make_data(args.model, args.samples)
    import layerkit
    contenders = {"layerkit": keras_api_trainer(layerkit, args.model, x, y),
                  "raw": (raw_jax_trainer if ENGINE == "jax" else raw_torch_trainer)(
                      args.model, x, y)}
    k = None if args.no_keras else keras3()
    if k is not None and ENGINE == "torch" and args.model == "xception":
        # Keras 3 hands torch's conv a one-channel tensor with non-canonical strides, and
        # torch 2.13's CPU conv backward corrupts the heap on it: the process dies.
        print("keras3 left out: it crashes on this model on torch (heap corruption)")
        k = None
    if k is not None:
        contenders["keras3"] = keras_api_trainer(k, args.model, x, y)
    times = {}
    race(contenders, args.repeats, times)
    report(f"{args.model}  engine={ENGINE}  samples={args.samples}  batch={BATCH}  "
           f"repeats={args.repeats} (medians)", args.samples, times)


if __name__ == "__main__":
    main()
