"""`layerkit.ops` control flow: Keras 3's switch, scan, fori_loop, while_loop, map,
associative_scan, vectorized_map and custom_gradient (cond is in ops/core.py), bound
to the engine's control_flow module (lax primitives on JAX, eager loops / torch.vmap
/ autograd.Function on PyTorch).

On symbolic tensors each records a graph node that holds its callables; its output
shape comes from abstract evaluation or a rule in ops/symbolic_specs.py. A config
names the module-level callables (module and name) and stores a lambda's code, which
loads back only outside safe mode (layers/function_code.py)."""
import functools

from layerkit import engine as _engine_package
from layerkit.engine.common.contract import CONTRACT
from layerkit.engine.common.symbolic_tensor import any_symbolic as _any_symbolic
from layerkit.ops import dispatch as _dispatch

_engine = _engine_package.control_flow

__all__ = list(CONTRACT["control_flow"])
for _name in CONTRACT["control_flow"]:
    if _name != "custom_gradient":
        globals()[_name] = _dispatch.callable_op(getattr(_engine, _name), _name,
                                                 "control_flow")
del _name


def _unwrap(f):
    """The user's function behind a `custom_gradient` wrapper (a config names the
    decorated module-level function, which is the wrapper)."""
    return getattr(f, "_custom_gradient_of", f)


def _apply_custom_gradient(f, *args, **kwargs):
    return _engine.custom_gradient(_unwrap(f))(*args, **kwargs)


# The graph node of a custom_gradient function called on symbolic tensors.
apply_custom_gradient = _dispatch.callable_op(_apply_custom_gradient,
                                              "apply_custom_gradient", "control_flow")


def custom_gradient(f):
    """Decorates `f(*args) -> (output, grad_fn)`: the result's gradient is
    grad_fn(upstream) under both engines' autodiff. Called on symbolic tensors it
    records a graph node."""
    f = _unwrap(f)
    wrapped = _engine.custom_gradient(f)

    @functools.wraps(f)
    def call(*args, **kwargs):
        if _any_symbolic((args, kwargs)):
            return apply_custom_gradient(f, *args, **kwargs)
        return wrapped(*args, **kwargs)

    call._custom_gradient_of = f
    return call
