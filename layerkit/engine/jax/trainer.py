"""The JAX step: one pure function `step(state, batch) -> (logs, state)` under
jax.jit, with the state donated on accelerators. The state is
engine/common/contract.py's EngineState; Variables are written back by `sync()`.

Donation lets the new state reuse the old one's device memory, which matters on a GPU
or TPU. On XLA:CPU it bought nothing and cost time: the seed LSTM classifier's
donated step took 84 ms of CPU time against 66 ms undonated (layerkit and a raw loop
alike), and five alternating runs of benchmarks/bench_lstm.py read 0.79x-0.91x of the
raw loop donated against 0.90x-1.00x undonated; the seed MLP is the same either way.
So on CPU the state is not donated (host memory holds the old state until the step
ends).

`compile(run_eagerly=True)` or `compile(jit_compile=False)` runs the same step
un-jitted, op by op, for debugging (as Keras does on JAX)."""
import jax
import jax.numpy as jnp

from layerkit.engine.common.contract import EngineState, assign_state, state_variables
from layerkit.engine.common.distribution_plan import get_plan
from layerkit.engine.jax import distribution
from layerkit.engine.common.masking import get_masks, set_masks
from layerkit.engine.common.stateless_scope import StatelessScope


@jax.jit
def _copy_all(tree):
    return jax.tree_util.tree_map(jnp.copy, tree)


def get_state(model, kind="train"):
    """The model's EngineState as jax Arrays: copies (one compiled call), since the
    step donates its state and the Variables must stay readable."""
    groups = state_variables(model, kind)
    return _copy_all(EngineState(*([v.value for v in group] for group in groups)))


# Writing a state back is the same on every engine.
set_state = assign_state


def _write(groups, state):
    for group, values in zip(groups, state):
        for v, value in zip(group, values):
            v._direct_assign(value)


def _new_values(scope, variables, old):
    out = []
    for v, o in zip(variables, old):
        n = scope.get_current_value(v)
        out.append(o if n is None else n)
    return out


def eager(model):
    """Whether steps run un-jitted: run_eagerly=True, or jit_compile=False."""
    return bool(getattr(model, "run_eagerly", False)) or \
        getattr(model, "jit_compile", "auto") is False


