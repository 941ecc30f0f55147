"""`Callback`: the base class of everything `fit`, `evaluate` and `predict` call back."""
import types

import numpy as np

__all__ = ["Callback"]

TRAIN_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end",
                     "on_batch_begin", "on_batch_end")
TEST_BATCH_HOOKS = ("on_test_batch_begin", "on_test_batch_end")
PREDICT_BATCH_HOOKS = ("on_predict_batch_begin", "on_predict_batch_end")
BATCH_HOOKS = TRAIN_BATCH_HOOKS + TEST_BATCH_HOOKS + PREDICT_BATCH_HOOKS
NON_BATCH_HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
                   "on_test_begin", "on_test_end", "on_predict_begin", "on_predict_end")
ALL_HOOKS = NON_BATCH_HOOKS + BATCH_HOOKS


class Callback:
    """Abstract base class used to build new callbacks.

    Override the hooks you need. `model` is the model being trained (set by
    `set_model`); `params` is a dict of the run's settings (`verbose`, `epochs`,
    `steps`), set by `set_params`.

    `on_batch_begin` / `on_batch_end` are the Keras 2 names of
    `on_train_batch_begin` / `on_train_batch_end`: the default train-batch hooks
    forward to them, so overriding either spelling works.
    """

    model = None
    params = types.MappingProxyType({})
    validation_data = None

    def __init__(self):
        self.validation_data = None
        self.model = None
        self.params = {}

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self.model = model

    # -- Keras 2 aliases --------------------------------------------------
    def on_batch_begin(self, batch, logs=None):
        """A backwards compatibility alias for `on_train_batch_begin`."""

    def on_batch_end(self, batch, logs=None):
        """A backwards compatibility alias for `on_train_batch_end`."""

    # -- fit ---------------------------------------------------------------
    def on_train_begin(self, logs=None):
        """Called at the beginning of training."""

    def on_train_end(self, logs=None):
        """Called at the end of training; `logs` are the last epoch's logs."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of an epoch (0-based `epoch`)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch; `logs` hold the epoch's metrics and
        the `val_`-prefixed validation metrics when validation ran."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called at the beginning of a training batch."""
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called at the end of a training batch; `logs` hold running means."""
        self.on_batch_end(batch, logs)

    # -- evaluate (and validation inside fit) -------------------------------
    def on_test_begin(self, logs=None):
        """Called at the beginning of evaluation or validation."""

    def on_test_end(self, logs=None):
        """Called at the end of evaluation or validation."""

    def on_test_batch_begin(self, batch, logs=None):
        """Called at the beginning of a batch in `evaluate` or validation."""

    def on_test_batch_end(self, batch, logs=None):
        """Called at the end of a batch in `evaluate` or validation."""

    # -- predict -------------------------------------------------------------
    def on_predict_begin(self, logs=None):
        """Called at the beginning of prediction."""

    def on_predict_end(self, logs=None):
        """Called at the end of prediction."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called at the beginning of a batch in `predict`."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called at the end of a batch in `predict`; `logs['outputs']` holds
        the batch's predictions."""

    # -- which hooks are really used ----------------------------------------
    def _implements_train_batch_hooks(self):
        return any(_overrides(self, name) for name in TRAIN_BATCH_HOOKS)

    def _implements_test_batch_hooks(self):
        return any(_overrides(self, name) for name in TEST_BATCH_HOOKS)

    def _implements_predict_batch_hooks(self):
        return any(_overrides(self, name) for name in PREDICT_BATCH_HOOKS)


def _defining_class(obj, name):
    for klass in type(obj).__mro__:
        if name in vars(klass):
            return klass
    return None


def _overrides(callback, name, lazy_safe=(Callback,)):
    """Whether `callback.name` is something other than the defaults in `lazy_safe`.

    A function stored on the instance (as `LambdaCallback` does) counts as an
    override.
    """
    if name in getattr(callback, "__dict__", {}):
        return True
    return _defining_class(callback, name) not in lazy_safe


def python_value(value):
    """A log value as a Python scalar when it is a scalar; anything else as is.

    Engine scalars (jax arrays, torch tensors) and numpy scalars become Python
    numbers through `.item()`; other objects with `__float__` through `float`.
    Arrays with more than one entry (prediction outputs) are left alone.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    shape = getattr(value, "shape", None)
    if shape is not None:
        if tuple(shape) == () and hasattr(value, "item"):
            return value.item()
        return value
    if hasattr(value, "__float__"):
        return float(value)
    return value


def python_logs(logs):
    """A new dict with every scalar log value converted to a Python number."""
    if not logs:
        return {}
    return {key: python_value(value) for key, value in logs.items()}
