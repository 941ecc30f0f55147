"""LossScaleOptimizer (Keras 3's): dynamic loss scaling around another optimizer.

The trainers multiply the loss by `scale_loss` before differentiating, so small
float16 gradients do not underflow; `apply` divides the gradients by the same scale
and hands them to the inner optimizer. A step whose gradients hold an inf or a NaN
changes nothing (weights, slots, the inner optimizer's iterations) and halves the
scale; after `dynamic_growth_steps` finite steps in a row the scale doubles.

The choice between applying and skipping is made on the device with `where`, not
with a Python `if`: the inner update runs in a stateless scope of its own, and each
variable then takes the new value or keeps the old one. So the same code runs inside
the jitted JAX step and in the eager PyTorch step without a host synchronisation.
The scale and the step counter are optimizer Variables, so they are saved with the
optimizer and a resumed fit continues with the scale it had.
"""
from layerkit import engine, ops
from layerkit.optimizers.base_optimizer import Optimizer

# Base-optimizer arguments Keras 3 still accepts from old configs, at these values only.
_INERT_BASE_ARGS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None,
                    "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                    "ema_overwrite_frequency": None, "loss_scale_factor": None,
                    "gradient_accumulation_steps": None}


class LossScaleOptimizer(Optimizer):
    """Wraps `inner_optimizer` with dynamic loss scaling (see the module docstring)."""

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000,
                 name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError(
                "LossScaleOptimizer no longer supports `dynamic=False` (Keras 3); set a "
                "static `loss_scale_factor` on the inner optimizer instead.")
        for key, default in _INERT_BASE_ARGS.items():
            if key in kwargs and kwargs.pop(key) != default:
                raise ValueError(f"LossScaleOptimizer does not support `{key}`; set it on "
                                 "the inner optimizer instead.")
        if kwargs:
            raise TypeError(f"LossScaleOptimizer: unrecognized keyword argument(s) "
                            f"{sorted(kwargs)}.")
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError("LossScaleOptimizer: `inner_optimizer` must be an Optimizer "
                            f"instance; received {inner_optimizer!r}.")
        if isinstance(inner_optimizer, LossScaleOptimizer):
            raise ValueError("LossScaleOptimizer: the inner optimizer is already a "
                             "LossScaleOptimizer; wrap the plain optimizer once.")
        if isinstance(initial_scale, bool) or not isinstance(initial_scale, (int, float)) \
                or not initial_scale > 0:
            raise ValueError("LossScaleOptimizer: `initial_scale` must be a positive number; "
                             f"received {initial_scale!r}.")
        if isinstance(dynamic_growth_steps, bool) or \
                not isinstance(dynamic_growth_steps, int) or dynamic_growth_steps < 1:
            raise ValueError("LossScaleOptimizer: `dynamic_growth_steps` must be an integer "
                             f">= 1; received {dynamic_growth_steps!r}.")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = float(initial_scale)
        self.dynamic_growth_steps = dynamic_growth_steps
        # The inner optimizer must not divide the gradients a second time.
        inner_optimizer.loss_scale_factor = None

    # --- variables ----------------------------------------------------------------
    def _build_once(self, var_list):
        self.step_counter = self._new_variable(0, "step_counter",
                                               engine.core.default_int_dtype())
        self.dynamic_scale = self._new_variable(self.initial_scale, "dynamic_scale", "float32")

    def build(self, var_list):
        var_list = list(var_list)
        super().build(var_list)
        self.inner_optimizer.build(var_list)

    @property
    def variables(self):
        """Its own (iteration, learning_rate, step_counter, dynamic_scale), then the
        inner optimizer's: Keras 3's order, so saved states line up."""
        return self._variables + self.inner_optimizer.variables

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self.inner_optimizer.learning_rate = value

    lr = learning_rate

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    # --- scaling --------------------------------------------------------------------
    def scale_loss(self, loss):
        scale = self.dynamic_scale.value if self.built else self.initial_scale
        return loss * ops.cast(scale, loss.dtype) if ops.is_tensor(loss) else loss * scale

    def check_finite(self, grads):
        """A boolean scalar: every gradient is finite."""
        flags = [ops.all(ops.isfinite(g)) for g in grads if g is not None]
        return ops.all(ops.stack(flags)) if flags else ops.convert_to_tensor(True)

    def apply(self, grads, trainable_variables=None):
        grads = list(grads)
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "apply(grads) without variables needs a built optimizer; call "
                    "optimizer.build(trainable_variables) first or pass the variables.")
            trainable_variables = list(self._trainable_variables)
        else:
            trainable_variables = list(trainable_variables)
            self.build(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"Received {len(grads)} gradients for "
                             f"{len(trainable_variables)} variables.")
        with engine.core.no_grad():
            self._apply_scaled(grads, trainable_variables)

    def _apply_scaled(self, grads, trainable_variables):
        finite = self.check_finite(grads)
        scale = self.dynamic_scale.value
        # Unscaled in float32 (a float16 gradient times 1/scale could underflow); a
        # non-finite gradient becomes 0, so nothing NaN flows into the unused update.
        unscaled = [None if g is None else
                    ops.where(finite, ops.cast(g, "float32") / scale, 0.0)
                    for g in grads]
        targets = trainable_variables + self.inner_optimizer.variables
        old = [v.value for v in targets]
        with engine.StatelessScope(list(zip(targets, old))) as scope:
            self.inner_optimizer.apply(unscaled, trainable_variables)
        for v, before in zip(targets, old):
            after = scope.get_current_value(v)
            if after is not before:
                v.assign(ops.where(finite, after, before))
        counter = self.step_counter.value
        grow = ops.logical_and(finite, ops.equal(counter, self.dynamic_growth_steps - 1))
        self.dynamic_scale.assign(
            ops.where(finite, ops.where(grow, scale * 2.0, scale), scale * 0.5))
        self.step_counter.assign(
            ops.where(ops.logical_and(finite, ops.logical_not(grow)), counter + 1, 0))

    def finalize_variable_values(self, var_list):
        self.inner_optimizer.finalize_variable_values(var_list)

    # --- config ---------------------------------------------------------------------
    def get_config(self):
        from layerkit import optimizers
        return {"name": self.name, "inner_optimizer": optimizers.serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from layerkit import optimizers
        config = dict(config)
        inner = optimizers.deserialize(config.pop("inner_optimizer"),
                                       custom_objects=custom_objects)
        return cls(inner, **config)

    def __repr__(self):
        return f"<LossScaleOptimizer name={self.name} inner={self.inner_optimizer!r}>"
