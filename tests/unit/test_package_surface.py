"""`layerkit`'s lazy submodules: the list names exactly the submodules that exist."""
import importlib
import importlib.util
import pkgutil
import subprocess
import sys

import pytest

import layerkit

# Loaded at import, not lazily: the config and the engine seam.
_EAGER = {"config", "engine"}


def test_the_lazy_list_is_the_package_folder():
    on_disk = {m.name for m in pkgutil.iter_modules(layerkit.__path__)
               if not m.name.startswith("_")}
    assert set(layerkit._LAZY_SUBMODULES) == on_disk - _EAGER


@pytest.mark.parametrize("name", layerkit._LAZY_SUBMODULES)
def test_each_listed_submodule_loads(name):
    assert getattr(layerkit, name) is importlib.import_module(f"layerkit.{name}")


@pytest.mark.parametrize("name", ["no_such_thing", "applications_typo", "keras"])
def test_a_missing_submodule_is_no_attribute(name):
    assert importlib.util.find_spec(f"layerkit.{name}") is None
    assert not hasattr(layerkit, name)
    with pytest.raises(AttributeError, match=name):
        getattr(layerkit, name)
    assert name not in dir(layerkit)


def test_dir_lists_the_real_submodules_and_names():
    listed = set(dir(layerkit))
    assert set(layerkit._LAZY_SUBMODULES) <= listed
    assert {"Sequential", "Model", "Input", "InputLayer", "__version__"} <= listed


def test_hasattr_on_a_fresh_import_raises_nothing():
    # Nothing loaded yet: the check must not try to import a missing module.
    code = ("import layerkit, importlib.util as u; "
            "missing = u.find_spec('layerkit.no_such_thing') is None; "
            "assert missing and not hasattr(layerkit, 'no_such_thing'); "
            "assert hasattr(layerkit, 'datasets') == (u.find_spec('layerkit.datasets') "
            "is not None); print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "ok"
