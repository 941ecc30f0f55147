"""Custom training steps: `train_step`, `test_step` and `predict_step` that a model
overrides, in the forms Keras 3 documents and one that runs on every engine.

The forms, told apart by the override's signature:
- `train_step(self, data)`, stateful: reads and assigns Variables. On PyTorch it is
  Keras's torch form (`loss.backward()`, `self.optimizer.apply(grads, vars)`); on
  JAX it runs inside layerkit's jitted step, with every Variable mapped to the traced
  state, so assigns (optimizer, metrics) become the step's new state.
- `train_step(self, state, data)`, stateless: Keras's JAX form. `state` is
  (trainable, non_trainable, optimizer, metrics) values for training,
  (trainable, non_trainable, metrics) for testing, (trainable, non_trainable) for
  prediction; the step returns `(logs, new_state)` (`(outputs, non_trainable)` for
  prediction). JAX only, as in Keras: it is built on jax.value_and_grad.

The engine-neutral way (not in Keras): a stateful step that gets its gradients from
`self.compute_gradients(loss_fn)`, which runs on the engine's own autodiff
(jax.value_and_grad, torch.autograd) through the seam; the same code trains on JAX
(traced, inside the jitted step) and on PyTorch (eagerly).
"""
import functools
import inspect

from layerkit import engine
from layerkit.utils.data_packing import unpack_x_y_sample_weight

_KINDS = {"train": "train_step", "test": "test_step", "predict": "predict_step"}


