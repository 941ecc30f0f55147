"""`ProgbarLogger`: prints `Epoch 1/20` and the progress bar of fit/evaluate/predict."""
import sys

from layerkit.callbacks.callback import Callback
from layerkit.utils.progbar import Progbar

__all__ = ["ProgbarLogger"]


class ProgbarLogger(Callback):
    """Callback that prints metrics to stdout.

    Reads `verbose`, `epochs` and `steps` (or `samples`) from `params`. During
    `fit` it prints `Epoch i/N` (when N > 1) and one bar per epoch whose last
    line holds the epoch logs, validation included; validation inside `fit`
    prints nothing of its own. A standalone `evaluate` or `predict` prints its
    own bar. When the number of steps is unknown, the first epoch shows
    `N/Unknown` and later epochs use the count it found.

    Args:
        count_mode: `"steps"` or `"samples"`: whether the bar counts batches or
            samples (the latter uses `params["samples"]` and each batch's
            `logs["size"]`).
        stateful_metrics: names of logged values to show as given. Others are
            averaged over the epoch by the bar. By default every logged value is
            shown as given: a model's logs are already running means.

    Log values may be engine scalars; they are converted only when a line is
    printed, never at every batch.
    """

    def __init__(self, count_mode="steps", stateful_metrics=None):
        super().__init__()
        if count_mode == "samples":
            self.use_steps = False
        elif count_mode == "steps":
            self.use_steps = True
        else:
            raise ValueError(f"Unknown `count_mode`: {count_mode!r}. "
                             "Expected values are ['samples', 'steps'].")
        self._all_stateful = stateful_metrics is None
        self.stateful_metrics = set(stateful_metrics or ())
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else int(verbose or 0)
        self.epochs = params.get("epochs", 1) or 1
        key = "steps" if self.use_steps else "samples"
        self.target = params.get(key)

    # -- hooks ---------------------------------------------------------------
    def on_train_begin(self, logs=None):
        # Inside `fit`, validation is silent.
        self._called_in_fit = True

    def on_train_end(self, logs=None):
        self._called_in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            sys.stdout.write("Epoch %d/%d\n" % (epoch + 1, self.epochs))
            sys.stdout.flush()

    def on_train_batch_end(self, batch, logs=None):
        self._batch_update_progbar(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._batch_update_progbar(batch, logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_begin(self, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_predict_batch_end(self, batch, logs=None):
        self._batch_update_progbar(batch, None)  # never show the predictions

    def on_predict_end(self, logs=None):
        self._finalize_progbar(None)

    # Batch hooks matter only to draw the bar (verbose=1) or to count steps
    # when their number is unknown.
    def _implements_train_batch_hooks(self):
        return self.verbose == 1 or (bool(self.verbose) and self.target is None)

    def _implements_test_batch_hooks(self):
        return self._implements_train_batch_hooks()

    def _implements_predict_batch_hooks(self):
        return self._implements_train_batch_hooks()

    # -- internals -----------------------------------------------------------
    def _reset_progbar(self):
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self):
        if self.progbar is None:
            self.progbar = Progbar(target=self.target, verbose=self.verbose,
                                   stateful_metrics=self._stateful_names(),
                                   unit_name="step" if self.use_steps else "sample")
        return self.progbar

    def _stateful_names(self):
        names = set(self.stateful_metrics)
        model_names = getattr(self.model, "metrics_names", None) if self.model is not None else None
        if isinstance(model_names, (list, tuple)):
            names.update(name for name in model_names if isinstance(name, str))
        return names

    def _values(self, logs):
        if not logs:
            return []
        if not self.use_steps:
            logs = {k: v for k, v in logs.items() if k not in ("size", "batch", "num_steps")}
        if self._all_stateful:
            self.progbar._update_stateful_metrics(logs.keys())
        return list(logs.items())

    def _batch_update_progbar(self, batch, logs):
        progbar = self._maybe_init_progbar()
        if self.use_steps:
            self.seen = batch + 1  # one-based
        else:
            logs = logs or {}
            self.seen += int(logs.get("size", 0) or 0) * int(logs.get("num_steps", 1) or 1)
        if self.verbose == 1:
            progbar.update(self.seen, self._values(logs), finalize=False)

    def _finalize_progbar(self, logs):
        progbar = self._maybe_init_progbar()
        if self.target is None:
            self.target = self.seen
            progbar.target = self.target
        progbar.update(self.target, self._values(logs), finalize=True)
