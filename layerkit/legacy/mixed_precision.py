"""Keras 2's mixed-precision spellings (`keras.mixed_precision.experimental`, TF 2.1 to
2.3, and the LossScaleOptimizer signature of Keras 2.4+), on layerkit's Keras 3 ones:

- `Policy(name, loss_scale="auto")`, `set_policy(policy)` (None: back to floatx),
  `global_policy()`;
- `LossScaleOptimizer(optimizer, loss_scale="dynamic")` (experimental) and
  `LossScaleOptimizer(inner_optimizer, dynamic=True, initial_scale=None,
  dynamic_growth_steps=None)` (2.4+). A fixed scale (`dynamic=False` or a number)
  keeps the scale and applies every step, as Keras 2 did; Keras 2's
  `loss_scale`, `get_scaled_loss` and `get_unscaled_gradients` are there for custom
  training loops.
"""
from layerkit import ops
from layerkit.dtype_policies import DTypePolicy, dtype_policy, reset_dtype_policy, \
    set_dtype_policy
from layerkit.optimizers import LossScaleOptimizer as _KerasLossScaleOptimizer

_DEFAULT_SCALE, _DEFAULT_GROWTH = 2.0 ** 15, 2000


class Policy(DTypePolicy):
    """Keras 2's Policy; `loss_scale` other than "auto" is a LossScaleOptimizer's job."""

    def __init__(self, name, loss_scale="auto"):
        if loss_scale != "auto":
            raise ValueError(
                f"Policy({name!r}, loss_scale={loss_scale!r}): a policy's loss scale is not "
                "supported; keep loss_scale='auto' (compile wraps the optimizer under "
                "'mixed_float16') or wrap the optimizer in LossScaleOptimizer yourself.")
        super().__init__(name)


def set_policy(policy):
    """Keras 2's `set_policy`: a name, a policy, or None for the floatx() default."""
    if policy is None:
        reset_dtype_policy()
    else:
        set_dtype_policy(policy)


def global_policy():
    return dtype_policy()


class LossScaleOptimizer(_KerasLossScaleOptimizer):
    """Keras 2's LossScaleOptimizer signatures on the Keras 3 optimizer."""

    def __init__(self, inner_optimizer=None, dynamic=True, initial_scale=None,
                 dynamic_growth_steps=None, optimizer=None, loss_scale=None, name=None):
        inner = inner_optimizer if inner_optimizer is not None else optimizer
        if isinstance(dynamic, str) or (isinstance(dynamic, (int, float)) and
                                        not isinstance(dynamic, bool)):
            loss_scale, dynamic = dynamic, True   # experimental: (optimizer, loss_scale)
        if loss_scale is not None:
            if loss_scale == "dynamic":
                dynamic = True
            elif isinstance(loss_scale, (int, float)) and not isinstance(loss_scale, bool):
                dynamic, initial_scale = False, loss_scale
            else:
                raise ValueError("LossScaleOptimizer: `loss_scale` must be 'dynamic' or a "
                                 f"number; received {loss_scale!r}.")
        if not isinstance(dynamic, bool):
            raise TypeError(f"LossScaleOptimizer: `dynamic` must be a bool; received "
                            f"{dynamic!r}.")
        if not dynamic:
            if initial_scale is None:
                raise ValueError('LossScaleOptimizer: "initial_scale" must be specified if '
                                 '"dynamic" is False.')
            if dynamic_growth_steps is not None:
                raise ValueError('LossScaleOptimizer: "dynamic_growth_steps" must be None if '
                                 '"dynamic" is False.')
        super().__init__(inner, _DEFAULT_SCALE if initial_scale is None else initial_scale,
                         _DEFAULT_GROWTH if dynamic_growth_steps is None
                         else dynamic_growth_steps, name=name)
        self.dynamic = dynamic

    def _apply_scaled(self, grads, trainable_variables):
        if self.dynamic:
            return super()._apply_scaled(grads, trainable_variables)
        # A fixed scale: every step is applied (Keras 2 skipped none), the scale stays.
        self.inner_optimizer.apply(self.get_unscaled_gradients(grads), trainable_variables)

    @property
    def loss_scale(self):
        return self.dynamic_scale.value if self.built else ops.convert_to_tensor(
            self.initial_scale)

    @property
    def dynamic_counter(self):
        return self.step_counter if self.dynamic and self.built else None

    def get_scaled_loss(self, loss):
        return self.scale_loss(loss)

    def get_unscaled_gradients(self, grads):
        scale = self.loss_scale
        return [None if g is None else ops.cast(g, "float32") / scale for g in grads]

    def get_config(self):
        config = super().get_config()
        config["dynamic"] = self.dynamic
        if not self.dynamic:
            config.pop("dynamic_growth_steps")
        return config


__all__ = ["Policy", "set_policy", "global_policy", "LossScaleOptimizer"]
