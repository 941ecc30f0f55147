"""The JAX step: one pure function `step(state, batch) -> (logs, state)` under
jax.jit with the state donated. Variables are written back by `sync()`."""
import jax
import jax.numpy as jnp

from layerkit.engine.common.masking import get_masks, set_masks
from layerkit.engine.common.stateless_scope import StatelessScope


def _seed_variables(model):
    return [g.state for g in model.seed_generators]


def state_variables(model, kind):
    """The Variables a step of `kind` reads and writes, in the state's order."""
    trainable = list(model.trainable_variables)
    non_trainable = list(model.non_trainable_variables) + _seed_variables(model)
    if kind == "train":
        opt = list(model.optimizer.variables)
        return trainable, non_trainable, opt, model.metrics_variables()
    if kind == "test":
        return trainable, non_trainable, [], model.metrics_variables()
    return trainable, non_trainable, [], []


@jax.jit
def _copy_all(tree):
    return jax.tree_util.tree_map(jnp.copy, tree)


def get_state(model, kind="train"):
    groups = state_variables(model, kind)
    # Copies (one compiled call): the step donates its state, and the Variables
    # must stay readable.
    return _copy_all(tuple([v.value for v in group] for group in groups))


def set_state(model, state, kind="train"):
    for group, values in zip(state_variables(model, kind), state):
        for v, value in zip(group, values):
            v._direct_assign(value)


def _new_values(scope, variables, old):
    out = []
    for v, o in zip(variables, old):
        n = scope.get_current_value(v)
        out.append(o if n is None else n)
    return out


class StepRunner:
    def __init__(self, model, kind):
        self.model = model
        self.kind = kind
        self.steps_per_execution = getattr(model, "steps_per_execution", 1) if kind != "predict" else 1
        self.state = None
        if kind == "train":
            model.optimizer.build(model.trainable_variables)
        self.variables = state_variables(model, kind)
        step = {"train": self._train_step, "test": self._test_step,
                "predict": self._predict_step}[kind]
        if kind == "predict":
            self._one = step if getattr(model, "run_eagerly", False) else jax.jit(step)
        elif getattr(model, "run_eagerly", False):
            self._one = step
            self._many = self._scan(step)
        else:
            donate = (0,) if kind != "predict" else ()
            self._one = jax.jit(step, donate_argnums=donate)
            self._many = jax.jit(self._scan(step), donate_argnums=donate)

    # --- pure steps ------------------------------------------------------
    def _forward(self, tv, ntv, x, training):
        trainable, non_trainable = self.variables[0], self.variables[1]
        mapping = list(zip(trainable, tv)) + list(zip(non_trainable, ntv))
        with StatelessScope(mapping, collect_losses=True) as scope:
            y_pred = self.model(x, training=training)
            return y_pred, scope

    def _train_step(self, state, batch):
        tv, ntv, ov, mv = state
        x, y, sw = batch
        model = self.model
        trainable, non_trainable, opt_vars, metric_vars = self.variables

        def loss_fn(tv_):
            mapping = list(zip(trainable, tv_)) + list(zip(non_trainable, ntv))
            with StatelessScope(mapping, collect_losses=True) as scope:
                y_pred = model(x, training=True)
                loss = model.compute_loss(x, y, y_pred, sw, training=True)
                per_output = model._last_output_losses
            # The output mask rides along: y_pred comes back as a new tracer.
            return loss, (y_pred, _new_values(scope, non_trainable, ntv), per_output,
                          get_masks(y_pred))

        (loss, (y_pred, ntv, per_output, masks)), grads = jax.value_and_grad(
            loss_fn, has_aux=True)(tv)
        set_masks(y_pred, masks)
        mapping = list(zip(trainable, tv)) + list(zip(opt_vars, ov))
        with StatelessScope(mapping) as scope:
            model.optimizer.apply(grads, trainable)
        tv = _new_values(scope, trainable, tv)
        ov = _new_values(scope, opt_vars, ov)
        logs, mv = self._metrics(loss, per_output, y, y_pred, sw, mv)
        return logs, (tv, ntv, ov, mv)

    def _metrics(self, loss, per_output, y, y_pred, sw, mv):
        metric_vars = self.variables[3]
        with StatelessScope(list(zip(metric_vars, mv))) as scope:
            self.model._last_output_losses = per_output
            logs = self.model.update_metrics(loss, y, y_pred, sw)
        return logs, _new_values(scope, metric_vars, mv)

    def _test_step(self, state, batch):
        tv, ntv, ov, mv = state
        x, y, sw = batch
        model = self.model
        trainable, non_trainable = self.variables[0], self.variables[1]
        mapping = list(zip(trainable, tv)) + list(zip(non_trainable, ntv))
        with StatelessScope(mapping, collect_losses=True):
            y_pred = model(x, training=False)
            loss = model.compute_loss(x, y, y_pred, sw, training=False)
            per_output = model._last_output_losses
        logs, mv = self._metrics(loss, per_output, y, y_pred, sw, mv)
        return logs, (tv, ntv, ov, mv)

    def _predict_step(self, state, x):
        y_pred, _ = self._forward(state[0], state[1], x, False)
        return y_pred

    @staticmethod
    def _scan(step):
        def many(state, batches):
            def body(carry, batch):
                logs, carry = step(carry, batch)
                return carry, logs
            state, logs = jax.lax.scan(body, state, batches)
            return jax.tree_util.tree_map(lambda l: l[-1], logs), state
        return many

    # --- driving -----------------------------------------------------------
    def predict(self, x):
        # Reads the Variables each call (no copy): weights may change between calls.
        state = ([v.value for v in self.variables[0]], [v.value for v in self.variables[1]])
        return self._one(state, x)

    def run(self, batch, n=1, want_logs=True):
        """n steps; the logs of the last (None unless `want_logs`: `results()` has them)."""
        if self.state is None:
            self.state = get_state(self.model, self.kind)
        if n == 1:
            self._last, self.state = self._one(self.state, batch)
        else:
            self._last, self.state = self._many(self.state, batch)
        return self.results() if want_logs else None

    def results(self):
        # jit returns dicts with sorted keys; logs keep Keras's order (loss first).
        names = self.__dict__.get("_log_names")
        if names is None:
            names = self._log_names = self.model.metrics_names
        out = self._last
        return {name: out[name] for name in names}

    def sync(self):
        if self.state is not None:
            set_state(self.model, self.state, self.kind)
            self.state = None

    def reset_metrics(self):
        self.model.reset_metrics()
        if self.state is not None:
            mv = _copy_all([v.value for v in self.variables[3]])
            self.state = self.state[:3] + (mv,)


def make_step(model, kind):
    return StepRunner(model, kind)
