"""`layerkit.ops`: Keras 3's `keras.ops` names, bound to the chosen engine."""
from layerkit.ops.core import *  # noqa: F401,F403
from layerkit.ops.core import shape, dtype  # noqa: F401
from layerkit.ops.numpy import *  # noqa: F401,F403
from layerkit.ops.nn import *  # noqa: F401,F403
from layerkit.ops import numpy, nn, core, image  # noqa: F401
