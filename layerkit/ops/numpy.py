"""`layerkit.ops` array functions: the engine's own, bound at import. Each records a
graph node when called on a symbolic tensor (see ops/dispatch.py)."""
from layerkit.engine import numpy as _engine
from layerkit.engine.common.contract import CONTRACT
from layerkit.ops import dispatch as _dispatch

# Ops whose result cannot be a graph node: a Python number, or a shape that depends on
# the data.
_VALUE_OPS = {"size": "its result is a Python number",
              "nonzero": "the shape of its result depends on the data",
              "unique": "the shape of its result depends on the data"}

__all__ = list(CONTRACT["numpy"])
for _name in CONTRACT["numpy"]:
    if _name in _VALUE_OPS:
        globals()[_name] = _dispatch.value_op(getattr(_engine, _name), _name,
                                              _VALUE_OPS[_name])
    elif _name != "ndim":
        globals()[_name] = _dispatch.graph_op(getattr(_engine, _name), _name, "numpy")
del _name


def ndim(x):
    """The number of axes; static, so a symbolic tensor gives its rank too."""
    if type(x) is _dispatch.SymbolicTensor:
        return x.ndim
    return _engine.ndim(x)
