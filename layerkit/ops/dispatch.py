"""Symbolic dispatch of `layerkit.ops`: an op called on a SymbolicTensor records a
graph node (an OpLayer) instead of running, as `keras.ops` does in Keras 3.

The check sits in the hot path (losses and metrics call ops every step on PyTorch
eager), so it only looks at the positional arguments and the items of a list/tuple
positional argument, by type identity. A symbolic tensor anywhere else (a keyword, a
nested list) is found after the engine rejects it: the `try` costs nothing when the
call succeeds.

A Variable argument is replaced by its `.value` before the engine function runs
(inside a stateless scope that is the traced value), as Keras 3's engine functions
convert their inputs: a Variable object must never reach a JAX transformation, which
refuses objects it cannot abstract (`jnp.matmul` is jitted). The same positional scan
finds them (one identity test more per argument, within timing noise on the torch
eager path); a Variable elsewhere, or of a subclass, is mapped after a failed call.
"""
from layerkit.engine import Variable as _EngineVariable
from layerkit.engine.common.symbolic_tensor import SymbolicTensor, any_symbolic, record_op
from layerkit.engine.common.variables import Variable as _BaseVariable

_ST = SymbolicTensor
_VAR = _EngineVariable

# name -> the wrapped function, for every op that can be a graph node. The OpLayer
# looks its op up by name in `layerkit.ops`; this table says which names are valid.
GRAPH_OPS = {}

# name -> rule(*args, **kwargs) giving an op's output SymbolicTensors where abstract
# evaluation cannot: a data-dependent shape, a loop on a symbolic condition. The rules
# are in ops/symbolic_specs.py; the OpLayer asks here before evaluating.
SPEC_RULES = {}


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
        has_variable = False
        for a in args:
            t = type(a)
            if t is _ST:
                return _record(_qualified(key, op), args, kwargs)
            if t is _VAR:
                has_variable = True
            elif t is list or t is tuple:
                for b in a:
                    tb = type(b)
                    if tb is _ST:
                        return _record(_qualified(key, op), args, kwargs)
                    if tb is _VAR:
                        has_variable = True
        if has_variable:
            args = _values(args)
        try:
            return fn(*args, **kwargs)
        except Exception:
            if any_symbolic((args, kwargs)):
                return _record(_qualified(key, op), args, kwargs)
            return _again_with_values(fn, args, kwargs)

    _describe(op, fn, name)
    GRAPH_OPS.setdefault(name, op)
    if module is not None:
        GRAPH_OPS[f"{module}.{name}"] = op
    return op


def _values(structure):
    """`structure` with each Variable (at any depth of lists, tuples and dicts)
    replaced by its current value."""
    if isinstance(structure, _BaseVariable):
        return structure.value
    if isinstance(structure, (list, tuple)):
        return type(structure)(_values(s) for s in structure)
    if isinstance(structure, dict):
        return {k: _values(v) for k, v in structure.items()}
    return structure


def _again_with_values(fn, args, kwargs):
    """After fn(*args, **kwargs) raised: fn again with every Variable (at any depth)
    read as its value, or, with none among the arguments, the error being handled."""
    if _any_variable((args, kwargs)):
        return fn(*_values(args), **_values(kwargs))
    raise    # noqa: PLE0704 (called from an except block: re-raises what it handles)


def _any_variable(structure):
    if isinstance(structure, _BaseVariable):
        return True
    if isinstance(structure, (list, tuple)):
        return any(_any_variable(s) for s in structure)
    if isinstance(structure, dict):
        return any(_any_variable(s) for s in structure.values())
    return False


def _qualified(key, op):
    from layerkit import ops
    name = key["name"]
    if getattr(ops, name, None) is op or key["module"] is None:
        return name
    return f"{key['module']}.{name}"


def callable_op(fn, name, module=None):
    """Wraps an op that takes Python callables (control flow): a symbolic tensor
    anywhere among the arguments, at any depth (a scan's carry, a while_loop's loop
    variables), records a node. The callables would otherwise run on the symbolic
    tensors and build stray graph nodes."""
    key = {"name": name, "module": module}

    def op(*args, **kwargs):
        if any_symbolic((args, kwargs)):
            return _record(_qualified(key, op), args, kwargs)
        try:
            return fn(*args, **kwargs)
        except Exception:
            return _again_with_values(fn, args, kwargs)

    _describe(op, fn, name)
    GRAPH_OPS.setdefault(name, op)
    if module is not None:
        GRAPH_OPS[f"{module}.{name}"] = op
    return op


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
            return _again_with_values(fn, args, kwargs)

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
