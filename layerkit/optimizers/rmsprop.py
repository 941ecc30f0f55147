"""RMSprop: divide the gradient by a running root mean square of its recent values."""
from layerkit.engine import foreach as F
from layerkit.optimizers import legacy_keywords
from layerkit.optimizers.base_optimizer import Optimizer


class RMSprop(Optimizer):
    """ms <- rho * ms + (1 - rho) * g^2 (centered: minus the square of the running mean
    gradient); step = lr * g / sqrt(ms + epsilon); with momentum the step is averaged."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = float(rho)
        self.momentum = float(momentum)
        self.epsilon = legacy_keywords.resolve_epsilon(epsilon)
        self.centered = bool(centered)

    def _build_slots(self, var_list):
        self._add_slots(var_list, "velocity")
        if self.momentum > 0:
            self._add_slots(var_list, "momentum")
        if self.centered:
            self._add_slots(var_list, "average_gradient")

    def _update(self, grads, values, slots, lr, iterations, dtype):
        # Fused addcmul/addcdiv, and the in-place ops on this update's own temporaries:
        # on PyTorch each out-of-place list op is a pass over every variable into a
        # fresh buffer, which the seed LSTM's 5.1M-entry embedding feels.
        rho = self.rho
        velocity = F.addcmul_(F.mul(slots["velocity"], rho), grads, grads, value=1.0 - rho)
        new_slots = {"velocity": velocity}
        if self.centered:
            avg = F.add_(F.mul(slots["average_gradient"], rho), F.mul(grads, 1.0 - rho))
            new_slots["average_gradient"] = avg
            denominator = F.add_(F.sub(velocity, F.square(avg)), self.epsilon)
        else:
            denominator = F.add(velocity, self.epsilon)
        # lr * g / sqrt(d) as g / (sqrt(d) / lr).
        scaled = F.div_(F.sqrt_(denominator), lr)
        if self.momentum > 0:
            m = F.addcdiv(F.mul(slots["momentum"], self.momentum), grads, scaled)
            new_slots["momentum"] = m
            return F.sub(values, m), new_slots
        return F.addcdiv(values, grads, scaled, value=-1.0), new_slots

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
