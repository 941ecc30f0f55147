"""One process of the torch distribution tests (test_torch_*.py launch it).

    torch_worker.py OUT fit    a short fit/evaluate/predict with a checkpoint and a CSV
                               log; writes OUT/result_rank{r}.npz. Under torchrun (or
                               with its environment) it sets DataParallel; alone it is
                               the one-process reference at the same global batch.
    torch_worker.py OUT kill   rank 1 kills itself during the first epoch; rank 0
                               must stop with an error naming rank 1.
    torch_worker.py OUT hang   rank 1 stops answering; rank 0 must stop at the timeout.
    torch_worker.py OUT model  as fit, with ModelParallel (DTensor) under torchrun
                               on a 1 x 2 (batch x model) mesh; model_batch: a 2 x 1
                               mesh (the batch split), model_grid: 2 x 2 (4 processes).
    torch_worker.py OUT bn     as fit, with a BatchNormalization layer first.
    torch_worker.py OUT noise  as fit, with GaussianNoise and Dropout first; records
                               the noise each training step added (noise_rank{r}.npz).
    torch_worker.py OUT data   data_kinds.py's fits from a PyDataset and Datasets
                               (data_rank{r}.npz).
    torch_worker.py OUT bad    bad input under torchrun: the messages (and predict's
                               padded last batch) in bad_rank{r}.json.
    torch_worker.py OUT unseeded  as fit, but each process's NumPy stream is seeded
                               with its rank before fit (as if the program set no seed):
                               the shuffles must still follow process 0's.
"""
import json
import os
import signal
import sys
import time
import warnings

import numpy as np

import layerkit as keras
from layerkit import distribution

GLOBAL_BATCH = 16


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 8)).astype("float32")
    y = (x[:, :3].argmax(axis=1) + (x[:, 3] > 1)).astype("int64") % 3
    return x[:64], y[:64], x[64:], y[64:]


class RecordedNoise(keras.layers.GaussianNoise):
    """GaussianNoise that keeps the noise it added in training steps."""
    seen = []

    def call(self, inputs, training=False):
        out = super().call(inputs, training=training)
        if training:
            self.seen.append(keras.ops.convert_to_numpy(out - inputs))
        return out


class RecordedDropout(keras.layers.Dropout):
    """Dropout that keeps the mask it drew in training steps (its inputs are never 0)."""
    seen = []

    def call(self, inputs, training=False):
        out = super().call(inputs, training=training)
        if training:
            self.seen.append(keras.ops.convert_to_numpy(out != 0))
        return out


def model(batch_norm=False, noise=False):
    keras.utils.set_random_seed(7)
    first = [keras.layers.BatchNormalization(name="bn")] if batch_norm else []
    if noise:
        first = [RecordedNoise(0.3, name="noise"), RecordedDropout(0.5, name="drop")]
    m = keras.Sequential([keras.Input((8,))] + first + [
        keras.layers.Dense(16, activation="relu", name="d1"),
        keras.layers.Dense(3, activation="softmax", name="d2")])
    m.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
              metrics=["accuracy"])
    return m


def data_parallel():
    return distribution.DataParallel()


MESHES = {"model": (1, 2), "model_batch": (2, 1), "model_grid": (2, 2)}


def model_parallel(mode):
    """d1's kernel split by columns and its bias with them, d2's kernel by rows:
    DTensor gathers or sums the partial results; the batch is split along "batch"."""
    mesh = distribution.DeviceMesh(MESHES[mode], ("batch", "model"),
                                   distribution.list_devices())
    layouts = distribution.LayoutMap(mesh)
    layouts[".*d1/kernel"] = (None, "model")     # regexes match the whole path,
    layouts[".*d1/bias"] = ("model",)            # "sequential/d1/kernel"
    layouts[".*d2/kernel"] = ("model", None)
    return distribution.ModelParallel(layout_map=layouts, batch_dim_name="batch")


class StopRank1(keras.callbacks.Callback):
    """Rank 1 dies (SIGKILL) or hangs after its third batch."""

    def __init__(self, how):
        super().__init__()
        self.how = how

    def on_train_batch_end(self, batch, logs=None):
        if batch == 2 and int(os.environ.get("RANK", 0)) == 1:
            if self.how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            time.sleep(600)


