"""Training samples/s at 1, 2 and 4 devices under DataParallel, for the seed MLP and a
small conv net: the cost of distribution (batch split, collectives), not a speedup.

    python benchmarks/bench_scaling.py                 # JAX and torch rows
    python benchmarks/bench_scaling.py --devices 1 2 4 --epochs 3

JAX: each device count runs in a fresh process with that many forced CPU devices
(XLA_FLAGS=--xla_force_host_platform_device_count=N, JAX_PLATFORMS=cpu) and
DataParallel over all of them; "1, none" is the same fit with no distribution.
Forced CPU devices share the machine's cores, so more devices cannot run faster
here: the figures show the overhead. On GPUs set JAX_PLATFORMS=cuda and the
number of visible GPUs instead (--platform cuda).
torch: each count is `torchrun --standalone --nproc_per_node=N`, one process per device
(gloo on CPU, one thread each; NCCL on GPUs with --platform cuda).
Figures: the median of --epochs timed epochs after one warm-up epoch, same global
batch at every device count.
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
    """Runs inside a process started with N forced devices; prints samples/s."""
    import layerkit
    from layerkit import distribution
    if distributed:
        distribution.set_distribution(distribution.DataParallel())
    layerkit.utils.set_random_seed(0)
    x, y = make_data(name)
    _, batch = WORKLOADS[name]
    model = make_model(name)
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0)   # compile and warm up
    times = []
    for _ in range(epochs):
        t = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        times.append(time.perf_counter() - t)
    print(json.dumps({"samples_per_s": len(x) / statistics.median(times),
                      "devices": len(distribution.list_devices())}))


def jax_samples_per_s(name, devices, distributed, epochs, platform):
    env = dict(os.environ, LAYERKIT_BACKEND="jax", JAX_PLATFORMS=platform)
    if platform == "cpu":
        env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices}"
    else:
        env["CUDA_VISIBLE_DEVICES"] = ",".join(str(i) for i in range(devices))
    here = os.path.dirname(os.path.abspath(__file__))
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(here), env.get("PYTHONPATH", "")])
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", name,
                          "--distributed", str(int(distributed)), "--epochs", str(epochs)],
                         env=env, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["devices"] == devices, result
    return result["samples_per_s"]


def torch_worker(name, distributed, epochs):
    """One process of a torch row (torchrun starts `devices` of them): as jax_worker,
    after joining the process group from torchrun's environment; process 0 prints."""
    from layerkit import distribution
    if distributed and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        distribution.initialize()
    if int(os.environ.get("RANK", "0")) != 0:
        sys.stdout = open(os.devnull, "w")
    jax_worker(name, distributed, epochs)


def torch_samples_per_s(name, devices, distributed, epochs, platform):
    """The torch rows: `torchrun --standalone --nproc_per_node=devices`, DataParallel on
    gloo (CPU) or NCCL (GPUs), one device and one CPU thread per process; "1, none"
    is a plain process without distribution."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.pathsep.join([os.path.dirname(here), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, LAYERKIT_BACKEND="torch", OMP_NUM_THREADS="1", PYTHONPATH=path)
    if platform == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""
    else:
        env["CUDA_VISIBLE_DEVICES"] = ",".join(str(i) for i in range(devices))
    worker = [os.path.abspath(__file__), "--worker", name, "--distributed",
              str(int(distributed)), "--epochs", str(epochs)]
    if distributed:
        torchrun = os.path.join(os.path.dirname(sys.executable), "torchrun")
        cmd = [torchrun, "--standalone", f"--nproc_per_node={devices}"] + worker
    else:
        cmd = [sys.executable] + worker
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
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
    print(f"{'engine':>6} {'workload':>8} {'devices':>8} {'samples/s':>10} {'vs 1, none':>10}")
    for engine in args.engines:
        for name in args.workloads:
            try:
                base = measure[engine](name, 1, False, args.epochs, args.platform)
            except NotImplementedError as err:
                print(f"{engine:>6} {name:>8}  {err}")
                continue
            print(f"{engine:>6} {name:>8} {'1, none':>8} {base:10.0f} {1:10.2f}")
            for n in args.devices:
                rate = measure[engine](name, n, True, args.epochs, args.platform)
                print(f"{engine:>6} {name:>8} {n:>8} {rate:10.0f} {rate / base:10.2f}",
                      flush=True)


if __name__ == "__main__":
    main()