class CustomStepMethods:
    # --- the default steps (what `super().train_step(...)` runs) ------------------
    def train_step(self, *args):
        """One training step on `data` (Keras 3's default); with `(state, data)`, the
        stateless form returning `(logs, new_state)`."""
        return self._either_form("train", self._default_train_step, args)

    def test_step(self, *args):
        return self._either_form("test", self._default_test_step, args)

    def predict_step(self, *args):
        return self._either_form("predict", self._default_predict_step, args)

    def _default_train_step(self, data):
        x, y, sw = unpack_x_y_sample_weight(data)

        def loss_fn():
            y_pred = self(x, training=True)
            loss, per_output = self._loss_terms(x, y, y_pred, sw, training=True)
            return loss, y_pred, per_output

        (loss, y_pred, per_output), grads = self.compute_gradients(loss_fn)
        self.optimizer.apply(grads, self.trainable_variables)
        return self.update_metrics(loss, y, y_pred, sw, output_losses=per_output)

    def _default_test_step(self, data):
        x, y, sw = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss, per_output = self._loss_terms(x, y, y_pred, sw, training=False)
        return self.update_metrics(loss, y, y_pred, sw, output_losses=per_output)

    def _default_predict_step(self, data):
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _either_form(self, kind, stateful, args):
        if len(args) == 1:
            return stateful(args[0])
        if len(args) == 2:
            return self._run_stateless(kind, stateful, *args)
        raise TypeError(f"{_KINDS[kind]}() takes `data` or `(state, data)`, received "
                        f"{len(args)} arguments.")

    def _run_stateless(self, kind, stateful, state, data):
        """A stateful step run on the values in `state` (Keras's JAX layout)."""
        groups = self._keras_state_groups(kind)
        state = list(state)
        if len(state) != len(groups):
            raise ValueError(f"{_KINDS[kind]}(state, data): state must hold {len(groups)} "
                             f"lists of values, received {len(state)}.")
        mapping = []
        for variables, values in zip(groups, state):
            mapping.extend(zip(variables, values))
        # Seeds are not in Keras's state here; the enclosing step's scope has them.
        seeds = [g.state for g in self.seed_generators]
        mapping.extend((s, s.value) for s in seeds)
        with engine.StatelessScope(mapping, collect_losses=True) as scope:
            out = stateful(data)
        new = [_current(scope, variables, values) for variables, values in zip(groups, state)]
        for s in seeds:
            value = scope.get_current_value(s)
            if value is not None and engine.get_stateless_scope() is not None:
                s.assign(value)
        if kind == "predict":
            return out, new[1]
        return out, tuple(new)

    def _keras_state_groups(self, kind):
        trainable, non_trainable = self.trainable_variables, self.non_trainable_variables
        if kind == "predict":
            return [trainable, non_trainable]
        metrics = self.metrics_variables()
        if kind == "test":
            return [trainable, non_trainable, metrics]
        optimizer = list(self.optimizer.variables) if self.optimizer is not None else []
        return [trainable, non_trainable, optimizer, metrics]

    def _custom_step(self, kind):
        """(the overriding step, whether it is the stateless form), or None when the
        model keeps the default step (the engine then runs its own fast one)."""
        name = _KINDS[kind]
        if getattr(type(self), name) is getattr(CustomStepMethods, name):
            return None
        fn = getattr(self, name)
        return fn, _is_stateless(fn, name)

    # --- the engine-neutral gradient ----------------------------------------------
    def compute_gradients(self, loss_fn, variables=None):
        """Gradients of `loss_fn()` (no arguments; it calls the model) with respect to
        `variables` (default: the trainable variables), on the engine's autodiff.

        Returns `(value, grads)`: `value` is what loss_fn returned (a loss, or a tuple
        whose first item is the loss and the rest anything, e.g. the predictions),
        `grads` a list in the order of `variables`. What the model assigns while
        loss_fn runs (BatchNormalization statistics, random seeds) is written back, so
        this works in an eager PyTorch step and inside the jitted JAX step alike."""
        variables = list(self.trainable_variables if variables is None else variables)
        taken = {id(v) for v in variables}
        others = [v for v in list(self.non_trainable_variables) +
                  [g.state for g in self.seed_generators] if id(v) not in taken]
        other_values = [v.value for v in others]
        optimizer = getattr(self, "optimizer", None)
        # The optimizer divides the gradients by its loss_scale_factor (Keras 3).
        factor = getattr(optimizer, "loss_scale_factor", None)

        def pure(values):
            mapping = list(zip(variables, values)) + list(zip(others, other_values))
            with engine.StatelessScope(mapping, collect_losses=True) as scope:
                out = loss_fn()
            loss = out[0] if isinstance(out, tuple) else out
            if not hasattr(loss, "shape") or tuple(loss.shape) != ():
                raise ValueError("compute_gradients: loss_fn must return a scalar loss (or a "
                                 "tuple whose first item is the scalar loss); received "
                                 f"{type(loss).__name__} of shape {getattr(loss, 'shape', None)}.")
            rest = out[1:] if isinstance(out, tuple) else None
            return (loss * factor if factor else loss), \
                (loss, rest, _current(scope, others, other_values))

        (_, (loss, rest, new_values)), grads = engine.core.value_and_grad(pure, has_aux=True)(
            [v.value for v in variables])
        for v, old, new in zip(others, other_values, new_values):
            if new is not old:
                v.assign(new)
        loss = engine.stop_gradient(loss)
        return ((loss,) + tuple(rest) if rest is not None else loss), list(grads)

    def zero_grad(self, set_to_none=True):
        """Clears gradients that `loss.backward()` left on the trainable weights (the
        PyTorch custom step calls it first, as Keras's guide does); a no-op on engines
        whose tensors hold no gradient."""
        for v in self.trainable_variables:
            value = v.value
            if getattr(value, "grad", None) is not None:
                if set_to_none:
                    value.grad = None
                else:
                    value.grad.zero_()


def _is_stateless(fn, name):
    # The positional parameters without defaults tell the form: data, or state and data.
    params = [p for p in inspect.signature(fn).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty]
    if any(p.kind == p.VAR_POSITIONAL for p in inspect.signature(fn).parameters.values()) \
            and len(params) == 0:
        return False
    if len(params) not in (1, 2):
        raise TypeError(f"{name} must take `data` (or, on JAX, `state, data`); the override "
                        f"takes {[p.name for p in params]}.")
    return len(params) == 2


def _current(scope, variables, old):
    out = []
    for v, o in zip(variables, old):
        value = scope.get_current_value(v)
        out.append(o if value is None else value)
    return out


def call_compute_loss(model, x, y, y_pred, sample_weight, training):
    """An overriding compute_loss, called with `training` only if it takes it (Keras
    3.0-3.3's signature had none)."""
    if _takes_training(type(model).compute_loss):
        return model.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                  training=training)
    return model.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)


@functools.lru_cache(maxsize=None)
def _takes_training(compute_loss):
    params = inspect.signature(compute_loss).parameters
    return "training" in params or any(p.kind == p.VAR_KEYWORD for p in params.values())
