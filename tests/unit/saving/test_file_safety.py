"""Atomic saving, clear errors for damaged files, and no code executed on load."""
import base64
import json
import marshal
import os
import signal
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest

import layerkit
from layerkit import layers
from layerkit.saving import ModelFileError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


def _model(units=2):
    return layerkit.Sequential([layerkit.Input((3,)), layers.Dense(units, name="d")])


@pytest.mark.parametrize("name", ["m.keras", "m.h5", "m.weights.h5"])
def test_a_killed_save_leaves_the_previous_file_intact(tmp_path, name):
    path = tmp_path / name
    old = _model()
    (old.save_weights if name.endswith(".weights.h5") else old.save)(path)
    before = path.read_bytes()
    # A child process starts saving over the file and is killed halfway through
    # writing the weights.
    script = textwrap.dedent(f"""
        import sys, time
        import layerkit
        from layerkit import layers
        import layerkit.saving.weights_h5 as w, layerkit.saving.legacy_h5 as l
        def stall(*args, **kwargs):
            print("writing", flush=True)
            time.sleep(60)
        w._write_group = stall
        l.write_weights_group = stall
        model = layerkit.Sequential([layerkit.Input((3,)), layers.Dense(7, name="d")])
        path = {str(path)!r}
        (model.save_weights if path.endswith(".weights.h5") else model.save)(path)
    """)
    env = dict(os.environ, PYTHONPATH=ROOT)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env,
                             cwd=ROOT)
    try:
        assert child.stdout.readline().strip() == b"writing"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert path.read_bytes() == before
    target = _model()
    target.load_weights(path)
    np.testing.assert_array_equal(target.get_weights()[0], old.get_weights()[0])


@pytest.mark.parametrize("name", ["m.keras", "m.h5"])
def test_truncated_file_gives_a_clear_error(tmp_path, name):
    path = tmp_path / name
    _model().save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match=str(path).replace(".", r"\.") +
                       ".*(truncated|corrupted)"):
        layerkit.models.load_model(path)


def test_corrupted_keras_member_fails_its_crc_check(tmp_path):
    path = tmp_path / "m.keras"
    _model().save(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("model.weights.h5")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="model.weights.h5.*corrupted"):
        layerkit.models.load_model(path)


def test_foreign_and_missing_files(tmp_path):
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"this is not a model")
    with pytest.raises(ModelFileError, match="neither a .keras zip nor an HDF5"):
        layerkit.models.load_model(junk)
    with pytest.raises(ModelFileError, match="not an HDF5 or .keras"):
        _model().load_weights(junk)
    with pytest.raises(FileNotFoundError, match="missing.keras"):
        layerkit.models.load_model(tmp_path / "missing.keras")
    weights_only = tmp_path / "w.h5"
    _model().save_weights(weights_only)
    with pytest.raises(ModelFileError, match="weights-only"):
        layerkit.models.load_model(weights_only)


def _double(x):
    return x * 2.0


def _with_bytecode(path, function):
    """Rewrites a saved Lambda's function as Keras 3 stores a Python lambda."""
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    config = json.loads(members["config.json"])
    for entry in config["config"]["layers"]:
        if entry["class_name"] == "Lambda":
            code = base64.b64encode(marshal.dumps(function.__code__)).decode("ascii")
            entry["config"]["function"] = {"class_name": "__lambda__", "config": {
                "code": code, "defaults": None, "closure": None}}
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for n, data in members.items():
            archive.writestr(n, data)


def test_lambda_bytecode_is_refused_unless_safe_mode_is_off(tmp_path):
    model = layerkit.Sequential([layerkit.Input((3,)), layers.Lambda(_double, name="lam")])
    path = tmp_path / "lam.keras"
    model.save(path)
    _with_bytecode(path, lambda x: x * 3.0)
    with pytest.raises(ValueError, match=r'Lambda layer "lam".*bytecode.*safe_mode=False'):
        layerkit.models.load_model(path)
    loaded = layerkit.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(loaded.predict(np.ones((1, 3)), verbose=0), [[3.0, 3.0, 3.0]])


def test_lambda_with_a_named_function_loads_in_safe_mode(tmp_path):
    model = layerkit.Sequential([layerkit.Input((3,)), layers.Lambda(_double, name="lam")])
    model.save(tmp_path / "lam.keras")
    loaded = layerkit.models.load_model(tmp_path / "lam.keras",
                                        custom_objects={"_double": _double})
    np.testing.assert_allclose(loaded.predict(np.ones((1, 3)), verbose=0), [[2.0, 2.0, 2.0]])


def test_saved_files_get_the_mode_of_any_new_file(tmp_path):
    """Written under a private temporary name, a model file still ends with the
    umask's usual mode (not mkstemp's 0600)."""
    import stat
    model = layerkit.Sequential([layerkit.Input((3,)), layerkit.layers.Dense(2)])
    mask = os.umask(0o022)
    try:
        model.save(tmp_path / "m.keras")
        model.save_weights(tmp_path / "m.weights.h5")
    finally:
        os.umask(mask)
    for name in ("m.keras", "m.weights.h5"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name
