"""Training samples/s at 1, 2 and 4 devices under DataParallel, for the seed MLP and a
small conv net: the cost of distribution (batch split, collectives), not a speedup.

    python benchmarks/bench_scaling.py                 # JAX rows (and torch rows once filled)
    python benchmarks/bench_scaling.py --devices 1 2 4 --epochs 3

JAX: each device count runs in a fresh process with that many forced CPU devices
(XLA_FLAGS=--xla_force_host_platform_device_count=N, JAX_PLATFORMS=cpu) and
DataParallel over all of them; "1, none" is the same fit with no distribution.
Forced CPU devices share the machine's cores, so more devices cannot run faster
here: the figures show the overhead. On GPUs set JAX_PLATFORMS=cuda and the
number of visible GPUs instead (--platform cuda).
torch: each count is `torchrun --standalone --nproc_per_node=N`, one process per device
(gloo on CPU, one thread each; NCCL on GPUs with --platform cuda); its MLP "raw loop" is
a hand-written DistributedDataParallel loop.
Figures: the median of --epochs timed epochs after one warm-up epoch, same global
batch at every device count. For the MLP a hand-written data-parallel JAX loop on the
same mesh ("raw loop") alternates with layerkit, so the cost of the collectives on
forced CPU devices is told apart from layerkit's own.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

WORKLOADS = {
    # name: (samples, global batch)
    "mlp": (16384, 128),
    "conv": (2048, 64),
}


def make_model(name):
    import layerkit
    from layerkit import layers
    if name == "mlp":   # the seed MLP (benchmarks/bench_mlp.py)
        model = layerkit.Sequential([
            layers.Input((20,)), layers.Dense(64, activation="relu"), layers.Dropout(0.5),
            layers.Dense(64, activation="relu"), layers.Dropout(0.5),
            layers.Dense(10, activation="softmax")])
        optimizer = layerkit.optimizers.SGD(0.01, momentum=0.9, nesterov=True)
    else:
        model = layerkit.Sequential([
            layers.Input((28, 28, 1)), layers.Conv2D(16, 3, activation="relu"),
            layers.MaxPooling2D(), layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(), layers.Flatten(), layers.Dense(10, activation="softmax")])
        optimizer = layerkit.optimizers.Adam(1e-3)
    model.compile(optimizer, "categorical_crossentropy", metrics=["accuracy"])
    return model


def make_data(name):
    samples, _ = WORKLOADS[name]
    rng = np.random.default_rng(0)
    shape = (samples, 20) if name == "mlp" else (samples, 28, 28, 1)
    x = rng.random(shape, dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, samples)]
    return x, y


def jax_worker(name, distributed, epochs):
    """Runs inside a process started with N forced devices; prints samples/s of
    layerkit's fit (and of the raw loop, for the MLP)."""
    from layerkit import distribution
    if distributed:
        distribution.set_distribution(distribution.DataParallel())
    contenders, samples = fit_contenders(name, distributed, raw_jax_epoch)
    race_and_print(contenders, samples, epochs, len(distribution.list_devices()))


def fit_contenders(name, distributed, raw_epoch):
    """layerkit's fit of workload `name` and, for the distributed MLP, the hand-written
    loop `raw_epoch(x, y, batch)`; with the number of samples per epoch."""
    import layerkit
    layerkit.utils.set_random_seed(0)
    x, y = make_data(name)
    _, batch = WORKLOADS[name]
    model = make_model(name)
    contenders = {"layerkit": lambda: model.fit(x, y, batch_size=batch, epochs=1, verbose=0)}
    if name == "mlp" and distributed:
        contenders["raw"] = raw_epoch(x, y, batch)
    return contenders, len(x)


def race_and_print(contenders, samples, epochs, devices):
    """Times the contenders' epochs alternately; prints samples/s as one JSON line."""
    times = {k: [] for k in contenders}
    for k, fn in contenders.items():
        fn()   # compile and warm up
    for _ in range(epochs):   # the contenders alternate
        for k, fn in contenders.items():
            t = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t)
    print(json.dumps({"samples_per_s": {k: samples / statistics.median(v)
                                        for k, v in times.items()},
                      "devices": devices}))


