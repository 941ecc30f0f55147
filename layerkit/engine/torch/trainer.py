"""The PyTorch step: eager autograd over the Variables' leaf tensors.

The state lives in the Variables themselves, so get_state/set_state are plain
reads/writes of engine/common/contract.py's EngineState and `sync()` has
nothing to do. `compile(jit_compile=True)` compiles the forward pass with
torch.compile (not with run_eagerly=True). `steps_per_execution=N` runs N steps
per `run` call, on the N batches the loop stacks, so callbacks see every N-th
batch as in Keras.
"""
import os

import torch

from layerkit.engine.common.contract import EngineState, assign_state, state_variables
from layerkit.engine.common.masking import get_keras_mask, set_keras_mask
from layerkit.engine.torch.core import convert_to_tensor
from layerkit.engine.torch.replicas import replicas_for


def get_state(model, kind="train"):
    """The model's EngineState: the Variables' current tensors. No copy is needed:
    every update (optimizer, metrics, seeds) binds a new tensor, never writes in place."""
    return EngineState(*([v.value for v in group] for group in state_variables(model, kind)))


# Writing a state back is the same on every engine.
set_state = assign_state


def _tensors(structure):
    if structure is None:
        return None
    if isinstance(structure, torch.Tensor):
        return structure
    if isinstance(structure, dict):
        return {k: _tensors(v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_tensors(v) for v in structure)
    return convert_to_tensor(structure)


def _index(structure, i):
    if structure is None:
        return None
    if isinstance(structure, dict):
        return {k: _index(v, i) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_index(v, i) for v in structure)
    return structure[i]


class StepRunner:
    def __init__(self, model, kind):
        self.model = model
        self.kind = kind
        self.steps_per_execution = getattr(model, "steps_per_execution", 1) \
            if kind != "predict" else 1
        if kind == "train":
            model.optimizer.build(model.trainable_variables)
        self.trainable = list(model.trainable_variables) if kind == "train" else []
        forward = model.__call__
        self.compiled = getattr(model, "jit_compile", None) is True and \
            not getattr(model, "run_eagerly", False)
        if self.compiled:
            # LAYERKIT_TORCH_COMPILE_BACKEND picks torch.compile's backend (the tests use
            # the quick "aot_eager"; the default is inductor).
            forward = torch.compile(
                forward, backend=os.environ.get("LAYERKIT_TORCH_COMPILE_BACKEND", "inductor"))
        self._forward = forward
        self._custom = model._custom_step(kind) if hasattr(model, "_custom_step") else None
        if self._custom is not None and self._custom[1]:
            name = f"{kind}_step"
            raise TypeError(
                f"{type(model).__name__}.{name}(self, state, data) is Keras's stateless JAX "
                f"form; on PyTorch write {name}(self, data) (loss.backward() and "
                "self.optimizer.apply(grads, self.trainable_variables), or "
                "self.compute_gradients(loss_fn), which runs on both engines).")
        self._last = None
        # Several processes: DataReplicas or ModelShards (engine/torch/replicas.py).
        self.replicas = replicas_for(model, kind)

    def _train(self, x, y, sw):
        model = self.model
        y_pred = self._forward(x, training=True)
        loss, per_output = model._loss_terms(x, y, y_pred, sw, training=True)
        # The optimizer divides the gradients back by the scale it applies (Keras 3's
        # scale_loss: a static loss_scale_factor or a LossScaleOptimizer's scale).
        scaled = model.optimizer.scale_loss(loss)
        # A frozen or weightless model still fits: its loss is logged, nothing moves.
        leaves = [v._value for v in self.trainable]
        if self.replicas is not None and leaves:
            self.replicas.watch(leaves)   # all-reduces buckets as backward fills them
        grads = torch.autograd.grad(scaled, leaves, allow_unused=True) if leaves else None
        if self.replicas is not None and leaves:
            grads = self.replicas.gradients(grads)
        with torch.no_grad():
            if grads is not None:
                model.optimizer.apply(list(grads), self.trainable)
            model.update_metrics(loss.detach(), y, _detach(y_pred), sw, results=False,
                                 output_losses=per_output)

    def _test(self, x, y, sw):
        model = self.model
        with torch.no_grad():
            y_pred = self._forward(x, training=False)
            loss, per_output = model._loss_terms(x, y, y_pred, sw, training=False)
            model.update_metrics(loss, y, y_pred, sw, results=False, output_losses=per_output)

    def run(self, batch, n=1, want_logs=True):
        """n steps (n > 1: `batch` holds n batches stacked on a leading axis); the logs
        of the last only if `want_logs` (else None: `results()` reads them)."""
        x, y, sw = batch
        x, y, sw = _tensors(x), _tensors(y), _tensors(sw)
        step = self._train if self.kind == "train" else self._test
        if self._custom is not None:
            step = self._run_custom
        if self.replicas is not None:
            step = self._replicated(step)
        if n == 1:
            step(x, y, sw)
        else:
            for i in range(n):
                step(_index(x, i), _index(y, i), _index(sw, i))
        return self.results() if want_logs else None

    def _replicated(self, step):
        def run(x, y, sw):
            self.replicas.enter()
            x, y, sw = self.replicas.batch(x, y, sw)
            with self.replicas.context(x):
                step(x, y, sw)
        return run

    def _run_custom(self, x, y, sw):
        """The model's own train_step/test_step (Keras's torch form): it runs as
        written; testing runs under no_grad, as in Keras."""
        data = x if y is None else ((x, y) if sw is None else (x, y, sw))
        if y is None and isinstance(x, (list, tuple)):
            data = (x,)
        if self.kind == "train":
            logs = self._custom[0](data)
        else:
            with torch.no_grad():
                logs = self._custom[0](data)
        if not isinstance(logs, dict):
            raise TypeError(f"{self.kind}_step must return a dict of logs, received "
                            f"{type(logs).__name__}.")
        self._last = logs

    def results(self):
        if self._custom is not None:
            return self._last
        with torch.no_grad():
            if self.replicas is not None:
                return self.replicas.results(self.model)
            return self.model.metric_results()

    def predict(self, x):
        """The outputs for `x`; with several processes, `x` is this process's rows and
        every process receives all processes' rows in rank order."""
        if self.replicas is not None:
            self.replicas.enter()
            x = self.replicas.batch(_tensors(x), None, None)[0]
            with self.replicas.context(x):
                return self.replicas.outputs(self._predict(x))
        return self._predict(x)

    def _predict(self, x):
        with torch.no_grad():
            if self._custom is not None:
                x = _tensors(x)
                return self._custom[0]((x,) if isinstance(x, (list, tuple)) else x)
            return self._forward(_tensors(x), training=False)

    def sync(self):
        if self.replicas is not None:
            self.replicas.sync()

    def reset_metrics(self):
        self.model.reset_metrics()


def _detach(structure):
    if isinstance(structure, torch.Tensor):
        out = structure.detach()
        mask = get_keras_mask(structure)
        if mask is not None:     # the metrics weigh by the output's mask
            set_keras_mask(out, mask)
        return out
    if isinstance(structure, dict):
        return {k: _detach(v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_detach(v) for v in structure)
    return structure


def make_step(model, kind):
    return StepRunner(model, kind)
