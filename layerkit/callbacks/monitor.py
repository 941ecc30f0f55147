"""`MonitorCallback`: what EarlyStopping, ReduceLROnPlateau and ModelCheckpoint share:
the monitored key (with the acc/accuracy aliases), its direction and `min_delta`."""
import numbers
import warnings

from layerkit.callbacks.callback import Callback, python_value
from layerkit.callbacks.log_keys import direction_of, find_log_key

__all__ = ["MonitorCallback", "check_int", "check_number"]


def check_number(owner, name, value, minimum=None, allow_none=False):
    """`value` as a float, or a clear error naming the callback and argument."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            (minimum is not None and value < minimum):
        floor = f" >= {minimum}" if minimum is not None else ""
        raise ValueError(f"{owner}: `{name}` must be a number{floor}, received {value!r}.")
    return float(value)


def check_int(owner, name, value, minimum=0):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{owner}: `{name}` must be an integer >= {minimum}, "
                         f"received {value!r}.")
    return int(value)


class MonitorCallback(Callback):
    """Base class of the callbacks that watch one logged quantity.

    Args:
        monitor: the log key to watch (`"val_loss"`, `"val_acc"` …). `acc` and
            `accuracy` (and their `val_` forms) name the same quantity.
        mode: `"auto"`, `"min"` or `"max"`. `"auto"` reads the direction from the
            name: losses and errors are minimized; accuracy, AUC, precision,
            recall and the like maximized; another name falls back to `"min"`
            with a warning (Keras 2's rule; Keras 3 raises instead).
        baseline: the value to beat, or None.
        min_delta: the smallest change that counts as an improvement.
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        owner = type(self).__name__
        if not isinstance(monitor, str) or not monitor:
            raise ValueError(f"{owner}: `monitor` must be the name of a logged quantity "
                             f"such as 'val_loss', received {monitor!r}.")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"{owner}: `mode` must be one of 'auto', 'min', 'max', "
                             f"received {mode!r}.")
        self.monitor = monitor
        self.mode = mode
        self.baseline = check_number(owner, "baseline", baseline, allow_none=True)
        self.min_delta = abs(check_number(owner, "min_delta", min_delta))
        self.best = self.baseline
        self.monitor_op = None
        self._sign = None

    def _set_monitor_op(self):
        mode = self.mode
        if mode == "auto":
            mode = direction_of(self.monitor)
            if mode is None:
                warnings.warn(
                    f"{type(self).__name__}: cannot tell whether `{self.monitor}` should be "
                    "minimized or maximized; assuming 'min'. Pass mode='max' or mode='min'.",
                    stacklevel=3)
                mode = "min"
        self._sign = 1.0 if mode == "max" else -1.0
        self.monitor_op = (lambda a, b: a > b) if mode == "max" else (lambda a, b: a < b)

    def _is_improvement(self, value, reference):
        """Whether `value` beats `reference` by more than min_delta."""
        if self.monitor_op is None:
            self._set_monitor_op()
        if reference is None:
            return True
        return self.monitor_op(value - self._sign * self.min_delta, reference)

    def get_monitor_value(self, logs, what):
        """The monitored value in `logs` as a float, or None with a warning naming
        the keys that are there."""
        key = find_log_key(logs, self.monitor)
        if key is None:
            warnings.warn(
                f"{what} conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join(list(logs or {}))}", stacklevel=3)
            return None
        value = python_value(logs[key])
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{type(self).__name__}: the monitored log `{key}` must be a "
                             f"number, it holds {value!r}.") from None
        return value
