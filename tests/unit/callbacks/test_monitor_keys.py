"""The monitored key: Keras 2/3 accuracy spellings, mode='auto', missing keys."""
import warnings

import numpy as np
import pytest

import layerkit
from layerkit import callbacks, layers
from layerkit.callbacks.log_keys import aliases_of, direction_of, find_log_key


def test_aliases_both_ways():
    assert aliases_of("val_acc") == ["val_acc", "val_accuracy"]
    assert aliases_of("accuracy") == ["accuracy", "acc"]
    assert aliases_of("out_acc") == ["out_acc", "out_accuracy"]
    assert aliases_of("val_loss") == ["val_loss"]
    assert find_log_key({"val_accuracy": 1}, "val_acc") == "val_accuracy"
    assert find_log_key({"acc": 1}, "accuracy") == "acc"
    assert find_log_key({"acc": 1}, "val_acc") is None


@pytest.mark.parametrize("key,mode", [
    ("val_loss", "min"), ("loss", "min"), ("val_acc", "max"), ("accuracy", "max"),
    ("val_categorical_accuracy", "max"), ("val_auc", "max"), ("precision", "max"),
    ("val_mae", "min"), ("mean_squared_error", "min"), ("out_1_loss", "min"),
    ("val_top_k_categorical_accuracy", "max"), ("val_my_metric", None)])
def test_direction_from_the_name(key, mode):
    assert direction_of(key) == mode


def test_auto_mode_with_an_unknown_name_warns_and_minimizes():
    cb = callbacks.EarlyStopping("val_my_metric")
    with pytest.warns(UserWarning, match="cannot tell whether `val_my_metric`.*mode='max'"):
        assert cb._is_improvement(0.5, 1.0)
    assert not cb._is_improvement(1.5, 1.0)


def test_auto_mode_matches_keras_for_compiled_metrics(keras_oracle):
    """Keras 3 asks the compiled metric objects; the names give the same answer."""
    x = np.ones((8, 2), "float32")
    y = np.ones((8, 1), "float32")
    model = keras_oracle.Sequential([keras_oracle.Input((2,)),
                                     keras_oracle.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy",
                  metrics=["accuracy", "mae", keras_oracle.metrics.AUC(name="auc")])
    model.fit(x, y, verbose=0)
    for key in ("val_loss", "accuracy", "val_accuracy", "mae", "val_auc"):
        theirs = keras_oracle.callbacks.EarlyStopping(key)
        theirs.set_model(model)
        theirs._set_monitor_op()
        ours = callbacks.EarlyStopping(key)
        ours._set_monitor_op()
        assert ours.monitor_op(2, 1) == bool(theirs.monitor_op(2, 1)), key


@pytest.mark.parametrize("metric,monitor", [("accuracy", "val_acc"), ("acc", "val_accuracy")])
def test_seed_monitor_names_work_with_either_metric_spelling(metric, monitor):
    x = np.random.default_rng(0).normal(size=(32, 2)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = layerkit.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(2,))])
    # A learning rate of 0 keeps the accuracy still: whether it improves after the first
    # epoch must not depend on the initial weights (an improvement defers the stop).
    model.compile(layerkit.optimizers.SGD(learning_rate=0.0), "binary_crossentropy",
                  metrics=[metric])
    stop = callbacks.EarlyStopping(monitor, patience=0, baseline=1.01)
    reduce = callbacks.ReduceLROnPlateau(monitor, patience=0, factor=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # the key is found: no warning
        history = model.fit(x, y, epochs=4, verbose=0, validation_data=(x, y),
                            callbacks=[stop, reduce])
    assert history.epoch == [0, 1]              # never reaches the baseline of 1.01
    logged = history.history[f"val_{metric}"]
    assert stop.best == reduce.best == max(logged)


def test_reduce_lr_missing_key_warns_with_available_keys():
    cb = callbacks.ReduceLROnPlateau("val_acc")
    model = layerkit.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    cb.set_model(model)
    with pytest.warns(UserWarning, match=r"`val_acc` which is not available.*loss,learning_rate"):
        cb.on_epoch_end(0, {"loss": 1.0})


def test_keras2_import_paths_reach_the_callbacks(keras_alias):
    from keras.callbacks import (CSVLogger, EarlyStopping, LearningRateScheduler,
                                 ReduceLROnPlateau, RemoteMonitor, TensorBoard, TerminateOnNaN)
    for cls in (CSVLogger, EarlyStopping, LearningRateScheduler, ReduceLROnPlateau,
                RemoteMonitor, TensorBoard, TerminateOnNaN):
        assert getattr(callbacks, cls.__name__) is cls
