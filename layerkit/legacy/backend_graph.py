"""Keras 2's graph functions of the backend (K): `K.function`, `K.gradients` and
`K.placeholder`, over layerkit's functional graph (see legacy/graph_eval.py).

    f = K.function([model.input, K.learning_phase()], [model.layers[3].output])
    activations = f([x, 0])[0]

    grads = K.gradients(model.output[:, c], conv_layer.output)[0]   # Grad-CAM
    conv_out, grad_values = K.function([model.input], [conv_layer.output, grads])([x])
"""
import numpy as np

from layerkit import engine as _engine
from layerkit import config
from layerkit.engine.common.dtypes import standardize_dtype
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.engine.common.variables import Variable as _Variable
from layerkit.layers.symbolic_function import SymbolicFunctionNeeded
from layerkit.legacy import lambda_graph  # noqa: F401  (registers the Lambda hook)
from layerkit.legacy.backend_state import _LEARNING_PHASE, LearningPhase
from layerkit.utils.tree import flatten


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None, ragged=False):
    """A symbolic input of the given full shape (batch axis included; None where
    unknown), usable as a K.function input: `K.placeholder(shape=(None, 4))`."""
    if sparse or ragged:
        raise NotImplementedError("K.placeholder: sparse and ragged placeholders are not "
                                  f"supported; received sparse={sparse}, ragged={ragged}.")
    if shape is None:
        if ndim is None:
            raise ValueError("K.placeholder: pass `shape` (e.g. (None, 4)) or `ndim`; "
                             "received neither.")
        shape = (None,) * int(ndim)
    elif ndim is not None and len(tuple(shape)) != int(ndim):
        raise ValueError(f"K.placeholder: shape {tuple(shape)} does not have ndim={ndim}.")
    from layerkit.layers.input_layer import Input
    return Input(batch_shape=tuple(shape), dtype=standardize_dtype(dtype or config.floatx()),
                 name=name)


class GraphFunction:
    """What K.function returns: call it with a list of arrays, one per input."""

    def __init__(self, inputs, outputs, name=None):
        from layerkit.legacy.graph_eval import Plan
        self.name = name
        flat_inputs = flatten(inputs)
        self._phase_index = None
        feeds = []
        for i, t in enumerate(flat_inputs):
            if isinstance(t, LearningPhase):
                if self._phase_index is not None:
                    raise ValueError("K.function: K.learning_phase() appears twice in inputs.")
                self._phase_index = i
            elif isinstance(t, SymbolicTensor):
                feeds.append(t)
            else:
                raise TypeError(
                    f"K.function: inputs[{i}] must be a symbolic tensor (model.input, "
                    "Input(...), K.placeholder(...), a layer's .output) or "
                    f"K.learning_phase(); received {type(t).__name__}: {t!r:.80}")
        self._num_inputs = len(flat_inputs)
        self._feeds = feeds
        self._single_output = not isinstance(outputs, (list, tuple))
        targets = [outputs] if self._single_output else list(outputs)
        for i, t in enumerate(targets):
            if t is None:
                raise ValueError(
                    f"K.function: outputs[{i}] is None. K.gradients returns None for a "
                    "source the loss does not depend on; leave it out of the outputs.")
            if not isinstance(t, (SymbolicTensor, _Variable)):
                raise TypeError(
                    f"K.function: outputs[{i}] must be a symbolic tensor (a layer's .output, "
                    "an ops result, a K.gradients result) or a Variable; received "
                    f"{type(t).__name__}: {t!r:.80}")
        self._plan = Plan(feeds, targets, "K.function")
        self._compiled = _engine.core.jit(self._plan.run, static_argnums=(2,))

    def _values(self, inputs):
        if isinstance(inputs, dict):
            raise TypeError("K.function: pass the input values as a list in the order of "
                            "`inputs`, not a dict.")
        if not isinstance(inputs, (list, tuple)):
            inputs = [inputs]
        inputs = list(inputs)
        if len(inputs) != self._num_inputs:
            inputs = flatten(inputs)
        if len(inputs) != self._num_inputs:
            raise ValueError(f"K.function expects {self._num_inputs} input value(s), one per "
                             f"input; received {len(inputs)}.")
        if self._phase_index is None:
            training = bool(_LEARNING_PHASE["value"])
        else:
            phase = inputs.pop(self._phase_index)
            value = np.asarray(phase)
            if value.size != 1 or value.reshape(()).item() not in (0, 1):
                raise ValueError("K.function: the value for K.learning_phase() must be 0 "
                                 f"(inference) or 1 (training); received {phase!r:.40}.")
            training = bool(value.reshape(()).item())
        values = []
        for i, (t, x) in enumerate(zip(self._feeds, inputs)):
            if isinstance(x, _Variable):
                x = x.value
            x = _engine.core.convert_to_tensor(x, dtype=t.dtype)
            shape = tuple(x.shape)
            if len(shape) != len(t.shape) or any(
                    want is not None and want != got for want, got in zip(t.shape, shape)):
                raise ValueError(f"K.function: input {i} ({t.name or 'tensor'}) expects shape "
                                 f"{t.shape}; received an array of shape {shape}.")
            values.append(x)
        return values, training

    def __call__(self, inputs):
        values, training = self._values(inputs)
        state = [v.value for v in self._plan.state]
        with _engine.core.no_grad():
            outputs, seeds = self._compiled(values, state, training)
        for v, new in zip(self._plan.seeds, seeds):
            v.assign(new)
        arrays = [np.asarray(_engine.core.convert_to_numpy(o)) for o in outputs]
        return arrays[0] if self._single_output else arrays


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """Keras 2's K.function: a callable that evaluates `outputs` (symbolic tensors of
    a functional graph, K.gradients results or Variables) for values of `inputs`.

    `inputs` are symbolic tensors (model.input(s), Input or K.placeholder tensors, or
    any intermediate tensor, which is then fed instead of computed) and optionally
    K.learning_phase(): its value (0 or 1) runs the layers with training=False/True.
    Without it the phase set by K.set_learning_phase (default 0) is used. The call
    takes a list with one value per input (a single array for a single input) and
    returns a list of numpy arrays, one per output (a single array when `outputs` is a
    single tensor). The evaluation is compiled once (jax.jit on JAX; eager without
    autograd on PyTorch) and reads the Variables' current values on every call.
    """
    if kwargs:
        raise TypeError(f"K.function: unrecognized keyword argument(s) {sorted(kwargs)}; "
                        "expected inputs, outputs, updates, name.")
    if updates:
        raise NotImplementedError(
            f"K.function: `updates` is not supported (received {len(list(updates))} "
            "update(s)); layerkit runs no update ops inside K.function. Change Variables "
            "with Variable.assign / K.set_value after the call, or train with model.fit / "
            "train_on_batch.")
    return GraphFunction(inputs, outputs, name=name)


