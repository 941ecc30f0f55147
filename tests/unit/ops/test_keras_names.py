"""Every public name of Keras 3.15's keras.ops and of its submodules nn, numpy, image
and linalg exists in layerkit.ops (same submodules). The names come from a checked-in
list (keras_ops_names.txt), so this runs where Keras is absent; a second test checks
that list against the installed Keras."""
import inspect
import pathlib

import pytest

from layerkit import ops

NAMES_FILE = pathlib.Path(__file__).resolve().parent / "keras_ops_names.txt"
def _listed():
    rows = []
    for line in NAMES_FILE.read_text().splitlines():
        if line and not line.startswith("#"):
            module, name = line.split("\t")
            rows.append((module, name))
    return rows


def _resolve(module, name):
    owner = ops if module == "ops" else getattr(ops, module, None)
    return None if owner is None else getattr(owner, name, None)


def test_every_keras_ops_name_exists():
    missing = [f"{m}.{n}" for m, n in _listed() if _resolve(m, n) is None]
    assert missing == []


def test_submodules_are_modules():
    for module in ("nn", "numpy", "image", "linalg"):
        assert inspect.ismodule(getattr(ops, module))


def test_the_list_is_keras_own(keras_oracle):
    names = set()
    for module in ("ops", "nn", "numpy", "image", "linalg"):
        owner = keras_oracle.ops if module == "ops" else getattr(keras_oracle.ops, module)
        names |= {(module, n) for n in dir(owner) if not n.startswith("_")}
    assert set(_listed()) == names
