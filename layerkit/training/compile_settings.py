"""compile()'s settings for how steps run: checked once, honoured on every engine.

- `run_eagerly=True`: the step runs op by op (un-jitted on JAX; never
  torch.compile'd on PyTorch), so Python in `call` runs every step.
- `jit_compile`: True, False or "auto". On JAX "auto" and True jit the step and
  False runs it eagerly, as Keras does; on PyTorch True compiles the forward pass
  with torch.compile and "auto"/False run eagerly. With `run_eagerly=True`,
  `jit_compile=True` is turned off with a warning (Keras's rule).
- `steps_per_execution=N`: N steps per call of the step runner on both engines
  (one lax.scan on JAX, a loop over the stacked batches on PyTorch); batch
  callbacks then see every N-th batch, as in Keras.
- `auto_scale_loss`: as in Keras 3, a model whose dtype policy is "mixed_float16"
  gets its optimizer wrapped in a LossScaleOptimizer (dynamic loss scaling);
  float32 and bfloat16 training never scale. A model with float16 *weights* (a
  "float16" policy, not a mixed one) is not wrapped, as in Keras; it gets a warning
  that its loss is not scaled.
"""
import warnings

import numpy as np


def check_compile_settings(run_eagerly, steps_per_execution, jit_compile, auto_scale_loss):
    """The settings, checked and reconciled; a bad value raises naming the argument."""
    for name, value in (("run_eagerly", run_eagerly), ("auto_scale_loss", auto_scale_loss)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"compile: `{name}` must be True or False, received {value!r}.")
    if isinstance(steps_per_execution, bool) or \
            not isinstance(steps_per_execution, (int, np.integer)) or steps_per_execution < 1:
        raise ValueError("compile: `steps_per_execution` must be an integer >= 1, received "
                         f"{steps_per_execution!r}.")
    if not (isinstance(jit_compile, bool) or jit_compile == "auto"):
        raise ValueError(f'compile: `jit_compile` must be True, False or "auto", received '
                         f"{jit_compile!r}.")
    if jit_compile is True and run_eagerly:
        warnings.warn("compile: with `run_eagerly=True`, `jit_compile` cannot also be True; "
                      "the step runs eagerly (jit_compile=False).", stacklevel=3)
        jit_compile = False
    return bool(run_eagerly), int(steps_per_execution), jit_compile, bool(auto_scale_loss)


def loss_scaled(model, optimizer, auto_scale_loss):
    """The optimizer compile keeps: wrapped in a LossScaleOptimizer under the
    "mixed_float16" policy (Keras 3's rule), else as given."""
    from layerkit.optimizers import LossScaleOptimizer
    if auto_scale_loss and optimizer is not None and \
            model.dtype_policy.name == "mixed_float16" and \
            not isinstance(optimizer, LossScaleOptimizer):
        return LossScaleOptimizer(optimizer, name="loss_scale_optimizer")
    return optimizer


def warn_unscaled_float16(model):
    """Warns once per compile when float16 weights train without loss scaling."""
    names = sorted({v.path.rsplit("/", 1)[0] for v in model.trainable_variables
                    if v.dtype == "float16"})
    if not names or getattr(model.optimizer, "loss_scale_factor", None) or \
            hasattr(model.optimizer, "dynamic_scale"):
        return
    warnings.warn(
        f"compile(auto_scale_loss=True): layers {names} have float16 weights, and the "
        "optimizer is not wrapped in a LossScaleOptimizer (compile adds one only under the "
        "'mixed_float16' dtype policy, as Keras does), so the loss is not scaled and small "
        "gradients may underflow to zero. Use the 'mixed_float16' policy (float32 weights), "
        "wrap the optimizer in keras.mixed_precision.LossScaleOptimizer, give it a static "
        "`loss_scale_factor`, or pass auto_scale_loss=False to silence this.", stacklevel=4)
