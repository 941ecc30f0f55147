"""Adagrad: per-coordinate rates scaled by the accumulated squared gradients."""
from layerkit.engine import foreach as F
from layerkit.optimizers import legacy_keywords
from layerkit.optimizers.base_optimizer import Optimizer


class Adagrad(Optimizer):
    """a <- a + g^2;  w <- w - lr * g / sqrt(a + epsilon); a starts at
    `initial_accumulator_value`."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon = legacy_keywords.resolve_epsilon(epsilon)

    def _build_slots(self, var_list):
        self._add_slots(var_list, "accumulator", [self.initial_accumulator_value])

    def _update(self, grads, values, slots, lr, iterations, dtype):
        acc = F.add(slots["accumulator"], F.square(grads))
        new = F.sub(values, F.div(F.mul(grads, lr), F.sqrt(F.add(acc, self.epsilon))))
        return new, {"accumulator": acc}

    def get_config(self):
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value,
                       "epsilon": self.epsilon})
        return config
