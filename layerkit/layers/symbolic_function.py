"""Running a Lambda's function on symbolic tensors, for functions that need the graph
(Keras 2's `K.gradients` inside a Lambda: a gradient of one part of the graph used
as a layer's output).

Such a function raises SymbolicFunctionNeeded when it meets concrete values; the
Lambda then hands it to the runner that legacy/ (the floor that owns K.gradients and
the graph evaluation) registers here at import: the function is called once on
symbolic stand-ins of its inputs, and the recorded graph is evaluated on the real
values, traced with the rest of the step."""

_RUNNER = []


class SymbolicFunctionNeeded(TypeError):
    """Raised by a graph-only function (K.gradients) given concrete values."""


def register_symbolic_runner(runner):
    """`runner(layer, inputs, kwargs)` -> the outputs of layer.function, evaluated."""
    _RUNNER[:] = [runner]


def symbolic_runner():
    return _RUNNER[0] if _RUNNER else None
