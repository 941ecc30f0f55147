"""EarlyStopping: the epoch it stops at and the weights it restores, against Keras 3 on
the same scripted logs, and inside real fits on this engine."""
import numpy as np
import pytest

import layerkit
from layerkit import callbacks, layers

CASES = [
    dict(patience=0),
    dict(patience=2),
    dict(patience=3, min_delta=0.05),
    dict(patience=2, baseline=0.3),
    dict(patience=1, start_from_epoch=4),
    dict(patience=2, restore_best_weights=True),
    dict(patience=4, restore_best_weights=True, baseline=0.45, min_delta=0.01),
]


def _walk(seed, n=30, up=False):
    rng = np.random.default_rng(seed)
    values = 0.6 + np.cumsum(rng.normal(-0.01, 0.04, n))
    return [{"loss": float(v) + 0.1, "val_loss" if not up else "val_accuracy":
             float(1 - v if up else v)} for v in values]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
@pytest.mark.parametrize("monitor,mode", [("val_loss", "auto"), ("val_loss", "min"),
                                          ("val_accuracy", "max")])
def test_stops_where_keras_stops(keras_oracle, scripted, seed, case, monitor, mode):
    model_cls, drive = scripted
    logs = _walk(seed, up=monitor == "val_accuracy")
    results = []
    for module in (callbacks, keras_oracle.callbacks):
        model = model_cls()
        cb = module.EarlyStopping(monitor=monitor, mode=mode, **case)
        epochs, _, _ = drive(cb, model, logs)
        results.append((epochs, cb.stopped_epoch, cb.best_epoch, cb.wait, cb.best,
                        model.restored))
    assert results[0] == results[1]


def test_keras2_accuracy_names_alias_both_ways(scripted):
    model_cls, drive = scripted
    logs = [{"val_accuracy": a} for a in (0.5, 0.6, 0.6, 0.55, 0.7)]
    cb = callbacks.EarlyStopping("val_acc", patience=1)          # the seed's spelling
    epochs, _, _ = drive(cb, model_cls(), logs)
    assert cb.monitor_op(1, 0)                                   # auto: maximized
    assert epochs == 3 and cb.best == 0.6
    cb = callbacks.EarlyStopping("val_accuracy", patience=1)
    epochs, _, _ = drive(cb, model_cls(), [{"val_acc": v["val_accuracy"]} for v in logs])
    assert epochs == 3


def test_missing_monitor_warns_with_the_available_keys(scripted):
    model_cls, drive = scripted
    cb = callbacks.EarlyStopping("val_los", patience=0)
    with pytest.warns(UserWarning, match=r"`val_los` which is not available.*loss,val_loss"):
        epochs, _, _ = drive(cb, model_cls(), [{"loss": 1.0, "val_loss": 2.0}] * 3)
    assert epochs == 3


@pytest.mark.parametrize("kwargs,match", [
    (dict(mode="maximum"), "`mode` must be one of"),
    (dict(patience=-1), "`patience` must be an integer"),
    (dict(patience=1.5), "`patience` must be an integer"),
    (dict(baseline="x"), "`baseline` must be a number"),
    (dict(start_from_epoch=None), "`start_from_epoch`"),
    (dict(monitor=3), "`monitor` must be the name"),
])
def test_bad_arguments_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        callbacks.EarlyStopping(**kwargs)


def test_unknown_keyword_is_rejected():
    with pytest.raises(TypeError):
        callbacks.EarlyStopping(monitor="val_loss", epsilon=0.1)


def _model(seed=0):
    model = layerkit.Sequential([layers.Dense(4, activation="tanh", input_shape=(3,)),
                                 layers.Dense(1)])
    model.compile(layerkit.optimizers.SGD(0.05), "mse")
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    return model


def test_fit_honours_stop_training_and_restores_the_best_weights():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = rng.normal(size=(32, 1)).astype("float32")
    model = _model()
    weights_by_epoch = []
    # val_loss is scripted by a callback placed before EarlyStopping: it rises after
    # epoch 1, so training stops at epoch 3 and the weights of epoch 1 come back.
    script = [0.5, 0.4, 0.45, 0.6, 0.3, 0.2]

    class Script(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = script[epoch]
            weights_by_epoch.append(self.model.get_weights())

    stop = callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=6, batch_size=8, shuffle=False, verbose=0,
                        callbacks=[Script(), stop])
    assert history.epoch == [0, 1, 2, 3]
    assert stop.stopped_epoch == 3 and stop.best_epoch == 1
    for got, want in zip(model.get_weights(), weights_by_epoch[1]):
        np.testing.assert_array_equal(got, want)
    # The compiled step trains from the restored weights: one more epoch from them
    # equals one epoch of a fresh model given those weights.
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    fresh = _model()
    fresh.set_weights(weights_by_epoch[1])
    fresh.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for got, want in zip(model.get_weights(), fresh.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_stop_training_inside_an_epoch_ends_fit_after_that_batch():
    model = _model()
    x = np.ones((40, 3), "float32")
    y = np.zeros((40, 1), "float32")
    batches = []

    class StopAtBatch(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            batches.append(batch)
            if batch == 2:
                self.model.stop_training = True

    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0, callbacks=[StopAtBatch()])
    assert batches == [0, 1, 2] and history.epoch == [0]


def test_verbose_prints_the_stop_and_the_restore(capsys, scripted):
    model_cls, drive = scripted
    cb = callbacks.EarlyStopping(patience=1, verbose=1, restore_best_weights=True)
    drive(cb, model_cls(), [{"val_loss": v} for v in (1.0, 0.5, 0.7, 0.8)])
    out = capsys.readouterr().out
    assert "Epoch 3: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 2." in out
