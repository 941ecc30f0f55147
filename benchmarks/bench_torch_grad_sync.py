"""PyTorch DataParallel: the cost of averaging gradients across processes, layerkit's
bucketed all-reduce from tensor hooks (engine/torch/data_parallel.py) against
DistributedDataParallel over an nn.Module view of the same Variables.

    LAYERKIT_BACKEND=torch torchrun --nproc_per_node=2 benchmarks/bench_torch_grad_sync.py

Contenders, each a train step on this process's 64 rows of a global batch of 128:
  alone   the step without any gradient exchange (the floor)
  hooks   layerkit's step under DataParallel
  ddp     DDP(view): forward through a module whose Parameters the Variables are
          bound to, loss.backward() (DDP all-reduces in its buckets), the optimizer,
          then the new values copied back into the Parameters (DDP needs its
          Parameters updated in place; layerkit's optimizers bind new tensors).
Printed by rank 0: ms per step (median of the repeats) for the seed MLP and a wider
MLP (about 2.4 M weights).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import paired_ratio, race  # noqa: E402

STEPS, REPEATS, GLOBAL = 30, 7, 128


def build(widths, features, classes, x, y):
    import layerkit as keras
    keras.utils.set_random_seed(0)
    layers = [keras.Input((features,))]
    layers += [keras.layers.Dense(w, activation="relu") for w in widths]
    layers += [keras.layers.Dense(classes, activation="softmax")]
    model = keras.Sequential(layers)
    model.compile(keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
                  "categorical_crossentropy", metrics=["accuracy"])
    model.train_on_batch(x, y)  # compiles the loss and metrics, builds the optimizer
    return model


def ddp_step(model):
    import torch
    from torch.nn.parallel import DistributedDataParallel

    trainable = list(model.trainable_variables)

    class View(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.params = torch.nn.ParameterList(
                torch.nn.Parameter(v.value.detach().clone()) for v in trainable)

        def forward(self, x):
            for v, p in zip(trainable, self.params):
                v._value = p
            return model(x, training=True)

    view = View()
    ddp = DistributedDataParallel(view)
    model.optimizer.build(trainable)

    def step(x, y):
        y_pred = ddp(x)
        loss, per_output = model._loss_terms(x, y, y_pred, None, training=True)
        loss.backward()
        with torch.no_grad():
            model.optimizer.apply([p.grad for p in view.params], trainable)
            for v, p in zip(trainable, view.params):
                p.copy_(v.value)
                p.grad = None
            model.update_metrics(loss.detach(), y, y_pred.detach(), None, results=False,
                                 output_losses=per_output)
    return step


def main():
    import torch
    import layerkit as keras
    from layerkit import distribution
    from layerkit import engine

    distribution.initialize()
    rank, procs = engine.distribution.process_id(), engine.distribution.num_processes()
    for name, widths, features in (("seed MLP 20-64-64-10", (64, 64), 20),
                                   ("MLP 256-1024x2-10", (1024, 1024), 256)):
        rng = np.random.default_rng(rank)
        local = GLOBAL // procs
        x = torch.from_numpy(rng.random((local, features), dtype=np.float32))
        y = torch.from_numpy(np.eye(10, dtype=np.float32)[rng.integers(0, 10, local)])
        distribution.set_distribution(None)
        alone = engine.trainer.make_step(build(widths, features, 10, x, y), "train")
        distribution.set_distribution(distribution.DataParallel())
        hooks = engine.trainer.make_step(build(widths, features, 10, x, y), "train")
        ddp = ddp_step(build(widths, features, 10, x, y))

        def steps(run):
            return lambda: [run() for _ in range(STEPS)]
        times = {}
        medians = race({"alone": steps(lambda: alone.run((x, y, None), 1, False)),
                        "hooks": steps(lambda: hooks.run((x, y, None), 1, False)),
                        "ddp": steps(lambda: ddp(x, y))}, REPEATS, times)
        if rank == 0:
            print(f"{name}, {procs} processes, {local} rows each "
                  f"(torch {torch.__version__}, {torch.get_num_threads()} threads):")
            for k, t in medians.items():
                print(f"  {k:>6}: {t / STEPS * 1e3:7.2f} ms/step")
            print(f"  hooks time / ddp time, paired: {paired_ratio(times, 'ddp', 'hooks'):.3f}")
    distribution.set_distribution(None)


if __name__ == "__main__":
    main()
