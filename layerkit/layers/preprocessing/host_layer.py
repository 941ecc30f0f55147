"""Layers that run on the host with numpy (strings cannot enter a compiled step), and
the host stage that lets them sit at the front of a model trained with fit.

A HostLayer's `host_call` maps a numpy array to a numpy array. Called eagerly (or
inside an eager model run) it simply runs. In fit/evaluate/predict the data adapter
keeps string arrays on the host; the trainer then asks `HostStage.of(model)` for the
host layers that read a model input directly, runs them on each batch before the
step, and passes their outputs in place of those inputs. While the step runs (and is
traced), `HostStage.active()` marks those layers as done: they pass their (already
processed) input through, and the Functional graph skips the input shape check for
the replaced inputs. The compiled step therefore sees numbers only.
"""
import contextlib
import threading

import numpy as np

from layerkit import engine
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.layers.layer import Layer
from layerkit.layers.preprocessing.category_encoding import refuse_symbolic_sparse
from layerkit.utils.tree import flatten


class _Done(threading.local):
    def __init__(self):
        self.layers = frozenset()


_DONE = _Done()


def host_stage_active():
    """True while a step runs on batches whose host layers already ran."""
    return bool(_DONE.layers)


def is_string_array(x):
    return isinstance(x, np.ndarray) and x.dtype.kind in "USO"


def to_host(x, layer):
    """`x` as a numpy array, or a clear error when it is a traced value."""
    if isinstance(x, np.ndarray):
        return x
    if engine.is_tensor(x):
        try:
            return np.asarray(engine.convert_to_numpy(x))
        except Exception as e:
            raise TypeError(
                f'{type(layer).__name__} "{layer.name}" runs on the host with numpy and cannot '
                "run inside a compiled step. In a model it must read a model Input directly "
                "(layerkit then runs it before the step); otherwise apply it to the data "
                "before fit/predict.") from e
    return np.asarray(x)


class HostLayer(Layer):
    """Subclasses write `host_call(array) -> array` and `compute_output_shape`,
    and set `output_dtype`."""

    output_dtype = "int64"
    sparse = False      # a subclass with sparse=True returns a BCOO (JAX only)

    def __call__(self, *args, **kwargs):
        first = args[0] if args else None
        if isinstance(first, SymbolicTensor):
            return super().__call__(*args, **kwargs)
        if id(self) in _DONE.layers:
            return first
        if not self.built:
            self.built = True
        out = self.host_call(to_host(first, self), *args[1:], **kwargs)
        if is_string_array(out):
            return out
        return engine.sparse.fromdense(out) if self.sparse else engine.convert_to_tensor(out)

    def host_call(self, inputs):
        raise NotImplementedError

    def compute_output_spec(self, inputs, *args, **kwargs):
        if self.sparse:
            refuse_symbolic_sparse(self)
        return SymbolicTensor(self.compute_output_shape(tuple(inputs.shape)), self.output_dtype)


class HostStage:
    """The host layers of one model that read its inputs directly (see above)."""

    def __init__(self, graph, positions):
        self.graph = graph
        self.positions = positions          # input position -> HostLayer
        self.layers = frozenset(id(layer) for layer in positions.values())

    @classmethod
    def of(cls, model):
        """The model's host stage, or None; found once per graph (predict asks per batch)."""
        graph = getattr(model, "_functional", None) or model
        nodes, inputs = getattr(graph, "_run_nodes", None), getattr(graph, "_inputs", None)
        if not nodes or not inputs:
            return None
        cached = graph.__dict__.get("_host_stage")
        if cached is not None and cached[0] is nodes:
            return cached[1]
        stage = cls._find(model, graph, nodes, inputs)
        graph.__dict__["_host_stage"] = (nodes, stage)
        return stage

    @classmethod
    def _find(cls, model, graph, nodes, inputs):
        index = {id(t): i for i, t in enumerate(inputs)}
        positions, readers = {}, {}
        for node in nodes:
            for t in flatten((node.call_args, node.call_kwargs)):
                if isinstance(t, SymbolicTensor) and id(t) in index:
                    readers.setdefault(index[id(t)], []).append(node.layer)
        for i, layers in readers.items():
            host = [l for l in layers if isinstance(l, HostLayer)]
            if not host:
                continue
            if len(layers) > 1:
                raise ValueError(
                    f'Model "{model.name}": input {i} feeds the host-side layer '
                    f'"{host[0].name}" and {len(layers) - 1} other layer(s); a string input '
                    "may feed exactly one host layer (StringLookup, Hashing, "
                    "TextVectorization, IntegerLookup). Give each its own Input.")
            positions[i] = host[0]
        return cls(graph, positions) if positions else None

    def apply(self, x, stacked=False):
        """The batch `x` with each host-fed input replaced by its host layer's output;
        `stacked`: x has a leading steps_per_execution axis."""
        flat = list(self.graph._flatten_inputs(x))
        for i, layer in self.positions.items():
            value = to_host(flat[i], layer)
            if stacked:
                k, b = value.shape[:2]
                out = np.asarray(layer.host_call(value.reshape((k * b,) + value.shape[2:])))
                flat[i] = out.reshape((k, b) + out.shape[1:])
            else:
                flat[i] = np.asarray(layer.host_call(value))
        check_numeric(flat)
        if isinstance(x, dict):
            keys = list(self.graph._input_struct.keys()) \
                if isinstance(self.graph._input_struct, dict) else self.graph.input_names
            return dict(zip(keys, flat))
        return flat[0] if len(flat) == 1 else flat

    @contextlib.contextmanager
    def active(self):
        previous = _DONE.layers
        _DONE.layers = self.layers
        try:
            yield
        finally:
            _DONE.layers = previous


def check_numeric(x):
    """A clear error when a string array would reach the compiled step."""
    for a in flatten(x):
        if is_string_array(a):
            raise TypeError(
                f"`x` must hold numbers, but it has dtype {a.dtype} (first item: "
                f"{a.flat[0]!r:.40}). Strings can only feed a model whose Input goes straight "
                "into a StringLookup, Hashing or TextVectorization layer; otherwise convert "
                "them to a numeric array.")
