"""`layerkit.ops` control flow: Keras 3's cond, switch, scan, fori_loop, while_loop,
map, associative_scan, vectorized_map and custom_gradient, bound to the engine's
control_flow module (lax primitives on JAX, eager loops / torch.vmap /
autograd.Function on PyTorch). They take Python callables, which a graph node cannot
store, so a symbolic argument raises a clear error."""
from layerkit import engine as _engine_package
from layerkit.engine.common.contract import CONTRACT
from layerkit.ops import dispatch as _dispatch

_engine = _engine_package.control_flow

__all__ = list(CONTRACT["control_flow"])
for _name in CONTRACT["control_flow"]:
    globals()[_name] = _dispatch.value_op(getattr(_engine, _name), _name,
                                          "it takes Python callables")
del _name