def raw_jax_epoch(x, y, batch):
    """A hand-written data-parallel loop of the seed MLP on the same mesh (params
    replicated, each batch split with jax.device_put, jit propagating the shardings):
    what the devices and collectives cost without layerkit."""
    import jax
    import jax.numpy as jnp
    import optax
    from jax.sharding import Mesh, NamedSharding, PartitionSpec

    mesh = Mesh(np.array(jax.devices()), ("batch",))
    whole, split = NamedSharding(mesh, PartitionSpec()), NamedSharding(mesh, PartitionSpec("batch"))
    sizes = [(20, 64), (64, 64), (64, 10)]
    keys = jax.random.split(jax.random.PRNGKey(0), 3)
    params = [{"w": jax.random.uniform(k, s, minval=-0.2, maxval=0.2), "b": jnp.zeros(s[1])}
              for k, s in zip(keys, sizes)]
    opt = optax.sgd(0.01, momentum=0.9, nesterov=True)

    def loss_fn(params, xb, yb, key):
        h = xb
        for i, layer in enumerate(params):
            h = h @ layer["w"] + layer["b"]
            if i < 2:
                h = jax.nn.relu(h)
                h = jnp.where(jax.random.bernoulli(jax.random.fold_in(key, i), 0.5, h.shape),
                              h / 0.5, 0.0)
        p = jnp.clip(jax.nn.softmax(h), 1e-7, 1 - 1e-7)
        return -jnp.mean(jnp.sum(yb * jnp.log(p), axis=-1)), p

    @jax.jit
    def step(state, xb, yb):
        params, opt_state, key, sums = state
        key, sub = jax.random.split(key)
        (loss, p), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, xb, yb, sub)
        updates, opt_state = opt.update(grads, opt_state, params)
        acc = jnp.mean(jnp.argmax(p, -1) == jnp.argmax(yb, -1))
        n = xb.shape[0]
        return (optax.apply_updates(params, updates), opt_state, key,
                sums + jnp.array([loss * n, acc * n, n])), None

    state = jax.device_put((params, opt.init(params), jax.random.PRNGKey(1), jnp.zeros(3)),
                           whole)

    def epoch():
        nonlocal state
        for start in range(0, len(x), batch):
            xb, yb = jax.device_put((x[start:start + batch], y[start:start + batch]), split)
            state, _ = step(state, xb, yb)
        jax.block_until_ready(state)
    return epoch


