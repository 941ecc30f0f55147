"""`layerkit.mixed_precision` (Keras 3's `keras.mixed_precision`): dtype policies, the
global policy and LossScaleOptimizer. Keras 2's `mixed_precision.experimental`
spellings are `experimental` here, defined in layerkit/legacy/mixed_precision.py."""
import importlib

from layerkit.dtype_policies import DTypePolicy as DTypePolicy
from layerkit.dtype_policies import DTypePolicy as Policy
from layerkit.dtype_policies import dtype_policy as dtype_policy
from layerkit.dtype_policies import dtype_policy as global_policy
from layerkit.dtype_policies import set_dtype_policy as set_dtype_policy
from layerkit.dtype_policies import set_dtype_policy as set_global_policy
from layerkit.optimizers import LossScaleOptimizer as LossScaleOptimizer


def __getattr__(name):
    # Keras 2's `keras.mixed_precision.experimental`, loaded on first use.
    if name == "experimental":
        module = importlib.import_module("layerkit.legacy.mixed_precision")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'layerkit.mixed_precision' has no attribute {name!r}")


__all__ = ["DTypePolicy", "Policy", "dtype_policy", "global_policy", "set_dtype_policy",
           "set_global_policy", "LossScaleOptimizer"]
