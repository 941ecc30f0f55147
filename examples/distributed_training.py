"""Training on several devices and hosts with layerkit.distribution.

One process, four (forced CPU) devices, data parallel:
    XLA_FLAGS=--xla_force_host_platform_device_count=4 JAX_PLATFORMS=cpu \
        python examples/distributed_training.py

The same with the Dense kernels split over a ("batch", "model") mesh:
    XLA_FLAGS=--xla_force_host_platform_device_count=4 JAX_PLATFORMS=cpu \
        python examples/distributed_training.py --model-parallel

Two processes (two "hosts" on this machine), two devices each; run both lines:
    export XLA_FLAGS=--xla_force_host_platform_device_count=2 JAX_PLATFORMS=cpu
    export KERAS_DISTRIBUTION_JOB_ADDRESSES=localhost:12345 KERAS_DISTRIBUTION_NUM_PROCESSES=2
    KERAS_DISTRIBUTION_PROCESS_ID=0 python examples/distributed_training.py &
    KERAS_DISTRIBUTION_PROCESS_ID=1 python examples/distributed_training.py

PyTorch: one process per device under torchrun (gloo on CPU, NCCL on GPUs):
    LAYERKIT_BACKEND=torch torchrun --standalone --nproc_per_node=2 \
        examples/distributed_training.py [--model-parallel]

Every process runs the same program on the same full arrays; each feeds its share
of every global batch. Only process 0 prints and writes the checkpoint.
"""
import argparse
import os

import numpy as np

import layerkit
from layerkit import distribution, layers


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-parallel", action="store_true")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--checkpoint", default="distributed_example.keras")
    args = parser.parse_args()

    if "KERAS_DISTRIBUTION_NUM_PROCESSES" in os.environ or "WORLD_SIZE" in os.environ:
        distribution.initialize()   # the KERAS_DISTRIBUTION_* variables, or torchrun's

    devices = distribution.list_devices()
    if args.model_parallel:
        mesh = distribution.DeviceMesh((len(devices) // 2, 2), ("batch", "model"), devices)
        layout_map = distribution.LayoutMap(mesh)
        layout_map[".*dense.*kernel"] = (None, "model")
        layout_map[".*dense.*bias"] = ("model",)
        distribution.set_distribution(
            distribution.ModelParallel(layout_map=layout_map, batch_dim_name="batch"))
    else:
        distribution.set_distribution(distribution.DataParallel(devices=devices))

    # Two noisy blobs per class: a task a small MLP learns in a few epochs.
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 4096)
    x = (rng.normal(size=(4096, 16)) + np.eye(4, 16)[y] * 3).astype("float32")

    layerkit.utils.set_random_seed(0)
    model = layerkit.Sequential([layers.Input((16,)), layers.Dense(64, activation="relu"),
                                 layers.Dense(64, activation="relu"),
                                 layers.Dense(4, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=64, epochs=args.epochs, validation_split=0.25, verbose=2,
              callbacks=[layerkit.callbacks.ModelCheckpoint(args.checkpoint)])
    predictions = model.predict(x[:10], verbose=0)   # every row, on every process
    if distribution.distribution().data_shard_id == 0:   # process 0
        print(f"{len(devices)} devices; predicted classes {predictions.argmax(1).tolist()}, "
              f"true {y[:10].tolist()}")


if __name__ == "__main__":
    main()
