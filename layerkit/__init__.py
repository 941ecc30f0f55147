"""layerkit: the Keras API on JAX or PyTorch."""
import importlib

__version__ = "0.1.0"


def version():
    """The installed layerkit version (Keras's `keras.version()`)."""
    return __version__


from layerkit import config  # noqa: E402
from layerkit import engine  # noqa: E402  (the engine is chosen and loaded at import)
from layerkit import dtype_policies  # noqa: E402  (adds config.set_dtype_policy)

# Every public submodule that exists (a test keeps this list and the package's
# folder in step); a name Keras has and layerkit lacks (applications …) is an
# AttributeError, so `hasattr(layerkit, "applications")` is False.
_LAZY_SUBMODULES = (
    "activations", "backend", "callbacks", "cli", "compat", "constraints", "data", "datasets",
    "dtype_policies", "initializers", "layers", "legacy", "losses", "metrics",
    "mixed_precision", "models", "ops", "optimizers", "preprocessing", "random",
    "regularizers", "saving", "training", "utils", "wrappers", "distribution",
)
_LAZY_NAMES = {"Sequential": "layerkit.models", "Model": "layerkit.models",
               "Input": "layerkit.layers", "InputLayer": "layerkit.layers",
               "Variable": "layerkit.engine", "DTypePolicy": "layerkit.dtype_policies",
               "FloatDTypePolicy": "layerkit.dtype_policies"}


def __getattr__(name):
    # Submodules load on first use so `import layerkit` costs little more than
    # importing the engine.
    if name in _LAZY_SUBMODULES:
        module = importlib.import_module(f"layerkit.{name}")
        globals()[name] = module
        return module
    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(_LAZY_NAMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'layerkit' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY_SUBMODULES) + list(_LAZY_NAMES))