def jax_samples_per_s(name, devices, distributed, epochs, platform):
    env = dict(os.environ, LAYERKIT_BACKEND="jax", JAX_PLATFORMS=platform)
    if platform == "cpu":
        env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices}"
    else:
        env["CUDA_VISIBLE_DEVICES"] = ",".join(str(i) for i in range(devices))
    here = os.path.dirname(os.path.abspath(__file__))
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(here), env.get("PYTHONPATH", "")])
    command = [sys.executable, os.path.abspath(__file__), "--worker", name,
               "--distributed", str(int(distributed)), "--epochs", str(epochs)]
    for attempt in range(3):
        out = subprocess.run(command, env=env, capture_output=True, text=True)
        # XLA's CPU all-reduce over more forced devices than cores sometimes stalls and
        # aborts (a raw JAX loop too); such a run is reported and run again.
        if out.returncode != -6 or platform != "cpu":
            break
        print(f"  ({name}, {devices} devices: XLA's CPU all-reduce stalled and aborted; "
              "running again)", file=sys.stderr)
    if out.returncode:
        raise RuntimeError(f"the {name} worker on {devices} devices failed:\n"
                           f"{out.stderr[-2000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["devices"] == devices, result
    return result["samples_per_s"]


def torch_worker(name, distributed, epochs):
    """One process of a torch row (torchrun starts `devices` of them): layerkit's fit
    under DataParallel and, for the MLP, a hand-written DDP loop; process 0 prints."""
    from layerkit import distribution
    if distributed and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        distribution.initialize()   # from torchrun's environment
    if distributed:
        distribution.set_distribution(distribution.DataParallel())
    contenders, samples = fit_contenders(name, distributed, raw_torch_epoch)
    if int(os.environ.get("RANK", "0")) != 0:
        sys.stdout = open(os.devnull, "w")
    race_and_print(contenders, samples, epochs, len(distribution.list_devices()))


def raw_torch_epoch(x, y, batch):
    """A hand-written DistributedDataParallel loop of the seed MLP (torch.nn, torch.optim):
    each process steps on its rows of every global batch; the epoch's loss and accuracy
    are summed across processes at its end, as fit's logs are."""
    import torch
    import torch.distributed as dist
    world = dist.get_world_size() if dist.is_initialized() else 1
    rank = dist.get_rank() if dist.is_initialized() else 0
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(20, 64), torch.nn.ReLU(), torch.nn.Dropout(0.5),
        torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Dropout(0.5),
        torch.nn.Linear(64, 10))
    ddp = torch.nn.parallel.DistributedDataParallel(net) if world > 1 else net
    opt = torch.optim.SGD(ddp.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    xt, yt, local = torch.from_numpy(x), torch.from_numpy(y), batch // world

    def epoch():
        sums = torch.zeros(3)
        for start in range(0, len(xt), batch):
            rows = slice(start + rank * local, start + (rank + 1) * local)
            xb, yb = xt[rows], yt[rows]
            logits = ddp(xb)
            loss = -(yb * torch.log_softmax(logits, -1)).sum(-1).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                hits = (logits.argmax(-1) == yb.argmax(-1)).sum()
                sums += torch.stack([loss.detach() * len(xb), hits.float(),
                                     torch.tensor(float(len(xb)))])
        if world > 1:
            dist.all_reduce(sums)
    return epoch


def torch_samples_per_s(name, devices, distributed, epochs, platform):
    """The torch rows, as jax_samples_per_s: {"layerkit": samples/s} (and "raw" for the
    hand-written DDP loop) of `torchrun --standalone --nproc_per_node=devices`,
    DataParallel on gloo (CPU, one thread per process) or NCCL (GPUs); "1, none" is a
    plain process without distribution."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.pathsep.join([os.path.dirname(here), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, LAYERKIT_BACKEND="torch", OMP_NUM_THREADS="1", PYTHONPATH=path)
    env["CUDA_VISIBLE_DEVICES"] = "" if platform == "cpu" else \
        ",".join(str(i) for i in range(devices))
    worker = [os.path.abspath(__file__), "--worker", name, "--distributed",
              str(int(distributed)), "--epochs", str(epochs)]
    if distributed:
        torchrun = os.path.join(os.path.dirname(sys.executable), "torchrun")
        command = [torchrun, "--standalone", f"--nproc_per_node={devices}"] + worker
    else:
        command = [sys.executable] + worker
    out = subprocess.run(command, env=env, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"the torch {name} worker on {devices} processes failed:\n"
                           f"{out.stderr[-2000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["devices"] == devices, result
    return result["samples_per_s"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--workloads", nargs="+", default=list(WORKLOADS))
    parser.add_argument("--engines", nargs="+", default=["jax", "torch"])
    parser.add_argument("--platform", default="cpu")
    parser.add_argument("--worker")
    parser.add_argument("--distributed", type=int, default=1)
    args = parser.parse_args()
    if args.worker:
        worker = torch_worker if os.environ.get("LAYERKIT_BACKEND") == "torch" else jax_worker
        worker(args.worker, bool(args.distributed), args.epochs)
        return
    measure = {"jax": jax_samples_per_s, "torch": torch_samples_per_s}
    print(f"{'engine':>6} {'workload':>8} {'devices':>8} {'samples/s':>10} {'vs 1, none':>10}"
          f" {'raw loop':>10}")
    for engine in args.engines:
        for name in args.workloads:
            try:
                base = measure[engine](name, 1, False, args.epochs, args.platform)["layerkit"]
            except NotImplementedError as err:
                print(f"{engine:>6} {name:>8}  {err}")
                continue
            print(f"{engine:>6} {name:>8} {'1, none':>8} {base:10.0f} {1:10.2f}")
            for n in args.devices:
                rates = measure[engine](name, n, True, args.epochs, args.platform)
                raw = f"{rates['raw']:10.0f}" if "raw" in rates else ""
                print(f"{engine:>6} {name:>8} {n:>8} {rates['layerkit']:10.0f} "
                      f"{rates['layerkit'] / base:10.2f} {raw}", flush=True)


if __name__ == "__main__":
    main()
