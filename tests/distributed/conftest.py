"""The distributed tests import their launch helpers (torch_launch) by name: pytest
runs with --import-mode=importlib, which does not put a test's folder on sys.path."""
import pathlib
import sys

HERE = str(pathlib.Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
