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

# Keras 2 paths whose layerkit home has another name.
KERAS_SUBMODULES = {
    "keras.engine": "layerkit.models",
    "keras.engine.training": "layerkit.models",
    "keras.engine.sequential": "layerkit.models",
    "keras.engine.topology": "layerkit.layers",
    "keras.engine.base_layer": "layerkit.layers",
    "keras.layers.core": "layerkit.layers",
    "keras.layers.convolutional": "layerkit.layers",
    "keras.layers.pooling": "layerkit.layers",
    "keras.layers.recurrent": "layerkit.layers",
    "keras.layers.embeddings": "layerkit.layers",
    "keras.layers.normalization": "layerkit.layers",
    "keras.layers.merge": "layerkit.layers",
    "keras.layers.noise": "layerkit.layers",
    "keras.layers.regularization": "layerkit.layers",
    "keras.layers.normalization.batch_normalization": "layerkit.layers",
    "keras.layers.normalization.layer_normalization": "layerkit.layers",
    "keras.layers.normalization.group_normalization": "layerkit.layers",
    "keras.layers.normalization.unit_normalization": "layerkit.layers",
    "keras.layers.core.embedding": "layerkit.layers",
    "keras.layers.advanced_activations": "layerkit.layers",
    "keras.utils.np_utils": "layerkit.utils.np_utils",
    "keras.utils.generic_utils": "layerkit.utils",
    "keras.utils.vis_utils": "layerkit.utils",
    "keras.utils.data_utils": "layerkit.utils",
    "keras.wrappers": "layerkit.legacy",
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
        return importlib.import_module(self.target)

    def exec_module(self, module):
        pass


class _KerasAliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname != "keras" and not fullname.startswith("keras."):
            return None
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
    return layerkit
