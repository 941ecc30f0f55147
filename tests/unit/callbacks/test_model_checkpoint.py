"""ModelCheckpoint: file names from log keys (acc/accuracy aliases), save_best_only
with every mode, weights-only files, batch frequency, Keras 2's period, bad input."""
import os

import numpy as np
import pytest

import layerkit
from layerkit import layers
from layerkit.callbacks import ModelCheckpoint


def _classifier(metric="accuracy"):
    model = layerkit.Sequential([layerkit.Input((4,)), layers.Dense(8, activation="relu"),
                                 layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=[metric])
    return model


def _data(n=32):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, np.eye(3, dtype="float32")[rng.integers(0, 3, n)]


@pytest.mark.parametrize("metric", ["accuracy", "acc"])
def test_seed_file_name_with_val_acc_works_with_either_metric_spelling(tmp_path, metric):
    model = _classifier(metric)
    x, y = _data()
    pattern = str(tmp_path / "mini_XCEPTION.{epoch:02d}-{val_acc:.2f}.hdf5")
    history = model.fit(x, y, validation_split=0.25, epochs=3, verbose=0, callbacks=[
        ModelCheckpoint(pattern, "val_loss", verbose=0, save_best_only=False)])
    val = history.history[f"val_{metric}"]
    expected = sorted(f"mini_XCEPTION.{e + 1:02d}-{v:.2f}.hdf5" for e, v in enumerate(val))
    assert sorted(os.listdir(tmp_path)) == expected
    loaded = layerkit.models.load_model(tmp_path / expected[-1])
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5)


def test_save_best_only_saves_on_improvement_and_prints(tmp_path, capsys):
    model = _classifier()
    x, y = _data()
    losses = []
    record = layerkit.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: losses.append(logs["val_loss"]))
    model.fit(x, y, validation_data=(x, y), epochs=4, verbose=0, callbacks=[
        record, ModelCheckpoint(str(tmp_path / "best.{epoch}.keras"), save_best_only=True,
                                verbose=1)])
    best, saved = np.inf, []
    for epoch, loss in enumerate(losses):
        if loss < best:
            best, saved = loss, saved + [f"best.{epoch + 1}.keras"]
    assert sorted(os.listdir(tmp_path)) == sorted(saved)
    out = capsys.readouterr().out
    assert f"Epoch 1: val_loss improved from inf to {losses[0]:.5f}" in out


@pytest.mark.parametrize("mode, monitor, expect_max", [
    ("auto", "val_acc", True), ("auto", "val_accuracy", True), ("auto", "val_loss", False),
    ("max", "val_loss", True), ("min", "val_accuracy", False)])
def test_mode_decides_the_direction(tmp_path, mode, monitor, expect_max):
    checkpoint = ModelCheckpoint(str(tmp_path / "m.keras"), monitor=monitor, mode=mode,
                                 save_best_only=True)
    assert checkpoint.best == (-np.inf if expect_max else np.inf)


def test_monitor_alias_and_initial_value_threshold(tmp_path):
    model = _classifier("acc")
    x, y = _data()
    # The threshold is above any reachable accuracy: nothing is saved.
    model.fit(x, y, validation_data=(x, y), epochs=2, verbose=0, callbacks=[
        ModelCheckpoint(str(tmp_path / "a.keras"), monitor="val_accuracy",
                        save_best_only=True, initial_value_threshold=1.01)])
    assert os.listdir(tmp_path) == []
    model.fit(x, y, validation_data=(x, y), epochs=1, verbose=0, callbacks=[
        ModelCheckpoint(str(tmp_path / "a.keras"), monitor="val_accuracy",
                        save_best_only=True, initial_value_threshold=-1.0)])
    assert os.listdir(tmp_path) == ["a.keras"]


def test_missing_monitor_warns_with_the_available_keys(tmp_path):
    model = _classifier()
    x, y = _data()
    with pytest.warns(UserWarning, match=r"'val_loss' available.*\['accuracy', 'loss'\]"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[
            ModelCheckpoint(str(tmp_path / "m.keras"), save_best_only=True)])
    assert os.listdir(tmp_path) == []


def test_missing_file_name_key_names_the_available_keys(tmp_path):
    model = _classifier()
    x, y = _data()
    with pytest.raises(KeyError, match=r"no log key .*val_f1.*Available keys: .*epoch"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[
            ModelCheckpoint(str(tmp_path / "m{val_f1}.keras"))])


@pytest.mark.parametrize("name", ["w.{epoch}.weights.h5", "w.{epoch}.h5"])
def test_save_weights_only(tmp_path, name):
    model = _classifier()
    x, y = _data()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[
        ModelCheckpoint(str(tmp_path / name), save_weights_only=True)])
    fresh = _classifier()
    fresh.load_weights(tmp_path / name.format(epoch=2))
    np.testing.assert_array_equal(fresh.get_weights()[0], model.get_weights()[0])
    with pytest.raises(ValueError, match="load_model|weights-only|config"):
        layerkit.models.load_model(tmp_path / name.format(epoch=2))


def test_save_freq_in_batches_and_keras2_period(tmp_path):
    model = _classifier()
    x, y = _data(32)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[
        ModelCheckpoint(str(tmp_path / "b-{epoch}-{batch}.keras"), save_freq=3)])
    # 8 batches in all: saved after batches 3 and 6 (the 2nd of epoch 2).
    assert sorted(os.listdir(tmp_path)) == ["b-1-3.keras", "b-2-2.keras"]
    period_dir = tmp_path / "period"
    model.fit(x, y, epochs=5, verbose=0, callbacks=[
        ModelCheckpoint(str(period_dir / "p-{epoch}.h5"), period=2)])
    assert sorted(os.listdir(period_dir)) == ["p-2.h5", "p-4.h5"]


def test_bad_arguments_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="mode"):
        ModelCheckpoint(str(tmp_path / "m.keras"), mode="biggest")
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint(str(tmp_path / "m.keras"), save_freq="batch")
    with pytest.raises(ValueError, match=r"\.keras or \.h5"):
        ModelCheckpoint(str(tmp_path / "m.ckpt"))
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        ModelCheckpoint(str(tmp_path / "m.keras"), save_weights_only=True)
    with pytest.raises(ValueError, match="period"):
        ModelCheckpoint(str(tmp_path / "m.keras"), period=2, save_freq=10)
    with pytest.raises(ValueError, match="options"):
        ModelCheckpoint(str(tmp_path / "m.keras"), options=object())
    with pytest.raises(TypeError):
        ModelCheckpoint(str(tmp_path / "m.keras"), save_best=True)
