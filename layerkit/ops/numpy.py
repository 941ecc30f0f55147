"""`layerkit.ops.numpy`: Keras 3's `keras.ops.numpy` names. The engine's own ops are
bound at import (engine numpy, elementwise, arrays and statistics modules, and
slogdet from linalg); the few written once over them come from numpy_composed.py.
Each records a graph node when called on a symbolic tensor (see ops/dispatch.py)."""
from layerkit import engine as _engine_package
from layerkit.engine import core as _core
from layerkit.engine import numpy as _engine
from layerkit.engine.common.contract import CONTRACT
from layerkit.ops import dispatch as _dispatch

# Ops whose result cannot be a graph node. (Ops with data-dependent shapes are graph
# nodes; ops/symbolic_specs.py gives their output shapes, and `size`'s, a scalar int32.)
_VALUE_OPS = {}

# The engine modules bound here and the names each gives `ops.numpy`.
_BOUND = [(_engine, CONTRACT["numpy"]),
          (_engine_package.elementwise, CONTRACT["elementwise"]),
          (_engine_package.arrays, CONTRACT["arrays"]),
          (_engine_package.statistics, CONTRACT["statistics"]),
          (_engine_package.linalg, ("slogdet",))]

__all__ = ["in_top_k"]
for _module, _names in _BOUND:
    for _name in _names:
        __all__.append(_name)
        if _name in _VALUE_OPS:
            globals()[_name] = _dispatch.value_op(getattr(_module, _name), _name,
                                                  _VALUE_OPS[_name])
        elif _name != "ndim":
            globals()[_name] = _dispatch.graph_op(getattr(_module, _name), _name, "numpy")
del _module, _names, _name


def ndim(x):
    """The number of axes; static, so a symbolic tensor gives its rank too."""
    if type(x) is _dispatch.SymbolicTensor:
        return x.ndim
    return _engine.ndim(x)


def _in_top_k(targets, predictions, k):
    """True where a row's target class scores among its k highest. A target is in when
    fewer than k scores beat it strictly, so a tie at the k-th place counts as in."""
    predictions = _core.convert_to_tensor(predictions)
    targets = _engine.expand_dims(_core.cast(targets, "int32"), -1)
    target_scores = _engine.take_along_axis(predictions, targets, axis=-1)
    return _engine.less(_engine.sum(_engine.greater(predictions, target_scores), axis=-1), k)


in_top_k = _dispatch.graph_op(_in_top_k, "in_top_k", "numpy")

from layerkit.ops.numpy_composed import *  # noqa: E402,F401,F403
from layerkit.ops.numpy_composed import __all__ as _composed  # noqa: E402

__all__ += _composed
