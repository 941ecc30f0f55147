"""Nadam: Adam with Nesterov momentum and a warming momentum schedule."""
from layerkit import config as _config
from layerkit import ops
from layerkit.engine import foreach as F
from layerkit.optimizers import legacy_keywords
from layerkit.optimizers.base_optimizer import Optimizer


class Nadam(Optimizer):
    """mu_t = beta_1 (1 - 0.5 * 0.96^t); the product of the mu's so far bias-corrects
    the momentum, which is blended with the current gradient Nesterov-style.

    Keras 2's `schedule_decay` keyword scales the exponent: 0.96^(t * schedule_decay)
    (Keras 3's rule is schedule_decay = 1, the default here)."""

    _LEGACY_EXTRA_KEYWORDS = ("schedule_decay",)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = legacy_keywords.resolve_epsilon(epsilon)
        schedule_decay = self._legacy.get("schedule_decay")
        self.schedule_decay = None if schedule_decay is None else float(schedule_decay)

    def _build_slots(self, var_list):
        self._add_slots(var_list, ["momentum", "velocity"])

    def _build_once(self, var_list):
        dtype = var_list[0].dtype if var_list else _config.floatx()
        self._u_product = self._new_variable(1.0, "u_product", dtype)

    def _mu(self, t):
        exponent = t if self.schedule_decay is None else t * self.schedule_decay
        return self.beta_1 * (1.0 - 0.5 * ops.power(0.96, exponent))

    def _before_update(self, iterations):
        dtype = self._u_product.dtype
        t = ops.cast(iterations + 1, dtype)
        self._assign(self._u_product, self._u_product.value * self._mu(t))

    def _update(self, grads, values, slots, lr, iterations, dtype):
        t = ops.cast(iterations + 1, dtype)
        mu_t = self._mu(t)
        mu_next = self._mu(t + 1.0)
        u_product = ops.cast(self._u_product.value, dtype)
        u_product_next = u_product * mu_next
        m = F.lerp(slots["momentum"], grads, 1.0 - self.beta_1)
        v = F.lerp(slots["velocity"], F.square(grads), 1.0 - self.beta_2)
        m_hat = F.add(F.mul(m, mu_next / (1.0 - u_product_next)),
                      F.mul(grads, (1.0 - mu_t) / (1.0 - u_product)))
        v_hat = F.div(v, 1.0 - ops.power(self.beta_2, t))
        new = F.sub(values, F.div(F.mul(m_hat, lr), F.add(F.sqrt(v_hat), self.epsilon)))
        return new, {"momentum": m, "velocity": v}

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        if self.schedule_decay is not None:
            config["schedule_decay"] = self.schedule_decay
        return config
