"""`layerkit.ops.linalg`: Keras 3's `keras.ops.linalg`, bound to the engine's linalg
module (jax.numpy.linalg / jax.scipy.linalg, torch.linalg), plus `norm`."""
from layerkit import engine as _engine_package
from layerkit.engine.common.contract import CONTRACT
from layerkit.ops import dispatch as _dispatch
from layerkit.ops.numpy import norm  # noqa: F401

_engine = _engine_package.linalg

__all__ = [n for n in CONTRACT["linalg"] if n not in ("slogdet", "logdet")] + ["norm"]
for _name in __all__:
    if _name == "jvp":
        jvp = _dispatch.callable_op(_engine.jvp, "jvp", "linalg")
    elif _name != "norm":
        globals()[_name] = _dispatch.graph_op(getattr(_engine, _name), _name, "linalg")
del _name
