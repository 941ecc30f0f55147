"""The PyTorch step: eager autograd over the Variables' leaf tensors.

The state lives in the Variables themselves, so get_state/set_state are plain
reads/writes and `sync()` has nothing to do. `compile(jit_compile=True)`
compiles the forward pass with torch.compile.
"""
import os

import torch

from layerkit.engine.common.masking import get_keras_mask, set_keras_mask
from layerkit.engine.torch.core import convert_to_tensor


def get_state(model, kind="train"):
    return [v.value for v in model.variables]


def set_state(model, state, kind="train"):
    for v, value in zip(model.variables, state):
        v.assign(value)


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


class StepRunner:
    def __init__(self, model, kind):
        self.model = model
        self.kind = kind
        self.steps_per_execution = 1
        if kind == "train":
            model.optimizer.build(model.trainable_variables)
        self.trainable = list(model.trainable_variables) if kind == "train" else []
        forward = model.__call__
        self.compiled = getattr(model, "jit_compile", None) is True
        if self.compiled:
            # LAYERKIT_TORCH_COMPILE_BACKEND picks torch.compile's backend (the tests use
            # the quick "aot_eager"; the default is inductor).
            forward = torch.compile(
                forward, backend=os.environ.get("LAYERKIT_TORCH_COMPILE_BACKEND", "inductor"))
        self._forward = forward

    def _train(self, x, y, sw):
        model = self.model
        y_pred = self._forward(x, training=True)
        loss = model.compute_loss(x, y, y_pred, sw, training=True)
        grads = torch.autograd.grad(loss, [v._value for v in self.trainable], allow_unused=True)
        with torch.no_grad():
            model.optimizer.apply(list(grads), self.trainable)
            model.update_metrics(loss.detach(), y, _detach(y_pred), sw, results=False)

    def _test(self, x, y, sw):
        model = self.model
        with torch.no_grad():
            y_pred = self._forward(x, training=False)
            loss = model.compute_loss(x, y, y_pred, sw, training=False)
            model.update_metrics(loss, y, y_pred, sw, results=False)

    def run(self, batch, n=1, want_logs=True):
        """One step; its logs only if `want_logs` (else None: `results()` reads them)."""
        x, y, sw = batch
        x, y, sw = _tensors(x), _tensors(y), _tensors(sw)
        if self.kind == "train":
            self._train(x, y, sw)
        else:
            self._test(x, y, sw)
        return self.results() if want_logs else None

    def results(self):
        with torch.no_grad():
            return self.model.metric_results()

    def predict(self, x):
        with torch.no_grad():
            return self._forward(_tensors(x), training=False)

    def sync(self):
        pass

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
