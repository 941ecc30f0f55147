"""Adamax: Adam with the infinity norm in place of the second moment."""
from layerkit import ops
from layerkit.engine import foreach as F
from layerkit.optimizers import legacy_keywords
from layerkit.optimizers.base_optimizer import Optimizer


class Adamax(Optimizer):
    """m <- m + (g - m)(1 - beta_1);  u <- max(beta_2 * u, |g|);
    w <- w - lr / (1 - beta_1^t) * m / (u + epsilon)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = legacy_keywords.resolve_epsilon(epsilon)

    def _build_slots(self, var_list):
        self._add_slots(var_list, ["momentum", "norm"])

    def _update(self, grads, values, slots, lr, iterations, dtype):
        t = ops.cast(iterations + 1, dtype)
        step_size = lr / (1.0 - ops.power(self.beta_1, t))
        m = F.lerp(slots["momentum"], grads, 1.0 - self.beta_1)
        u = F.maximum(F.mul(slots["norm"], self.beta_2), F.abs(grads))
        new = F.sub(values, F.div(F.mul(m, step_size), F.add(u, self.epsilon)))
        return new, {"momentum": m, "norm": u}

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
