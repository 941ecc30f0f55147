"""With several processes only process 0 prints and writes: here this process
pretends to be process 1 (the real two-process runs are in tests/distributed)."""
import numpy as np
import pytest

import layerkit
from layerkit import engine


@pytest.fixture
def process_1(monkeypatch):
    monkeypatch.setattr(engine.distribution, "process_id", lambda: 1)


def _model():
    model = layerkit.Sequential([layerkit.layers.Input((3,)), layerkit.layers.Dense(2)])
    model.compile("sgd", "mse")
    return model


def _fit(model, tmp_path, verbose=1):
    x, y = np.ones((8, 3), "float32"), np.ones((8, 2), "float32")
    callbacks = [layerkit.callbacks.CSVLogger(str(tmp_path / "log.csv")),
                 layerkit.callbacks.ModelCheckpoint(str(tmp_path / "m.keras"), verbose=1),
                 layerkit.callbacks.TensorBoard(str(tmp_path / "tb")),
                 layerkit.callbacks.BackupAndRestore(str(tmp_path / "backup"),
                                                     delete_checkpoint=False)]
    return model.fit(x, y, batch_size=4, epochs=2, verbose=verbose, callbacks=callbacks)


def test_process_0_prints_and_writes(tmp_path, capsys):
    _fit(_model(), tmp_path)
    out = capsys.readouterr().out
    assert "Epoch 2/2" in out and "saving model to" in out
    for name in ("log.csv", "m.keras", "tb", "backup"):
        assert (tmp_path / name).exists(), name


def test_other_processes_neither_print_nor_write(tmp_path, capsys, process_1):
    model = _model()
    history = _fit(model, tmp_path)
    assert capsys.readouterr().out == ""
    assert len(history.history["loss"]) == 2   # it trained all the same
    assert not (tmp_path / "log.csv").exists() and not (tmp_path / "m.keras").exists()
    assert not (tmp_path / "backup").exists() or not list((tmp_path / "backup").iterdir())
    assert not list(tmp_path.rglob("events.out.tfevents*"))
    model.save(tmp_path / "saved.keras")
    model.save_weights(tmp_path / "saved.weights.h5")
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == []
