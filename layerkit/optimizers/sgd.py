"""Stochastic gradient descent with optional (Nesterov) momentum."""
from layerkit.engine import foreach as F
from layerkit.optimizers.base_optimizer import Optimizer


class SGD(Optimizer):
    """v <- momentum * v - lr * g;  w <- w + v  (Nesterov: w <- w + momentum * v - lr * g).
    Without momentum: w <- w - lr * g."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not isinstance(momentum, (int, float)) or not 0 <= momentum <= 1:
            raise ValueError(f"SGD: `momentum` must be a float in [0, 1], received {momentum!r}.")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _build_slots(self, var_list):
        if self.momentum != 0:
            self._add_slots(var_list, "momentum")

    def _update(self, grads, values, slots, lr, iterations, dtype):
        step = F.mul(grads, lr)
        if self.momentum == 0:
            return F.sub(values, step), {}
        # In place on this update's own lists (new buffers cost as much as the arithmetic
        # on a large kernel, on PyTorch): m = momentum * m - step.
        m = F.add_(F.mul(slots["momentum"], self.momentum), step, alpha=-1.0)
        if self.nesterov:
            # v + momentum * m - step, with the scaling folded into the add (one op fewer).
            new = F.add_(F.sub(values, step), m, alpha=self.momentum)
        else:
            new = F.add(values, m)
        return new, {"momentum": m}

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
