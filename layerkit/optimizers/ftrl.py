"""FTRL-Proximal ("Follow The Regularized Leader"), with Keras's L1, L2, L2-shrinkage
and beta terms."""
from layerkit import ops
from layerkit.engine import foreach as F
from layerkit.optimizers.base_optimizer import Optimizer


class Ftrl(Optimizer):
    """n' = n + g^2;  sigma = (n'^-p - n^-p) / lr;  z <- z + g_s - sigma * w;
    w <- (clip(z, -l1, l1) - z) / (n'^-p / lr + 2 * (l2 + beta / (2 lr))),
    where p = learning_rate_power and g_s = g + 2 * l2_shrinkage * w."""

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        for name, value, sign in (
                ("initial_accumulator_value", initial_accumulator_value, 1),
                ("learning_rate_power", learning_rate_power, -1),
                ("l1_regularization_strength", l1_regularization_strength, 1),
                ("l2_regularization_strength", l2_regularization_strength, 1),
                ("l2_shrinkage_regularization_strength",
                 l2_shrinkage_regularization_strength, 1)):
            if sign * value < 0:
                expected = "negative or zero" if sign < 0 else "positive or zero"
                raise ValueError(f"Ftrl: `{name}` must be {expected}, received "
                                 f"{name}={value!r}.")
        self.learning_rate_power = float(learning_rate_power)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.l1_regularization_strength = float(l1_regularization_strength)
        self.l2_regularization_strength = float(l2_regularization_strength)
        self.l2_shrinkage_regularization_strength = float(l2_shrinkage_regularization_strength)
        self.beta = float(beta)

    def _build_slots(self, var_list):
        self._add_slots(var_list, ["accumulator", "linear"],
                        [self.initial_accumulator_value, 0.0])

    def _power(self, xs):
        exponent = -self.learning_rate_power
        if exponent == 0.5:     # the default: one fused sqrt over the list
            return F.sqrt(xs)
        # Other powers have no multi-tensor op: one op per variable (not per element).
        return [ops.power(x, exponent) for x in xs]

    def _update(self, grads, values, slots, lr, iterations, dtype):
        accum, linear = slots["accumulator"], slots["linear"]
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        shrink = self.l2_shrinkage_regularization_strength
        grad_to_use = F.add(grads, values, alpha=2.0 * shrink) if shrink else grads
        new_accum = F.add(accum, F.square(grads))
        p_new = self._power(new_accum)
        sigma = F.div(F.sub(p_new, self._power(accum)), lr)
        linear = F.add(linear, F.sub(grad_to_use, F.mul(sigma, values)))
        quadratic = F.add(F.div(p_new, lr), 2.0 * l2)
        l1 = self.l1_regularization_strength
        new = F.div(F.sub(F.clip(linear, -l1, l1), linear), quadratic)
        return new, {"accumulator": new_accum, "linear": linear}

    def get_config(self):
        config = super().get_config()
        config.update({
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta})
        return config
