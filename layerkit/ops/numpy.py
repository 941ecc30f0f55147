"""`layerkit.ops` array functions: the engine's own, bound at import."""
from layerkit.backend import numpy as _engine
from layerkit.backend.common.contract import CONTRACT

__all__ = list(CONTRACT["numpy"])
for _name in CONTRACT["numpy"]:
    globals()[_name] = getattr(_engine, _name)
del _name
