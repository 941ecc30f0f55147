"""The plot_model tests share their model builder (plot_models.py, beside this)."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
