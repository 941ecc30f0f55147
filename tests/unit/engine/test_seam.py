"""The seam rules: engines only inside layerkit/engine/, and each engine meets the contract."""
import importlib
import os
import pathlib
import re
import subprocess
import sys

import pytest

from layerkit.engine.common.contract import CONTRACT, STEP_RUNNER

ROOT = pathlib.Path(__file__).resolve().parents[3] / "layerkit"
ENGINE_IMPORT = re.compile(r"^\s*(import|from)\s+(jax|jaxlib|torch|optax)\b", re.M)
BACKEND_CHECK = re.compile(r"backend\(\)\s*==|==\s*[\"'](jax|torch)[\"']")


def _python_files_outside_engine():
    for path in ROOT.rglob("*.py"):
        if "engine" in path.relative_to(ROOT).parts[:1]:
            continue
        yield path


def test_no_engine_import_outside_the_seam():
    offenders = [str(p) for p in _python_files_outside_engine()
                 if ENGINE_IMPORT.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_no_engine_name_checks_outside_the_seam():
    offenders = [str(p) for p in _python_files_outside_engine()
                 if BACKEND_CHECK.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_seam_test_catches_a_leak(tmp_path):
    assert ENGINE_IMPORT.search("import jax.numpy as jnp\n")
    assert ENGINE_IMPORT.search("    from torch import nn\n")
    assert not ENGINE_IMPORT.search("import jaxtyping_like_name_but_not\n".replace("jaxtyping", "jaxx"))
    assert BACKEND_CHECK.search("if backend() == 'jax':")


@pytest.mark.parametrize("engine", ["jax", "torch"])
def test_every_engine_meets_the_contract(engine):
    missing = []
    for module_name, names in CONTRACT.items():
        module = importlib.import_module(f"layerkit.engine.{engine}.{module_name}")
        missing += [f"{module_name}.{n}" for n in names if not hasattr(module, n)]
    runner = importlib.import_module(f"layerkit.engine.{engine}.trainer").StepRunner
    missing += [f"StepRunner.{n}" for n in STEP_RUNNER if not callable(getattr(runner, n, None))]
    assert missing == []


# Files one engine needs and the other does not: torch builds data and model parallelism
# from torch.distributed and DTensor, where XLA inserts the collectives for JAX, and
# keeps freed host memory for its eager steps' allocations (XLA's compiled steps barely
# page-fault: 0-2,300 faults an epoch of the Conv1D benchmark, against 25,000-60,000 for
# torch's mini-Xception). Every file of the contract stands in both folders.
ENGINE_ONLY_FILES = {"jax": set(),
                     "torch": {"data_parallel.py", "model_parallel.py", "replicas.py",
                               "host_memory.py", "conv_channels_last.py"}}


def test_engine_folders_have_identical_file_names():
    files = {engine: {p.name for p in (ROOT / "engine" / engine).glob("*.py")}
             for engine in ("jax", "torch")}
    assert files["jax"], "no engine files found: the test looks in the wrong folder"
    assert files["jax"] - ENGINE_ONLY_FILES["jax"] == files["torch"] - ENGINE_ONLY_FILES["torch"]
    for engine, only in ENGINE_ONLY_FILES.items():
        assert only <= files[engine], f"{engine} lost {sorted(only - files[engine])}"
    assert {f"{name}.py" for name in CONTRACT} <= files["jax"] & files["torch"]


def _run(code, **env):
    full_env = dict(os.environ)
    full_env.update(env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=full_env, timeout=120)


def test_unknown_backend_is_a_clear_error():
    out = _run("import layerkit", LAYERKIT_BACKEND="theano")
    assert out.returncode != 0
    assert "Unknown layerkit backend 'theano'" in out.stderr
    assert "jax, torch" in out.stderr


def test_backend_from_config_file(tmp_path):
    (tmp_path / "layerkit.json").write_text('{"backend": "torch"}')
    env = {k: v for k, v in os.environ.items() if k != "LAYERKIT_BACKEND"}
    env["LAYERKIT_HOME"] = str(tmp_path)
    out = subprocess.run([sys.executable, "-c",
                          "import layerkit, sys; print(layerkit.backend.backend(), 'jax' in sys.modules)"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.split() == ["torch", "False"], out.stderr


def test_default_backend_is_jax(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "LAYERKIT_BACKEND"}
    env["LAYERKIT_HOME"] = str(tmp_path)
    out = subprocess.run([sys.executable, "-c",
                          "import layerkit, sys; print(layerkit.backend.backend(), 'torch' in sys.modules)"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.split() == ["jax", "False"], out.stderr


def test_import_never_loads_the_other_engine(engine_name):
    other = "torch" if engine_name == "jax" else "jax"
    out = _run("import layerkit, layerkit.models, layerkit.layers, sys; "
               f"print({other!r} in sys.modules)", LAYERKIT_BACKEND=engine_name)
    assert out.stdout.strip() == "False", out.stderr
