"""Adam (with AMSGrad) and AdamW (Adam with decoupled weight decay)."""
from layerkit import ops
from layerkit.engine import foreach as F
from layerkit.optimizers import legacy_keywords
from layerkit.optimizers.base_optimizer import Optimizer


class Adam(Optimizer):
    """m <- m + (g - m)(1 - beta_1);  v <- v + (g^2 - v)(1 - beta_2);
    w <- w - lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon),
    with v replaced by its running maximum under `amsgrad`."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = legacy_keywords.resolve_epsilon(epsilon)
        self.amsgrad = bool(amsgrad)

    def _build_slots(self, var_list):
        self._add_slots(var_list, ["momentum", "velocity"])
        if self.amsgrad:
            self._add_slots(var_list, "velocity_hat")

    def _update(self, grads, values, slots, lr, iterations, dtype):
        t = ops.cast(iterations + 1, dtype)
        alpha = lr * ops.sqrt(1.0 - ops.power(self.beta_2, t)) / (1.0 - ops.power(self.beta_1, t))
        m = F.lerp(slots["momentum"], grads, 1.0 - self.beta_1)
        v = F.lerp(slots["velocity"], F.square(grads), 1.0 - self.beta_2)
        new_slots = {"momentum": m, "velocity": v}
        if self.amsgrad:
            v = F.maximum(slots["velocity_hat"], v)
            new_slots["velocity_hat"] = v
        new = F.sub(values, F.div(F.mul(m, alpha), F.add(F.sqrt(v), self.epsilon)))
        return new, new_slots

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "amsgrad": self.amsgrad})
        return config


class AdamW(Adam):
    """Adam with decoupled weight decay (w <- w - lr * weight_decay * w before each step)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW: `weight_decay` must be a float, received None.")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)