def main(out, mode):
    if "BUCKET_BYTES" in os.environ:   # several gradient buckets, even for this small model
        from layerkit.engine.torch import data_parallel as engine_data_parallel
        engine_data_parallel.BUCKET_BYTES = int(os.environ["BUCKET_BYTES"])
    several = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if several:
        distribution.initialize(timeout_s=float(os.environ.get("LAYERKIT_DIST_TIMEOUT", 10)))
        distribution.set_distribution(model_parallel(mode) if mode in MESHES
                                      else data_parallel())
        # A layout that matches no Variable would leave the run unsharded: stop there.
        warnings.filterwarnings("error", message="LayoutMap key")
    rank = int(os.environ.get("RANK", 0))   # torchrun sets it
    if mode == "bad":
        with open(os.path.join(out, f"bad_rank{rank}.json"), "w") as f:
            json.dump(bad_input(), f)
        return
    if mode == "data":
        from data_kinds import fit_each_kind
        x, y, _, _ = data()
        np.savez(os.path.join(out, f"data_rank{rank}.npz"),
                 **fit_each_kind(model, x, y, GLOBAL_BATCH, rank))
        return
    x, y, xv, yv = data()
    m = model(batch_norm=mode == "bn", noise=mode == "noise")
    callbacks = [keras.callbacks.ModelCheckpoint(os.path.join(out, f"ckpt_rank{rank}.keras")),
                 keras.callbacks.CSVLogger(os.path.join(out, f"log_rank{rank}.csv"))]
    if mode in ("kill", "hang"):
        callbacks = [StopRank1(mode)]
    if mode == "unseeded":
        np.random.seed(rank)
    history = m.fit(x, y, batch_size=GLOBAL_BATCH, epochs=3, validation_data=(xv, yv),
                    callbacks=callbacks, verbose=0)
    evaluated = m.evaluate(xv, yv, batch_size=GLOBAL_BATCH, verbose=0, return_dict=True)
    predicted = m.predict(xv, batch_size=GLOBAL_BATCH, verbose=0)
    # The rows of a global batch of 16 this process computes on.
    from layerkit.training import process_share
    rows = process_share.share(np.arange(GLOBAL_BATCH))
    replicas = m._runners["train"].replicas
    sharded = [v.path for v, _ in getattr(replicas, "sharded", ())]
    np.savez(os.path.join(out, f"result_rank{rank}.npz"), predicted=predicted, rows=rows,
             sharded=np.array(sharded, dtype=str),
             history=json.dumps(history.history), evaluated=json.dumps(evaluated),
             **{f"w{i}": w for i, w in enumerate(m.get_weights())})
    if mode == "noise":
        np.savez(os.path.join(out, f"noise_rank{rank}.npz"), noise=np.stack(RecordedNoise.seen),
                 dropout=np.stack(RecordedDropout.seen))


def _error(fn):
    try:
        fn()
    except (ValueError, NotImplementedError) as err:
        return f"{type(err).__name__}: {err}"
    return None


def bad_input():
    """What bad input gets with two processes (DataParallel is set by main)."""
    x, y, xv, _ = data()
    m = model()
    out = {"fit": _error(lambda: m.fit(x, y, batch_size=15, epochs=1, verbose=0)),
           "evaluate": _error(lambda: m.evaluate(x, y, batch_size=7, verbose=0))}
    # predict pads a last batch of 15 rows itself and returns exactly 31 rows, as
    # one process (no distribution) predicts them.
    predicted = m.predict(xv[:31], batch_size=16, verbose=0)
    distribution.set_distribution(None)
    alone = m.predict(xv[:31], batch_size=16, verbose=0)
    out["predict_rows"] = int(predicted.shape[0])
    out["predict_gap"] = float(np.abs(predicted - alone).max())
    distribution.set_distribution(distribution.DataParallel(devices=["cpu:0"]))
    out["mesh"] = _error(lambda: model().fit(x, y, batch_size=16, epochs=1, verbose=0))
    mesh = distribution.DeviceMesh((1, 2), ("batch", "model"), distribution.list_devices())
    out["axis"] = _error(lambda: distribution.LayoutMap(mesh).__setitem__("d1/kernel",
                                                                          (None, "modle")))
    grid = distribution.DeviceMesh((2, 1), ("batch", "model"), distribution.list_devices())
    layouts = distribution.LayoutMap(grid)
    layouts[".*d1/kernel"] = ("batch", None)
    distribution.set_distribution(distribution.ModelParallel(layout_map=layouts))
    out["batch_axis"] = _error(lambda: model().fit(x, y, batch_size=16, epochs=1, verbose=0))
    layouts = distribution.LayoutMap(mesh)
    layouts[".*d1/kernel"] = (None, "model")
    layouts[".*conv2d.*kernel"] = (None, None, None, "model")
    distribution.set_distribution(distribution.ModelParallel(layout_map=layouts))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model().fit(x, y, batch_size=16, epochs=1, verbose=0)
    out["unmatched"] = [str(w.message) for w in caught if "LayoutMap" in str(w.message)]
    return out


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
