"""One process of bench_scaling.py's PyTorch rows, launched by torchrun:

    LAYERKIT_BACKEND=torch torchrun --standalone --nproc_per_node=P \
        benchmarks/scaling_torch_worker.py mlp|conv

Every process passes the same global arrays to fit; with P > 1, DataParallel gives
each its rows of every global batch of 128 and averages the gradients (gloo on CPU,
NCCL on GPUs). Process 0 prints one JSON line: the workload, P, and samples/s of
the global batch over the timed epochs (the median epoch, after one warm-up epoch).
"""
import json
import os
import statistics
import sys
import time

import numpy as np

import layerkit as keras
from layerkit import distribution

GLOBAL_BATCH, EPOCHS = 128, 3


def workload(name):
    rng = np.random.default_rng(0)
    keras.utils.set_random_seed(0)
    if name == "mlp":   # the seed MLP (bench_mlp.py)
        n, shape = GLOBAL_BATCH * 64, (20,)
        layers = [keras.layers.Dense(64, activation="relu"), keras.layers.Dropout(0.5),
                  keras.layers.Dense(64, activation="relu"), keras.layers.Dropout(0.5)]
    elif name == "conv":
        n, shape = GLOBAL_BATCH * 16, (28, 28, 1)
        layers = [keras.layers.Conv2D(16, 3, activation="relu"), keras.layers.MaxPooling2D(),
                  keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(),
                  keras.layers.Flatten()]
    else:
        raise SystemExit(f"workload must be mlp or conv, received {name!r}")
    model = keras.Sequential([keras.Input(shape)] + layers +
                             [keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
                  "categorical_crossentropy", metrics=["accuracy"])
    x = rng.random((n,) + shape, dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]
    return model, x, y


def main(name):
    from layerkit import engine
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        distribution.initialize()   # from torchrun's environment
    procs = engine.distribution.num_processes()
    if procs > 1:
        distribution.set_distribution(distribution.DataParallel())
    model, x, y = workload(name)
    model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=1, verbose=0)   # warm-up
    times = []
    for _ in range(EPOCHS):
        t = time.perf_counter()
        model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=1, verbose=0)
        times.append(time.perf_counter() - t)
    if engine.distribution.process_id() == 0:
        print(json.dumps({"engine": "torch", "workload": name, "processes": procs,
                          "samples_per_s": len(x) / statistics.median(times)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