class StepRunner:
    def __init__(self, model, kind):
        self.model = model
        self.kind = kind
        self.steps_per_execution = getattr(model, "steps_per_execution", 1) \
            if kind != "predict" else 1
        self.state = None
        if kind == "train":
            model.optimizer.build(model.trainable_variables)
        self.variables = state_variables(model, kind)
        # Under a distribution the state lives split over the mesh and each batch
        # arrives split along the batch axis; XLA inserts the collectives.
        plan = get_plan()
        self.placement = distribution.Placement(plan, self.variables) if plan else None
        step = {"train": self._train_step, "test": self._test_step,
                "predict": self._predict_step}[kind]
        custom = model._custom_step(kind) if hasattr(model, "_custom_step") else None
        self._log_order = None
        if custom is not None:
            step = self._custom(*custom)
        if eager(model):
            self._one, self._many = step, self._loop(step)
        elif kind == "predict":
            self._one = jax.jit(step)
        else:
            # The state keeps its placement from step to step; logs are replicated.
            donate = (0,) if self.donates else ()
            self._one = jax.jit(step, donate_argnums=donate, **self._shardings())
            self._many = jax.jit(self._scan(step), donate_argnums=donate, **self._shardings())

    @property
    def donates(self):
        """Whether the jitted steps donate their state (see the module docstring)."""
        return jax.default_backend() != "cpu"

    def _shardings(self):
        placement = self.placement
        if placement is None:
            return {}
        # Not in_shardings for the batch: jit splitting numpy batches itself deadlocked
        # 4 forced CPU devices in 4 of 9 runs (an all-reduce rendezvous missing a device);
        # one device_put of the batch per step never did.
        return {"out_shardings": (placement.replicated, placement.state)}

    # --- pure steps ------------------------------------------------------
    def _mapping(self, state, trainable=None):
        v = self.variables
        return list(zip(v.trainable, state.trainable if trainable is None else trainable)) + \
            list(zip(v.non_trainable, state.non_trainable)) + list(zip(v.seeds, state.seeds))

    def _train_step(self, state, batch):
        x, y, sw = batch
        model = self.model
        v = self.variables

        def loss_fn(tv):
            with StatelessScope(self._mapping(state, tv), collect_losses=True) as scope:
                y_pred = model(x, training=True)
                loss, per_output = model._loss_terms(x, y, y_pred, sw, training=True)
            # The output mask rides along: y_pred comes back as a new tracer.
            aux = (loss, y_pred, per_output, _new_values(scope, v.non_trainable, state.non_trainable),
                   _new_values(scope, v.seeds, state.seeds), get_masks(y_pred))
            return self._scaled(loss, state.optimizer), aux

        (_, (loss, y_pred, per_output, ntv, seeds, masks)), grads = jax.value_and_grad(
            loss_fn, has_aux=True)(state.trainable)
        set_masks(y_pred, masks)
        mapping = list(zip(v.trainable, state.trainable)) + list(zip(v.optimizer, state.optimizer))
        with StatelessScope(mapping) as scope:
            model.optimizer.apply(grads, v.trainable)
        tv = _new_values(scope, v.trainable, state.trainable)
        ov = _new_values(scope, v.optimizer, state.optimizer)
        logs, mv = self._metrics(loss, per_output, y, y_pred, sw, state.metrics)
        return logs, EngineState(tv, ntv, ov, mv, seeds)

    def _scaled(self, loss, optimizer_values):
        """The loss times the optimizer's loss scale (its static loss_scale_factor, or a
        LossScaleOptimizer's current scale read from the state); the optimizer divides
        the gradients back (Keras 3)."""
        with StatelessScope(list(zip(self.variables.optimizer, optimizer_values))):
            return self.model.optimizer.scale_loss(loss)

    def _metrics(self, loss, per_output, y, y_pred, sw, mv):
        metric_vars = self.variables.metrics
        with StatelessScope(list(zip(metric_vars, mv))) as scope:
            logs = self.model.update_metrics(loss, y, y_pred, sw, output_losses=per_output)
        return logs, _new_values(scope, metric_vars, mv)

    def _test_step(self, state, batch):
        x, y, sw = batch
        v = self.variables
        with StatelessScope(self._mapping(state), collect_losses=True) as scope:
            y_pred = self.model(x, training=False)
            loss, per_output = self.model._loss_terms(x, y, y_pred, sw, training=False)
        seeds = _new_values(scope, v.seeds, state.seeds)
        logs, mv = self._metrics(loss, per_output, y, y_pred, sw, state.metrics)
        return logs, state._replace(metrics=mv, seeds=seeds)

    def _predict_step(self, state, x):
        with StatelessScope(self._mapping(state)) as scope:
            y_pred = self.model(x, training=False)
        return y_pred, _new_values(scope, self.variables.seeds, state.seeds)

    # --- a model's own train_step/test_step/predict_step ------------------------
    def _custom(self, fn, stateless):
        """The model's step inside this pure step: the stateless form (Keras's JAX
        form) gets Keras's state tuple; the stateful form runs with every Variable
        mapped to the traced state, so its assigns become the new state."""
        kind, v = self.kind, self.variables

        def step(state, batch):
            data = _pack(batch, kind)
            if stateless:
                keras_state = {"train": (state.trainable, state.non_trainable, state.optimizer,
                                         state.metrics),
                               "test": (state.trainable, state.non_trainable, state.metrics),
                               "predict": (state.trainable, state.non_trainable)}[kind]
                # Seeds are not in Keras's state: this scope holds them for stateless_call.
                with StatelessScope(list(zip(v.seeds, state.seeds)),
                                    collect_losses=True) as scope:
                    out, new = fn(keras_state, data)
                seeds = _new_values(scope, v.seeds, state.seeds)
                new = _unpack_keras_state(kind, new, state, v)
                new = new._replace(seeds=seeds)
            else:
                with StatelessScope(self._mapping_all(state), collect_losses=True) as scope:
                    out = fn(data)
                new = EngineState(*(_new_values(scope, g, s) for g, s in zip(v, state)))
            if kind == "predict":
                return out, new.seeds
            if not isinstance(out, dict):
                raise TypeError(f"{kind}_step must return a dict of logs, received "
                                f"{type(out).__name__}.")
            self._log_order = list(out)   # jit sorts dict keys; fit logs the step's order
            return out, new
        return step

    def _mapping_all(self, state):
        out = []
        for group, values in zip(self.variables, state):
            out.extend(zip(group, values))
        return out

    @staticmethod
    def _scan(step):
        def many(state, batches):
            def body(carry, batch):
                logs, carry = step(carry, batch)
                return carry, logs
            state, logs = jax.lax.scan(body, state, batches)
            return jax.tree_util.tree_map(lambda l: l[-1], logs), state
        return many

    @staticmethod
    def _loop(step):
        """Eager steps_per_execution: the stacked batches one by one, in Python."""
        def many(state, batches):
            n = jax.tree_util.tree_leaves(batches)[0].shape[0]
            for i in range(n):
                logs, state = step(state, jax.tree_util.tree_map(lambda a: a[i], batches))
            return logs, state
        return many

    # --- driving -----------------------------------------------------------
    def predict(self, x):
        # Reads the Variables each call (no copy): weights may change between calls.
        # Seeds advance (a layer may draw at inference), so they are written back.
        v = self.variables
        state = EngineState([w.value for w in v.trainable], [w.value for w in v.non_trainable],
                            [], [w.value for w in v.metrics], [s.value for s in v.seeds])
        if self.placement is not None:
            state = self.placement.put_state(state)
            x = self.placement.put_batch(x)
        y_pred, seeds = self._one(state, x)
        if self.placement is not None:
            # Every process gets the whole predictions; Variables hold whole values.
            y_pred, seeds = distribution.whole((y_pred, seeds))
            seeds = [jnp.asarray(s) for s in seeds]
        for s, value in zip(v.seeds, seeds):
            s._direct_assign(value)
        return y_pred

    def run(self, batch, n=1, want_logs=True):
        """n steps; the logs of the last (None unless `want_logs`: `results()` has them)."""
        if self.state is None:
            # A donated state must not alias the Variables, which stay readable.
            self.state = get_state(self.model, self.kind) if self.donates else \
                EngineState(*([v.value for v in group] for group in self.variables))
            if self.placement is not None:
                self.state = self.placement.put_state(self.state)
        if self.placement is not None:
            batch = self.placement.put_batch(batch, stacked=n > 1)
        if n == 1:
            self._last, self.state = self._one(self.state, batch)
        else:
            self._last, self.state = self._many(self.state, batch)
        return self.results() if want_logs else None

    def results(self):
        # jit returns dicts with sorted keys; logs keep Keras's order (loss first).
        out = self._last
        if self.placement is not None:
            out = distribution.local(out)
        if self._log_order is not None:
            return {name: out[name] for name in self._log_order}
        names = self.__dict__.get("_log_names")
        if names is None:
            names = self._log_names = self.model.metrics_names
        return {name: out[name] for name in names}

    def sync(self):
        if self.state is not None:
            state = self.state
            if self.placement is not None:
                # The Variables hold whole values on every process (save() reads them).
                state = jax.tree_util.tree_map(jnp.asarray, distribution.whole(state))
            _write(self.variables, state)
            self.state = None

    def reset_metrics(self):
        self.model.reset_metrics()
        if self.state is not None:
            mv = _copy_all([v.value for v in self.variables.metrics])
            if self.placement is not None:
                mv = self.placement.put(mv, self.placement.state.metrics)
            self.state = self.state._replace(metrics=mv)


def _pack(batch, kind):
    """What a custom step receives as `data`: Keras's x, (x, y) or (x, y, sw)."""
    if kind == "predict":
        return (batch,) if isinstance(batch, (list, tuple)) else batch
    x, y, sw = batch
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    return (x, y) if sw is None else (x, y, sw)


def _unpack_keras_state(kind, new, state, v):
    """The state a stateless custom step returned, as an EngineState."""
    if kind == "predict":
        return state._replace(non_trainable=list(new))
    fields = {"train": ("trainable", "non_trainable", "optimizer", "metrics"),
              "test": ("trainable", "non_trainable", "metrics")}[kind]
    new = tuple(new)
    if len(new) != len(fields):
        raise ValueError(f"{kind}_step(state, data) must return (logs, state) with state = "
                         f"({', '.join(fields)}); received a state of {len(new)} items.")
    out = state._replace(**{f: list(n) for f, n in zip(fields, new)})
    for f in fields:
        if len(getattr(out, f)) != len(getattr(v, f)):
            raise ValueError(f"{kind}_step returned {len(getattr(out, f))} {f} values; the "
                             f"model has {len(getattr(v, f))}.")
    return out


def make_step(model, kind):
    return StepRunner(model, kind)
