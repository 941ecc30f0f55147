"""CSVLogger: the file's bytes against Keras 3's on the same logs, and in real fits."""
import numpy as np
import pytest

import layerkit
from layerkit import callbacks, layers

LOGS = [
    {"loss": 0.6931471824645996, "accuracy": 0.5, "val_loss": 0.7, "val_accuracy": 0.25},
    {"loss": 0.5, "accuracy": 0.75, "val_loss": 0.65, "val_accuracy": 0.5},
    {"loss": 0.25, "accuracy": 1.0, "val_loss": 0.6},                  # a key goes missing
]


def _write(module, path, logs, **kwargs):
    cb = module.callbacks.CSVLogger(str(path), **kwargs)
    cb.on_train_begin({})
    for epoch, entry in enumerate(logs):
        cb.on_epoch_end(epoch, dict(entry))
    cb.on_train_end({})
    return path.read_bytes()


@pytest.mark.parametrize("logs", [
    LOGS,
    [{"loss": 1.5, "accuracy": 0.1}, {"loss": 1.25, "accuracy": 0.2}],   # no validation
    [{"loss": 1.0, "values": np.array([1.5, 2.0]), "note": "text", "zero_dim": np.array(3.0)}],
], ids=["validation", "no_validation", "arrays_and_text"])
@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_file_is_byte_for_byte_keras(keras_oracle, tmp_path, logs, separator):
    ours = _write(layerkit, tmp_path / "ours.csv", logs, separator=separator)
    theirs = _write(keras_oracle, tmp_path / "theirs.csv", logs, separator=separator)
    assert ours == theirs


def test_append_adds_rows_without_a_second_header(keras_oracle, tmp_path):
    for module, name in ((layerkit, "ours.csv"), (keras_oracle, "theirs.csv")):
        _write(module, tmp_path / name, LOGS[:1])
        _write(module, tmp_path / name, LOGS[1:2], append=True)
    ours = (tmp_path / "ours.csv").read_bytes()
    assert ours == (tmp_path / "theirs.csv").read_bytes()
    assert ours.count(b"epoch") == 1 and ours.count(b"\r\n") == 3
    _write(layerkit, tmp_path / "ours.csv", LOGS[:1], append=False)
    assert (tmp_path / "ours.csv").read_bytes().count(b"\r\n") == 2


def test_fit_writes_the_seed_log(tmp_path):
    """The seed's CSVLogger(log_file_path, append=False) with metrics=['accuracy']."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 40)]
    model = layerkit.Sequential([layers.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    path = tmp_path / "fer2013_emotion_training.log"
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0, validation_data=(x[:8], y[:8]),
                        callbacks=[callbacks.CSVLogger(path, append=False)])
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,accuracy,loss,val_accuracy,val_loss"
    for epoch, line in enumerate(lines[1:]):
        cells = line.split(",")
        assert int(cells[0]) == epoch
        assert float(cells[2]) == history.history["loss"][epoch]
        assert float(cells[4]) == history.history["val_loss"][epoch]
    assert len(lines) == 4


@pytest.mark.parametrize("kwargs,match", [
    (dict(filename=3), "`filename` must be a path"),
    (dict(filename="a.csv", separator=", "), "`separator` must be one character"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        callbacks.CSVLogger(**kwargs)
