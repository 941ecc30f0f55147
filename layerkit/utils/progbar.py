"""`Progbar`: the Keras 2 (tf.keras 2.x) text progress bar.

Prints exactly what tf.keras 2.x prints:

* verbose=1, while running (a line rewritten in place with ``\\r``)::

     3/8 [==========>...................] - ETA: 0s - loss: 2.3126 - accuracy: 0.1042

* verbose=1, last update of the epoch::

    8/8 [==============================] - 0s 3ms/step - loss: 2.3115 - accuracy: 0.1000

* verbose=1, number of steps unknown::

          5/Unknown - 0s 3ms/step - loss: 2.3115

* verbose=2, one line at the end::

    8/8 - 0s - loss: 2.3115 - accuracy: 0.1000 - 96ms/epoch - 12ms/step

Values may be engine scalars (jax arrays, torch tensors). They are turned into
Python floats only when a line is actually printed (printing is throttled by
`interval`), so a running train loop is never forced to wait for the device
at every step.

When stdout is not a terminal (a log file, a pipe) and no notebook kernel is
loaded, a rewritten line would leave a trail of partial lines, so only the final
line of each bar is printed. ``LAYERKIT_PROGBAR_DYNAMIC=1`` forces in-place
display, ``=0`` forces final-line-only display.
"""
import os
import sys
from time import time as _clock

import numpy as np

__all__ = ["Progbar"]

# Lazily-converted values of a non-stateful metric are folded into a running
# sum after this many updates even without a print, so memory stays bounded
# (and the device is waited on at most once per this many steps).
_MAX_PENDING = 512


def _dynamic_display_default():
    forced = os.environ.get("LAYERKIT_PROGBAR_DYNAMIC")
    if forced is not None and forced.strip() != "":
        return forced.strip().lower() not in ("0", "false", "no", "off")
    stdout = sys.stdout
    isatty = getattr(stdout, "isatty", None)
    try:
        if isatty is not None and isatty():
            return True
    except (ValueError, OSError):  # closed or detached stream
        pass
    return "ipykernel" in sys.modules