def gradients(loss, variables):
    """Keras 2's K.gradients (tf.gradients semantics): the symbolic gradients of `loss`
    with respect to each of `variables`, as a list that K.function can evaluate.

    `loss` is a symbolic tensor (or a list of them); a non-scalar loss is summed.
    `variables` is one or a list of symbolic tensors of the graph (model.input, a
    layer's .output: the graph above such a tensor is cut, so its gradient treats it as
    a free value) and/or Variables (model.trainable_weights). Each gradient has the
    shape of its source. A source the loss does not depend on gives None, as
    tf.gradients does: a tensor the loss is not computed from, a Variable that no layer
    between the inputs and the loss owns, or an integer source.
    """
    from layerkit.legacy.graph_eval import GradientRecord
    losses = list(loss) if isinstance(loss, (list, tuple)) else [loss]
    for i, t in enumerate(losses):
        if not isinstance(t, SymbolicTensor):
            # Inside a Lambda the layer catches this and reruns its function on the graph.
            raise SymbolicFunctionNeeded(
                "K.gradients: `loss` must be a symbolic tensor of a functional graph (e.g. "
                "built from model.output or a layer's .output with K/ops functions); "
                f"received {type(t).__name__}: {t!r:.80}. A concrete value keeps no record "
                "of how it was computed: compute it from symbolic tensors instead, then "
                "evaluate the gradients with K.function.")
        if "float" not in t.dtype:
            raise TypeError(f"K.gradients: `loss` must have a float dtype; received {t.dtype}.")
    sources = list(variables) if isinstance(variables, (list, tuple)) else [variables]
    for i, s in enumerate(sources):
        if not isinstance(s, (SymbolicTensor, _Variable)):
            raise TypeError(
                f"K.gradients: variables[{i}] must be a symbolic tensor of the graph (e.g. "
                "model.input, a layer's .output) or a Variable (e.g. from "
                f"model.trainable_weights); received {type(s).__name__}: {s!r:.80}")
    return GradientRecord(losses, sources).outputs
