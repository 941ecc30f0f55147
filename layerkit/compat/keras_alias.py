"""Maps the name `keras` and every `keras.*` submodule onto layerkit.

A meta-path finder answers imports of `keras.X.Y` with `layerkit.X.Y` (or a
legacy location when Keras 2 kept it elsewhere), so `from keras.layers import
Dense`, `import keras.backend as K` and `from keras.utils.np_utils import
to_categorical` all resolve to layerkit's objects.
"""
import importlib
import importlib.abc
import importlib.util
import sys

from layerkit.legacy.keras2_modules import keras2_paths, module_for

# Keras 2/3 paths whose layerkit home has another name (the Keras 2 module paths
# with their own name lists are in legacy/keras2_modules.py).
KERAS_SUBMODULES = {
    "keras.layers.regularization": "layerkit.layers",
    "keras.layers.normalization.batch_normalization": "layerkit.layers",
    "keras.layers.normalization.layer_normalization": "layerkit.layers",
    "keras.layers.normalization.group_normalization": "layerkit.layers",
    "keras.layers.normalization.unit_normalization": "layerkit.layers",
    "keras.layers.core.embedding": "layerkit.layers",
}


def _target(fullname):
    if fullname in KERAS_SUBMODULES:
        return KERAS_SUBMODULES[fullname]
    if fullname == "keras":
        return "layerkit"
    return "layerkit" + fullname[len("keras"):]


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        if not isinstance(self.target, str):
            return self.target  # a Keras 2 path's module object
        return importlib.import_module(self.target)

    def exec_module(self, module):
        pass


class _KerasAliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname != "keras" and not fullname.startswith("keras."):
            return None
        keras2 = module_for(fullname)
        if keras2 is not None:
            return importlib.util.spec_from_loader(fullname, _AliasLoader(keras2))
        name = _target(fullname)
        try:
            found = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            found = None
        if found is None:
            return None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(name))


_FINDER = _KerasAliasFinder()


def alias_keras():
    """Makes `import keras` (and every `keras.*`) load layerkit from now on."""
    for name in [n for n in sys.modules if n == "keras" or n.startswith("keras.")]:
        if not getattr(sys.modules[name], "__name__", "").startswith("layerkit"):
            del sys.modules[name]
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    import layerkit
    sys.modules["keras"] = layerkit
    # The Keras 2 paths go into sys.modules up front: imported through the finder,
    # Python would set each as an attribute of its parent, and `keras.engine` or
    # `keras.layers.core` would then hide layerkit.engine or layerkit.layers.core.
    for path in keras2_paths():
        sys.modules[path] = module_for(path)
    # ... and where the parent has no such name, it becomes one, as in Keras 2:
    # `layers.experimental.preprocessing.Rescaling`, `from keras.callbacks import
    # callbacks`.
    for path in keras2_paths():
        parent, _, child = path.rpartition(".")
        parent_module = importlib.import_module(parent)
        if not hasattr(parent_module, child):
            setattr(parent_module, child, module_for(path))
    return layerkit
