"""`CallbackList`: calls every callback's hook, in order, from one place."""
from layerkit.callbacks.callback import (
    ALL_HOOKS, PREDICT_BATCH_HOOKS, TEST_BATCH_HOOKS, TRAIN_BATCH_HOOKS, Callback, _overrides,
    python_logs)
from layerkit.callbacks.chief import quiet
from layerkit.callbacks.history import History
from layerkit.callbacks.progbar_logger import ProgbarLogger

__all__ = ["CallbackList"]

_MODES = {"train": TRAIN_BATCH_HOOKS, "test": TEST_BATCH_HOOKS, "predict": PREDICT_BATCH_HOOKS}
# Callbacks whose own batch hooks accept engine scalars and never force a sync.
_LAZY_SAFE = (Callback, History, ProgbarLogger)


def _flatten(callbacks):
    if callbacks is None:
        return []
    if isinstance(callbacks, CallbackList):
        return list(callbacks.callbacks)
    if not isinstance(callbacks, (list, tuple)):
        callbacks = [callbacks]
    flat = []
    for callback in callbacks:
        if isinstance(callback, (list, tuple, CallbackList)):
            flat.extend(_flatten(callback))
        elif callback is not None:
            _check_callback(callback)
            flat.append(callback)
    return flat


def _check_callback(callback):
    if isinstance(callback, Callback):
        return
    missing = [name for name in ("set_model", "set_params") + ALL_HOOKS
               if not callable(getattr(callback, name, None))]
    if missing:
        raise TypeError(
            f"Expected a `keras.callbacks.Callback` instance in `callbacks`, got "
            f"{type(callback).__name__}: {callback!r} (it lacks {', '.join(missing)}). "
            "Subclass `Callback` or use `LambdaCallback`.")


def _implements(callback, mode):
    method = getattr(callback, f"_implements_{mode}_batch_hooks", None)
    return True if method is None else bool(method())


def _needs_python_logs(callback, mode):
    """Whether a batch hook of `mode` is user code that wants Python numbers."""
    if not isinstance(callback, Callback):
        return True
    if not _implements(callback, mode):   # e.g. TensorBoard with update_freq='epoch'
        return False
    return any(_overrides(callback, name, _LAZY_SAFE) for name in _MODES[mode])


class CallbackList:
    """Container abstracting a list of callbacks.

    Args:
        callbacks: list of `Callback` instances (or one, or None).
        add_history: add a `History` if none is in `callbacks`; it goes last.
        add_progbar: add a `ProgbarLogger` if none is in `callbacks`; it goes
            first, so the epoch's progress line prints before what other
            callbacks print at epoch end.
        model: the model the callbacks are used with.
        **params: passed to every callback through `set_params` (`verbose`,
            `epochs`, `steps`).

    For the training loop:

    * `_should_call_train_batch_hooks` (and `_test_`, `_predict_`): whether
      calling the batch hooks of that mode does anything at all.
    * `_needs_batch_logs` (and `_needs_train_batch_logs`, `_test_`,
      `_predict_`): whether a callback other than `History`/`ProgbarLogger`
      overrides a batch hook. Only then does a batch hook convert its logs to
      Python floats (forcing the device to finish the step) before calling the
      callbacks; the loop should then also write the weights back to the
      model's Variables before calling it. Otherwise batch logs pass through
      unconverted and the progress bar converts them only when it prints.

    Logs of the other hooks (epoch, train, test, predict begin/end) are always
    converted to Python numbers, into a new dict shared by the callbacks.
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):
        self.callbacks = _flatten(callbacks)
        self._history = None
        self._progbar = None
        self.model = None
        self.params = {}
        self._add_default_callbacks(add_history, add_progbar)
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)
        self._refresh()

    def _add_default_callbacks(self, add_history, add_progbar):
        for callback in self.callbacks:
            if isinstance(callback, ProgbarLogger):
                self._progbar = callback
            elif isinstance(callback, History):
                self._history = callback
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger(count_mode="steps")
            self.callbacks.insert(0, self._progbar)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)

    def _refresh(self):
        for mode in _MODES:
            should = any(_implements(cb, mode) for cb in self.callbacks)
            needs = should and any(_needs_python_logs(cb, mode) for cb in self.callbacks)
            setattr(self, f"_should_call_{mode}_batch_hooks", should)
            setattr(self, f"_needs_{mode}_batch_logs", needs)
        self._needs_batch_logs = (self._needs_train_batch_logs or self._needs_test_batch_logs
                                  or self._needs_predict_batch_logs)

    # -- container -------------------------------------------------------------
    def append(self, callback):
        added = _flatten([callback])
        self.callbacks.extend(added)
        for each in added:
            if self.model is not None:
                each.set_model(self.model)
            if self.params:
                each.set_params(self.params)
        self._refresh()

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self):
        return len(self.callbacks)

    def set_params(self, params):
        params = quiet(params, self.callbacks)   # only process 0 prints
        self.params = params
        for callback in self.callbacks:
            callback.set_params(params)
        self._refresh()

    def set_model(self, model):
        self.model = model
        if self._history is not None:
            try:
                model.history = self._history
            except AttributeError:
                pass
        for callback in self.callbacks:
            callback.set_model(model)
        self._refresh()

    # -- dispatch ----------------------------------------------------------------
    def _call(self, hook_name, *args, logs=None):
        logs = python_logs(logs)
        for callback in self.callbacks:
            getattr(callback, hook_name)(*args, logs)

    def _call_batch(self, mode, hook_name, batch, logs):
        if not getattr(self, f"_should_call_{mode}_batch_hooks"):
            return
        if getattr(self, f"_needs_{mode}_batch_logs"):
            logs = python_logs(logs)
        elif logs is None:
            logs = {}
        for callback in self.callbacks:
            getattr(callback, hook_name)(batch, logs)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs=logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs=logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call_batch("train", "on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call_batch("train", "on_train_batch_end", batch, logs)

    # Keras 2 spellings: the same as the train-batch hooks.
    def on_batch_begin(self, batch, logs=None):
        self.on_train_batch_begin(batch, logs)

    def on_batch_end(self, batch, logs=None):
        self.on_train_batch_end(batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call_batch("test", "on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call_batch("test", "on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call_batch("predict", "on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call_batch("predict", "on_predict_batch_end", batch, logs)
