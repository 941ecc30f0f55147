"""Adadelta: step sizes from running averages of squared gradients and updates."""
from layerkit.engine import foreach as F
from layerkit.optimizers import legacy_keywords
from layerkit.optimizers.base_optimizer import Optimizer


class Adadelta(Optimizer):
    """E[g^2] <- rho E[g^2] + (1 - rho) g^2;
    d = -sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g;
    E[dx^2] <- rho E[dx^2] + (1 - rho) d^2;  w <- w + lr * d."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = float(rho)
        self.epsilon = legacy_keywords.resolve_epsilon(epsilon)

    def _build_slots(self, var_list):
        self._add_slots(var_list, ["accumulated_grad", "accumulated_delta_var"])

    def _update(self, grads, values, slots, lr, iterations, dtype):
        rho, eps = self.rho, self.epsilon
        acc_grad = F.add(F.mul(slots["accumulated_grad"], rho), F.mul(F.square(grads), 1.0 - rho))
        acc_delta = slots["accumulated_delta_var"]
        delta = F.mul(F.div(F.mul(F.sqrt(F.add(acc_delta, eps)), grads),
                            F.sqrt(F.add(acc_grad, eps))), -1.0)
        acc_delta = F.add(F.mul(acc_delta, rho), F.mul(F.square(delta), 1.0 - rho))
        new = F.add(values, F.mul(delta, lr))
        return new, {"accumulated_grad": acc_grad, "accumulated_delta_var": acc_delta}

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
