"""`layerkit.backend`: Keras's `keras.backend` (imported as K in Keras 2 programs).

The configuration functions (`backend()`, `floatx()`, `epsilon()`,
`image_data_format()`, `clear_session()` …) and Keras 2's K functions (`K.mean`,
`K.function`, `K.gradients` …). A thin module on the top floor: the engine seam
itself is `layerkit.engine`.
"""
from layerkit.config import (backend, epsilon, floatx, image_data_format, set_epsilon,
                             set_floatx, set_image_data_format)
from layerkit.engine.common.dtypes import standardize_dtype
from layerkit.legacy.backend_functions import *  # noqa: F401,F403
from layerkit.legacy.backend_functions import __all__ as _K_NAMES

__all__ = ["backend", "standardize_dtype"] + list(_K_NAMES)
