"""`LearningRateScheduler`: sets the learning rate at the start of each epoch."""
import inspect

from layerkit.callbacks.callback import Callback
from layerkit.callbacks.learning_rate import get_learning_rate, set_learning_rate
from layerkit.callbacks.monitor import check_int

__all__ = ["LearningRateScheduler"]


def _takes_learning_rate(schedule):
    """Whether `schedule` accepts (epoch, lr) (Keras 3, tf.keras) or only (epoch)
    (Keras 2.2). None when its signature cannot be read."""
    try:
        params = inspect.signature(schedule).parameters.values()
    except (TypeError, ValueError):
        return None
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return True
    return len(positional) >= 2


class LearningRateScheduler(Callback):
    """Learning rate scheduler.

    At the beginning of every epoch, calls `schedule(epoch, lr)` (epoch 0-based, lr
    the current rate as a float) or Keras 2's `schedule(epoch)`, and sets the
    optimizer's learning rate to the number it returns (a float, or a scalar
    tensor). The epoch logs get `learning_rate`, as in Keras 3.

    Args:
        schedule: the function.
        verbose: 1 prints each new rate.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise ValueError("LearningRateScheduler: `schedule` must be a function of "
                             f"(epoch, lr) or (epoch), received {schedule!r}.")
        self.schedule = schedule
        self.verbose = check_int("LearningRateScheduler", "verbose", verbose)
        self._two_args = _takes_learning_rate(schedule)

    def _new_rate(self, epoch):
        if self._two_args is False:
            return self.schedule(epoch)
        lr = get_learning_rate("LearningRateScheduler", self.model)
        if self._two_args:
            return self.schedule(epoch, lr)
        try:
            return self.schedule(epoch, lr)
        except TypeError:   # a builtin or C callable of (epoch) only
            return self.schedule(epoch)

    def on_epoch_begin(self, epoch, logs=None):
        value = self._new_rate(epoch)
        try:
            lr = set_learning_rate("LearningRateScheduler", self.model, value)
        except ValueError:
            raise ValueError("The output of the `schedule` function should be a float. "
                             f"Got: {value!r} (at epoch {epoch})") from None
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = get_learning_rate("LearningRateScheduler", self.model)
