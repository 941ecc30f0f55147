"""Lion (EvoLved Sign Momentum): the step is the sign of an interpolated momentum."""
from layerkit.engine import foreach as F
from layerkit.optimizers.base_optimizer import Optimizer


class Lion(Optimizer):
    """c <- beta_1 * m + (1 - beta_1) * g;  w <- w - lr * sign(c);
    m <- beta_2 * m + (1 - beta_2) * g.

    Every coordinate moves by exactly lr, so Lion wants a smaller learning rate than
    Adam (Keras's default: 0.001)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not 0 < beta_1 <= 1:
            raise ValueError(f"Lion: `beta_1` must be in (0, 1] (at 0 Lion is sign SGD), "
                             f"received beta_1={beta_1!r}.")
        if not 0 <= beta_2 <= 1:
            raise ValueError(f"Lion: `beta_2` must be in [0, 1], received beta_2={beta_2!r}.")
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)

    def _build_slots(self, var_list):
        self._add_slots(var_list, "momentum")

    def _update(self, grads, values, slots, lr, iterations, dtype):
        m = slots["momentum"]
        # Products summed, not lerp: the sign of a near-zero c follows Keras's rounding.
        c = F.add(F.mul(m, self.beta_1), F.mul(grads, 1.0 - self.beta_1))
        new = F.sub(values, F.mul(F.sign(c), lr))
        m = F.add(F.mul(m, self.beta_2), F.mul(grads, 1.0 - self.beta_2))
        return new, {"momentum": m}

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
