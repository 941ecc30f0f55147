"""The floors of DESIGN.md, checked by import-linter (contracts in pyproject.toml):
imports point down, at module level and inside functions, and the data stack
imports no engine."""
import pathlib
import shutil
import subprocess
import sys

import importlinter  # noqa: F401  (a test dependency, extra 'dev': never skipped)

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _lint(root):
    return subprocess.run(
        [sys.executable, "-c",
         "import sys; from importlinter.cli import lint_imports; "
         "sys.exit(lint_imports(no_cache=True))"],
        cwd=root, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=300)


def test_the_floors_hold():
    out = _lint(ROOT)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "Floors point down KEPT" in out.stdout
    assert "The data stack imports no engine KEPT" in out.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    # The contracts must be able to fail: a copy of the package whose seam imports
    # a layer inside a function.
    shutil.copytree(ROOT / "layerkit", tmp_path / "layerkit",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    core = tmp_path / "layerkit" / "engine" / "common" / "dtypes.py"
    core.write_text(core.read_text() + "\n\ndef _leak():\n    from layerkit.layers import Dense\n")
    out = _lint(tmp_path)
    assert out.returncode != 0
    assert "layerkit.engine is not allowed to import layerkit.layers" in out.stdout
