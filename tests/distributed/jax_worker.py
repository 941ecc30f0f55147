"""One process of the JAX distribution tests (run by test_jax_*.py as a subprocess).

    python jax_worker.py MODE OUT [PROCESS_ID NUM_PROCESSES PORT]

MODE: "one" (no distribution), "dp" (DataParallel over every device), "mp"
(ModelParallel: Dense kernels split along "model" of a (batch, model) mesh),
"die" (two processes; process 1 dies after the first epoch), "data" (DataParallel;
data_kinds.py's fits from a PyDataset and Datasets), "data_one" (the same, no
distribution). Writes OUT/result.npz
(weights and predictions) and OUT/logs.json; a fit writes a checkpoint and a CSV log
under OUT (process 0 only, by design).
"""
import json
import os
import sys

import numpy as np

MODE, OUT = sys.argv[1], sys.argv[2]
PROCESS = None
if len(sys.argv) > 3:
    PROCESS, PROCESSES, PORT = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]

import layerkit as lk  # noqa: E402
from layerkit import distribution as D  # noqa: E402

if PROCESS is not None:
    D.initialize(f"localhost:{PORT}", PROCESSES, PROCESS, timeout_s=5)

SAMPLES, BATCH, FEATURES, CLASSES = 40, 8, 6, 4   # 5 steps of 8


def data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(SAMPLES, FEATURES)).astype("float32")
    return x, rng.integers(0, CLASSES, SAMPLES)


def model():
    lk.utils.set_random_seed(0)
    m = lk.Sequential([lk.layers.Input((FEATURES,)), lk.layers.Dense(8, activation="relu"),
                       lk.layers.Dense(CLASSES, activation="softmax")])
    m.compile(lk.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
              metrics=["accuracy"])
    return m


def distribution():
    if MODE in ("dp", "die"):
        return D.DataParallel()
    devices = D.list_devices()
    mesh = D.DeviceMesh((len(devices) // 2, 2), ("batch", "model"), devices)
    layouts = D.LayoutMap(mesh)
    layouts[".*dense.*kernel"] = (None, "model")
    layouts[".*dense.*bias"] = ("model",)
    return D.ModelParallel(layout_map=layouts, batch_dim_name="batch")


def main_data_kinds():
    from data_kinds import fit_each_kind
    if MODE == "data":
        D.set_distribution(D.DataParallel())
    x, y = data()
    out = fit_each_kind(model, x, y, BATCH, PROCESS or 0)
    os.makedirs(OUT, exist_ok=True)
    np.savez(os.path.join(OUT, "result.npz"), **out)
    with open(os.path.join(OUT, "logs.json"), "w") as f:
        json.dump({}, f)


def main():
    if MODE in ("data", "data_one"):
        return main_data_kinds()
    if MODE != "one":
        D.set_distribution(distribution())
    x, y = data()
    m = model()
    os.makedirs(OUT, exist_ok=True)
    callbacks = [lk.callbacks.ModelCheckpoint(os.path.join(OUT, "model.keras")),
                 lk.callbacks.CSVLogger(os.path.join(OUT, "log.csv"))]
    if MODE == "die":
        callbacks.append(lk.callbacks.LambdaCallback(on_epoch_end=_die_on_process_1))
    history = m.fit(x, y, batch_size=BATCH, epochs=2 if MODE == "die" else 1, shuffle=False,
                    verbose=2, callbacks=callbacks)
    evaluated = m.evaluate(x, y, batch_size=BATCH, verbose=0, return_dict=True)
    # A generator of global batches: each process takes its rows of each.
    batches = ((x[i:i + BATCH], y[i:i + BATCH]) for i in range(0, SAMPLES, BATCH))
    evaluated["generator"] = m.evaluate(batches, verbose=0, return_dict=True)["loss"]
    predicted = m.predict(x[:37], batch_size=BATCH, verbose=0)   # a last batch of 5 rows
    np.savez(os.path.join(OUT, "result.npz"), predicted=predicted,
             **{f"w{i}": w for i, w in enumerate(m.get_weights())})
    report = {"history": history.history, "evaluate": evaluated, "devices": D.list_devices(),
              # fit's shuffling seed comes to every process this way from process 0
              "broadcast": lk.engine.distribution.broadcast_int(
                  100 + lk.engine.distribution.process_id())}
    if MODE in ("dp", "mp"):
        report["placement"] = placement(m, x, y)
    if MODE == "dp" and PROCESS is None:
        report["errors"] = bad_input(x, y)
    with open(os.path.join(OUT, "logs.json"), "w") as f:
        json.dump(report, f)


def placement(m, x, y):
    """One train step by hand: where the new state lives, and whether XLA put
    collectives into the compiled step."""
    runner = m._runners["train"]
    state = runner.placement.put_state(lk.engine.trainer.get_state(m))
    batch = runner.placement.put_batch((x[:BATCH], y[:BATCH], None))
    hlo = runner._one.lower(state, batch).compile().as_text()
    _, new = runner._one(state, batch)
    kernel = new.trainable[0]
    # Adam's first slot for that kernel
    slot = next(i for i, v in enumerate(m.optimizer.variables)
                if getattr(v, "_reference_path", None) == m.trainable_variables[0].path)
    spec = lambda a: [x for x in a.sharding.spec] + [None] * (2 - len(a.sharding.spec))  # noqa
    return {"kernel_spec": spec(kernel), "slot_spec": spec(new.optimizer[slot]),
            "kernel_shard_shape": list(kernel.addressable_shards[0].data.shape),
            "x_shard_shape": list(batch[0].addressable_shards[0].data.shape),
            "all_reduce": "all-reduce" in hlo}


def bad_input(x, y):
    """The messages bad input gets, for the test to read."""
    out = {}
    m = model()
    try:
        m.fit(x, y, batch_size=6, epochs=1, shuffle=False, verbose=0)
    except ValueError as err:
        out["batch"] = str(err)
    mesh = D.DeviceMesh((2, 2), ("batch", "model"))
    try:
        D.LayoutMap(mesh)["dense.*"] = (None, "modle")
    except ValueError as err:
        out["axis"] = str(err)
    layouts = D.LayoutMap(mesh)
    layouts[".*conv2d.*kernel"] = (None, None, None, "model")
    D.set_distribution(D.ModelParallel(layout_map=layouts))
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model().fit(x, y, batch_size=8, epochs=1, verbose=0)
    out["unmatched"] = [str(w.message) for w in caught if "LayoutMap" in str(w.message)]
    return out


def _die_on_process_1(epoch, logs):
    if PROCESS == 1:
        os._exit(17)   # a worker that vanishes without a word


if __name__ == "__main__":
    main()
