"""Reading and setting an optimizer's learning rate from a callback.

The learning rate is one of the optimizer's Variables, part of the state the
compiled step carries (engine/common/contract.py EngineState.optimizer). `fit`
writes the step's state back to the Variables before `on_epoch_end` and reads
them again at the next step, so a value set between epochs is the one the next
epoch trains with, on every engine.
"""
import numbers

import numpy as np

__all__ = ["get_learning_rate", "set_learning_rate"]


def _optimizer(owner, model):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError(f"{owner} needs a compiled model whose optimizer has a "
                         f"`learning_rate`; the model's optimizer is {optimizer!r}.")
    return optimizer


def get_learning_rate(owner, model):
    """The optimizer's current learning rate as a Python float."""
    value = _optimizer(owner, model).learning_rate
    return float(np.asarray(value.numpy() if hasattr(value, "numpy") else value))


def set_learning_rate(owner, model, value):
    """Sets the learning rate to the number `value` (a clear error otherwise)."""
    optimizer = _optimizer(owner, model)
    if hasattr(value, "shape") and tuple(value.shape) == () and hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{owner}: the learning rate must be a float, received "
                         f"{type(value).__name__}: {value!r}.")
    optimizer.learning_rate = float(value)
    return float(value)
