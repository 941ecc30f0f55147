"""BackupAndRestore: a fit killed mid-run resumes at the epoch it stopped, with the
optimizer state and the dropout streams, and ends where an uninterrupted fit ends."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import layerkit
from layerkit import layers
from layerkit.callbacks import BackupAndRestore, LambdaCallback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

BUILD = """
import numpy as np
import layerkit
from layerkit import layers

def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(32, 4)).astype("float32"), rng.normal(size=(32, 1)).astype("float32")
"""


def _start_file(tmp_path):
    model = layerkit.Sequential([layerkit.Input((4,)), layers.Dense(8, activation="relu"),
                                 layers.Dropout(0.3), layers.Dense(1)])
    model.compile(optimizer=layerkit.optimizers.Adam(0.01), loss="mse")
    path = tmp_path / "start.keras"
    model.save(path)
    return path


def _data():
    namespace = {}
    exec(BUILD, namespace)
    return namespace["data"]()


@pytest.mark.parametrize("shuffle", [False, True])
def test_killed_fit_resumes_at_its_epoch_and_matches_an_uninterrupted_run(tmp_path, shuffle):
    # Each run seeds numpy as a program would at its start: the shuffle order of an
    # epoch then depends only on that seed and the epoch.
    start = _start_file(tmp_path)
    backup = tmp_path / "backup"
    x, y = _data()
    straight = layerkit.models.load_model(start)
    np.random.seed(0)
    full = straight.fit(x, y, batch_size=8, epochs=5, shuffle=shuffle, verbose=0)
    # A process trains with a backup and is killed (SIGKILL) as epoch 3 begins.
    script = BUILD + textwrap.dedent(f"""
        import os, signal
        model = layerkit.models.load_model({str(start)!r})
        x, y = data()
        def die(epoch, logs):
            if epoch == 3:
                os.kill(os.getpid(), signal.SIGKILL)
        np.random.seed(0)
        model.fit(x, y, batch_size=8, epochs=5, shuffle={shuffle}, verbose=0, callbacks=[
            layerkit.callbacks.BackupAndRestore({str(backup)!r}),
            layerkit.callbacks.LambdaCallback(on_epoch_begin=die)])
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          env=dict(os.environ, PYTHONPATH=ROOT), timeout=600)
    assert done.returncode == -9, done.stderr[-2000:]
    assert json.loads((backup / "training_metadata.json").read_text())["epoch"] == 3
    resumed = layerkit.models.load_model(start)
    epochs_run = []
    np.random.seed(0)
    rest = resumed.fit(x, y, batch_size=8, epochs=5, shuffle=shuffle, verbose=0, callbacks=[
        BackupAndRestore(str(backup)),
        LambdaCallback(on_epoch_begin=lambda epoch, logs: epochs_run.append(epoch))])
    assert epochs_run == [3, 4]
    np.testing.assert_allclose(rest.history["loss"], full.history["loss"][3:], rtol=1e-5)
    for a, b in zip(straight.weights, resumed.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)
    assert int(resumed.optimizer.iterations.numpy()) == 20
    assert not backup.exists()      # delete_checkpoint=True after a normal end


def test_exception_mid_fit_then_resume_keeps_the_backup_when_asked(tmp_path):
    start = _start_file(tmp_path)
    backup = tmp_path / "b"
    x, y = _data()
    model = layerkit.models.load_model(start)

    def fail(epoch, logs):
        if epoch == 1:
            raise RuntimeError("crash")

    with pytest.raises(RuntimeError, match="crash"):
        model.fit(x, y, epochs=3, verbose=0, callbacks=[
            BackupAndRestore(str(backup), delete_checkpoint=False),
            LambdaCallback(on_epoch_begin=fail)])
    model = layerkit.models.load_model(start)
    history = model.fit(x, y, epochs=3, verbose=0,
                        callbacks=[BackupAndRestore(str(backup), delete_checkpoint=False)])
    assert len(history.history["loss"]) == 2
    assert json.loads((backup / "training_metadata.json").read_text())["epoch"] == 3
    # A finished run's backup starts the next fit at its end: nothing left to do.
    again = layerkit.models.load_model(start)
    history = again.fit(x, y, epochs=3, verbose=0,
                        callbacks=[BackupAndRestore(str(backup))])
    assert history.history == {}


def test_batch_frequency_and_double_checkpoint(tmp_path):
    start = _start_file(tmp_path)
    backup = tmp_path / "b"
    x, y = _data()
    model = layerkit.models.load_model(start)
    seen = []
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[
        BackupAndRestore(str(backup), save_freq=3, double_checkpoint=True,
                         delete_checkpoint=False),
        LambdaCallback(on_epoch_end=lambda e, l: seen.append(
            json.loads((backup / "training_metadata.json").read_text())))])
    # 4 batches an epoch, a backup every 3: after batch 3 of epoch 1, batch 2 of epoch 2.
    assert [m["batch"] for m in seen] == [2, 1]
    metadata = json.loads((backup / "training_metadata.json").read_text())
    assert metadata["previous"]["weights"] in os.listdir(backup)
    assert sorted(os.listdir(backup)) == sorted(
        ["training_metadata.json", metadata["weights"], metadata["previous"]["weights"]])


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="backup_dir"):
        BackupAndRestore("")
    with pytest.raises(ValueError, match="save_freq"):
        BackupAndRestore(str(tmp_path), save_freq=0)
    with pytest.raises(ValueError, match="preemption"):
        BackupAndRestore(str(tmp_path), save_before_preemption=True)
