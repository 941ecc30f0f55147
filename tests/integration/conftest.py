"""The integration tests import their shared helpers (keras_fit_harness,
cross_engine_cases) by name: pytest runs with --import-mode=importlib, which does not
put a test's folder on sys.path."""
import pathlib
import sys

HERE = str(pathlib.Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
