"""The saving tests share small model builders (models_for_saving.py, beside this)."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
