"""Symbolic dispatch of `layerkit.ops`: an op called on a SymbolicTensor records a
graph node (an OpLayer) instead of running, as `keras.ops` does in Keras 3.

The check sits in the hot path (losses and metrics call ops every step on PyTorch
eager), so it only looks at the positional arguments and the items of a list/tuple
positional argument, by type identity. A symbolic tensor anywhere else (a keyword, a
nested list) is found after the engine rejects it: the `try` costs nothing when the
call succeeds.
"""
from layerkit.engine.common.symbolic_tensor import SymbolicTensor, any_symbolic, record_op

_ST = SymbolicTensor

# name -> the wrapped function, for every op that can be a graph node. The OpLayer
# looks its op up by name in `layerkit.ops`; this table says which names are valid.
GRAPH_OPS = {}


def _record(name, args, kwargs):
    # The OpLayer lives in layerkit.layers (above ops); it registered itself at import.
    return record_op(name, args, kwargs)


def graph_op(fn, name=None, module=None):
    """Wraps an engine function (or one written over the ops) so that a symbolic
    argument records a node; anything else runs `fn` directly."""
    name = name or fn.__name__
    # A name that another ops module shadows in `layerkit.ops` (numpy's and nn's `tanh`)
    # is stored with its module, e.g. "numpy.tanh".
    key = {"name": name, "module": module}

    def op(*args, **kwargs):
        for a in args:
            t = type(a)
            if t is _ST:
                return _record(_qualified(key, op), args, kwargs)
            if t is list or t is tuple:
                for b in a:
                    if type(b) is _ST:
                        return _record(_qualified(key, op), args, kwargs)
        try:
            return fn(*args, **kwargs)
        except Exception:
            if any_symbolic((args, kwargs)):
                return _record(_qualified(key, op), args, kwargs)
            raise

    _describe(op, fn, name)
    GRAPH_OPS.setdefault(name, op)
    if module is not None:
        GRAPH_OPS[f"{module}.{name}"] = op
    return op


def _qualified(key, op):
    from layerkit import ops
    name = key["name"]
    if getattr(ops, name, None) is op or key["module"] is None:
        return name
    return f"{key['module']}.{name}"


def value_op(fn, name=None, reason="its result is not a tensor"):
    """Wraps an op whose result cannot be a graph node (a Python value, a data-dependent
    shape): a symbolic argument raises a clear error instead of a numpy dtype error."""
    name = name or fn.__name__

    def op(*args, **kwargs):
        for a in args:
            t = type(a)
            if t is _ST or ((t is list or t is tuple) and any_symbolic(a)):
                _refuse(name, reason)
        try:
            return fn(*args, **kwargs)
        except Exception:
            if any_symbolic((args, kwargs)):
                _refuse(name, reason)
            raise

    _describe(op, fn, name)
    return op


def _refuse(name, reason):
    raise TypeError(
        f"layerkit.ops.{name} cannot take a symbolic tensor (an Input or a layer's output): "
        f"{reason}, so it cannot be a node of the functional graph. Call it on concrete "
        "values instead: inside a Lambda layer's function, or on the arrays that "
        "model.predict or K.function return.")


def _describe(op, fn, name):
    op.__name__ = name
    op.__qualname__ = name
    op.__doc__ = getattr(fn, "__doc__", None)
    op.__wrapped__ = fn
