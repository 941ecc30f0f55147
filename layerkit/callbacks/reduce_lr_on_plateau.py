"""`ReduceLROnPlateau`: lowers the learning rate when a metric stops improving."""
import numpy as np

from layerkit.callbacks.learning_rate import get_learning_rate, set_learning_rate
from layerkit.callbacks.monitor import MonitorCallback, check_int, check_number

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau(MonitorCallback):
    """Reduce the learning rate when a metric has stopped improving.

    Args:
        monitor: quantity to watch (default `"val_loss"`); `acc`/`accuracy` alias.
        factor: `new_lr = lr * factor`, below 1.
        patience: epochs without improvement after which the rate is reduced.
        verbose: 1 prints each reduction.
        mode: `"auto"`, `"min"` or `"max"`.
        min_delta: threshold for a new optimum (default 1e-4).
        epsilon: Keras 2's name of `min_delta` (Keras 3 drops it silently; here it
            is honoured).
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: lower bound on the learning rate.

    The epoch logs get `learning_rate` (the rate the epoch trained with), as in
    Keras 3, so History and the callbacks after this one see it.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        if "epsilon" in kwargs:
            epsilon = kwargs.pop("epsilon")
            if min_delta != 1e-4 and min_delta != epsilon:
                raise ValueError(
                    "ReduceLROnPlateau: `epsilon` is Keras 2's name of `min_delta`; pass one "
                    f"of them, received min_delta={min_delta!r} and epsilon={epsilon!r}.")
            min_delta = epsilon
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau got unexpected keyword argument(s) "
                            f"{sorted(kwargs)}.")
        super().__init__(monitor, mode, min_delta=min_delta)
        owner = "ReduceLROnPlateau"
        self.factor = check_number(owner, "factor", factor, minimum=0.0)
        if self.factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. "
                             f"Received factor={factor}")
        self.min_lr = check_number(owner, "min_lr", min_lr, minimum=0.0)
        self.patience = check_int(owner, "patience", patience)
        self.verbose = check_int(owner, "verbose", verbose)
        self.cooldown = check_int(owner, "cooldown", cooldown)
        self.cooldown_counter = 0
        self.wait = 0

    @property
    def epsilon(self):
        return self.min_delta

    def _reset(self):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = get_learning_rate("ReduceLROnPlateau", self.model)
        current = self.get_monitor_value(logs, "Learning rate reduction")
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce(self, epoch):
        old_lr = get_learning_rate("ReduceLROnPlateau", self.model)
        # The rate is a float32 Variable: compare at that precision, as Keras does.
        if not old_lr > np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        set_learning_rate("ReduceLROnPlateau", self.model, new_lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
        return True
