"""`layerkit.ops`: Keras 3's `keras.ops` names, bound to the chosen engine, with its
submodules `numpy`, `nn`, `linalg` and `image`."""
from layerkit.ops.core import *  # noqa: F401,F403
from layerkit.ops.core import shape, dtype  # noqa: F401
from layerkit.ops.numpy import *  # noqa: F401,F403
from layerkit.ops.nn import *  # noqa: F401,F403
from layerkit.ops.math import *  # noqa: F401,F403
from layerkit.ops.linalg import *  # noqa: F401,F403
from layerkit.ops.control_flow import *  # noqa: F401,F403
from layerkit.ops.einops import rearrange  # noqa: F401
from layerkit.ops import numpy, nn, core, math, linalg, control_flow, image  # noqa: F401
from layerkit.ops import symbolic_specs as _symbolic_specs  # noqa: F401  (registers rules)