def _to_float(value):
    """One value as a Python float; arrays with several entries give their mean."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float(np.mean(np.asarray(value)))


def _is_host_number(value):
    """Already on the host: converting it costs nothing and waits for nothing."""
    return isinstance(value, (int, float, np.number, np.bool_, np.ndarray))


def _format_value(value):
    if abs(value) > 1e-3:
        return "%.4f" % value
    return "%.4e" % value


def _format_time(seconds, unit_name):
    """' 3ms/step', ' 2s/epoch', ' 950us/step' (with the leading space)."""
    if seconds >= 1 or seconds == 0:
        return " %.0fs/%s" % (seconds, unit_name)
    if seconds >= 1e-3:
        return " %.0fms/%s" % (seconds * 1e3, unit_name)
    return " %.0fus/%s" % (seconds * 1e6, unit_name)


def _format_eta(eta):
    if eta > 3600:
        return "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
    if eta > 60:
        return "%d:%02d" % (eta // 60, eta % 60)
    return "%ds" % eta


class _Averaged:
    """Running weighted mean of a metric whose raw values are converted late."""

    __slots__ = ("total", "weight", "pending")

    def __init__(self):
        self.total = 0.0
        self.weight = 0
        self.pending = []

    def add(self, value, weight):
        self.weight += weight
        if _is_host_number(value):
            self.total += _to_float(value) * weight
            return
        self.pending.append((value, weight))
        if len(self.pending) >= _MAX_PENDING:
            self.fold()

    def fold(self):
        for value, weight in self.pending:
            self.total += _to_float(value) * weight
        self.pending = []

    def result(self):
        self.fold()
        return self.total / max(1, self.weight)


class _Latest:
    """A stateful metric: the last value given, shown as is."""

    __slots__ = ("raw", "converted")

    def __init__(self, value):
        self.raw = value
        self.converted = None

    def result(self):
        if self.converted is None:
            self.converted = _to_float(self.raw)
        return self.converted


class Progbar:
    """Displays a progress bar.

    Args:
        target: total number of steps expected, None if unknown.
        width: progress bar width on screen.
        verbose: verbosity mode, 0 (silent), 1 (verbose), 2 (semi-verbose).
        interval: minimum visual progress update interval (in seconds).
        stateful_metrics: iterable of metric names that should *not* be averaged
            over time; they are displayed as given. Others are averaged, weighted
            by the number of steps (or samples) each update covers.
        unit_name: display name for step counts ("step" or "sample").
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05,
                 stateful_metrics=None, unit_name="step"):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()
        self._dynamic_display = _dynamic_display_default()
        self._total_width = 0
        self._seen_so_far = 0
        self._values = {}
        self._values_order = []
        self._start = _clock()
        self._last_update = 0
        self._time_at_epoch_start = self._start
        self._time_at_epoch_end = None
        self._time_after_first_step = None

    # ------------------------------------------------------------------ update
    def update(self, current, values=None, finalize=None):
        """Updates the progress bar.

        Args:
            current: index of the current step (1-based count of steps done).
            values: list of `(name, value_for_last_step)` pairs, or a dict. A
                name in `stateful_metrics` is shown as given; other values are
                averaged over time.
            finalize: whether this is the last update; `None` means
                `current >= target`.
        """
        if finalize is None:
            finalize = False if self.target is None else current >= self.target
        self._record(current, values)

        now = _clock()
        if current == 1:
            # Left out of the step time: the first step compiles the step
            # function. Noted whether or not this update is printed.
            self._time_after_first_step = now
        if self.target is not None and current == self.target:
            self._time_at_epoch_end = now
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            if self._dynamic_display:
                self._write(self._dynamic_message(current, now, finalize))
            elif finalize:
                self._write(self._line(current, now, finalize=True) + "\n")
            else:
                return  # not printed: `_last_update` keeps the last print time
        elif self.verbose == 2 and finalize:
            self._write(self._epoch_line(current, now))
        self._last_update = now

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    def _update_stateful_metrics(self, stateful_metrics):
        self.stateful_metrics = self.stateful_metrics.union(stateful_metrics)

    # --------------------------------------------------------------- internals
    def _record(self, current, values):
        if not values:
            self._seen_so_far = current
            return
        items = values.items() if hasattr(values, "items") else values
        for name, value in items:
            if name not in self._values:
                self._values_order.append(name)
            if name in self.stateful_metrics:
                self._values[name] = _Latest(value)
            else:
                # Without a target the last batch update and the epoch-end
                # update can share the same `current`: count it at least once.
                weight = max(current - self._seen_so_far, 1)
                acc = self._values.get(name)
                if not isinstance(acc, _Averaged):
                    acc = self._values[name] = _Averaged()
                acc.add(value, weight)
        self._seen_so_far = current

    def _values_text(self):
        return "".join(" - %s: %s" % (name, _format_value(self._values[name].result()))
                       for name in self._values_order)

    def _bar(self, current):
        if self.target is None:
            return "%7d/Unknown" % current
        target = self.target
        bar = "%*d/%d [" % (len(str(target)), current, target)
        progress = current / target if target else 1.0
        filled = min(int(self.width * progress), self.width)
        if filled > 0:
            bar += "=" * (filled - 1)
            bar += ">" if current < target else "="
        bar += "." * (self.width - filled)
        return bar + "]"

    def _line(self, current, now, finalize):
        """Bar plus info, without padding or line ends."""
        bar = self._bar(current)
        time_per_unit = self._estimate_step_duration(current, now)
        if self.target is None or finalize:
            info = " - %.0fs" % (now - self._start) + _format_time(time_per_unit, self.unit_name)
        else:
            info = " - ETA: " + _format_eta(time_per_unit * (self.target - current))
        return bar + info + self._values_text()

    def _dynamic_message(self, current, now, finalize):
        previous_width = self._total_width
        line = self._line(current, now, finalize)
        self._total_width = len(line)
        message = "\b" * previous_width + "\r" + line
        if previous_width > self._total_width:
            message += " " * (previous_width - self._total_width)
        if finalize:
            message += "\n"
        return message

    def _epoch_line(self, current, now):
        target = self.target if self.target is not None else current
        line = "%*d/%d" % (len(str(target)), current, target)
        line += " - %.0fs" % (now - self._start)
        line += self._values_text()
        end = self._time_at_epoch_end if self._time_at_epoch_end is not None else now
        time_per_epoch = end - self._time_at_epoch_start
        line += " -" + _format_time(time_per_epoch, "epoch")
        line += " -" + _format_time(time_per_epoch / max(target, 1), self.unit_name)
        self._time_at_epoch_start = now
        self._time_at_epoch_end = None
        return line + "\n"

    def _estimate_step_duration(self, current, now):
        """Seconds per step, ignoring the (slow, compiling) first step once known."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            time_per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            time_per_unit = (now - self._start) / current
        return time_per_unit

    @staticmethod
    def _write(message):
        stream = sys.stdout
        stream.write(message)
        stream.flush()
