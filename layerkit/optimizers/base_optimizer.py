"""The Optimizer base: state, learning rate, clipping, weight decay and the update loop.

An optimizer subclass declares its slot variables in `_build_slots(var_list)` and its
update rule in `_update(grads, values, slots, lr, iterations, dtype)`: a function of
LISTS of tensors written with `layerkit.engine.foreach`, so one expression updates
every variable at once (fused by `jit` on JAX, one `torch._foreach_*` call per op on
PyTorch). The base class gathers the lists, runs the rule and writes the results back
with `Variable.assign` — recorded by a StatelessScope under the JAX trainer, a rebinding
of each tensor on PyTorch.

Nothing here reads a value back to the host during an update, and the learning rate
lives in a Variable, so changing it between epochs does not change a compiled step.
"""
import re
import warnings

from layerkit import config, engine, ops
from layerkit.engine import foreach
from layerkit.engine.common import naming
from layerkit.engine.common.variables import Variable as _BaseVariable
from layerkit.optimizers import legacy_keywords, schedules


class _Group:
    """Variables of one dtype that take part in an update, with what the update needs."""

    __slots__ = ("positions", "variables", "slots", "dtype", "decay")

    def __init__(self, positions, variables, slots, dtype, decay):
        self.positions = positions      # indices into the step's gradient list, or None (all)
        self.variables = variables
        self.slots = slots              # {slot name: [slot Variable, ...]}
        self.dtype = dtype
        self.decay = decay              # positions that take weight decay, or None (all)


class Optimizer:
    """Base class of every optimizer (Keras 3's `keras.optimizers.Optimizer`).

    Subclasses name only their own arguments and pass the rest (`weight_decay`, the
    clipping, EMA, loss-scale and accumulation settings, `name`, Keras 2's `lr`/`decay`)
    through `**kwargs` to this constructor, which checks them once for all."""

    _LEGACY_EXTRA_KEYWORDS = ()

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        owner = type(self).__name__
        legacy = legacy_keywords.pop_legacy_keywords(owner, kwargs, self._LEGACY_EXTRA_KEYWORDS)
        self._legacy = legacy
        if "lr" in legacy:
            learning_rate = legacy["lr"]
        self.decay = legacy_keywords.check_decay(legacy.get("decay"))
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                f"{owner}: only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                f"set; received clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}.")
        if use_ema and not 0 <= ema_momentum <= 1:
            raise ValueError(f"{owner}: `ema_momentum` must be in [0, 1], received {ema_momentum}.")
        if ema_overwrite_frequency is not None and (
                not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1):
            raise ValueError(f"{owner}: `ema_overwrite_frequency` must be an integer >= 1 or "
                             f"None, received {ema_overwrite_frequency!r}.")
        if gradient_accumulation_steps is not None and (
                int(gradient_accumulation_steps) != gradient_accumulation_steps
                or gradient_accumulation_steps < 2):
            raise ValueError(f"{owner}: `gradient_accumulation_steps` must be an integer >= 2, "
                             f"received {gradient_accumulation_steps!r}.")
        self.name = name or naming.uniquify(naming.to_snake_case(owner))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = bool(use_ema)
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = (int(gradient_accumulation_steps)
                                            if gradient_accumulation_steps else None)
        self.built = False
        self._variables = []
        self._trainable_variables = []
        self._index = {}
        self._slots = {}
        self._plans = {}
        self._gate = None
        self._exclude_ids = set()
        self._exclude_pattern = None
        self._iterations = self._new_variable(0, "iteration", engine.core.default_int_dtype())
        self._learning_rate = None
        self._set_learning_rate(learning_rate)

    # --- variables ----------------------------------------------------------------
    def _new_variable(self, value, name, dtype):
        var = engine.Variable(value, dtype=dtype, trainable=False, name=name)
        var.path = f"{self.name}/{name}"
        self._variables.append(var)
        return var

    def add_variable(self, shape, initializer="zeros", dtype=None, name=None):
        """A new non-trainable optimizer Variable (Keras's `add_variable`)."""
        dtype = dtype or config.floatx()
        shape = tuple(shape)
        if callable(initializer):
            value = initializer(shape, dtype=dtype)
        elif initializer in ("zeros", None):
            value = ops.zeros(shape, dtype=dtype)
        elif initializer == "ones":
            value = ops.ones(shape, dtype=dtype)
        else:
            from layerkit import initializers
            value = initializers.get(initializer)(shape, dtype=dtype)
        return self._new_variable(value, name or "variable", dtype)

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """A slot shaped like `reference_variable`, named `{its path}_{name}`."""
        name = name or "var"
        ref = getattr(reference_variable, "path", None) or reference_variable.name
        slot = self.add_variable(reference_variable.shape, initializer=initializer,
                                 dtype=reference_variable.dtype,
                                 name=f"{str(ref).replace('/', '_')}_{name}")
        # A distribution places the slot as its variable (engine/jax/distribution.py).
        slot._reference_path = ref
        return slot

    def _add_slots(self, var_list, names, initial_values=None):
        """One slot per variable for each name, created interleaved per variable (the
        order Keras uses, so saved optimizer states line up)."""
        if isinstance(names, str):
            names = [names]
        initial_values = initial_values or [0.0] * len(names)
        for name in names:
            self._slots.setdefault(name, [])
        for var in var_list:
            for name, init in zip(names, initial_values):
                if init == 0.0:
                    value = ops.zeros(var.shape, dtype=var.dtype)
                else:
                    value = ops.full(tuple(var.shape), init, dtype=var.dtype)
                ref = getattr(var, "path", None) or var.name
                slot = self._new_variable(value, f"{str(ref).replace('/', '_')}_{name}",
                                          var.dtype)
                slot._reference_path = ref   # a distribution places it as its variable
                # In its variable's memory order where the engine keeps one (a torch
                # conv kernel's), so the update's list ops run on one layout.
                engine.core.keep_memory_order(slot, like=var)
                self._slots[name].append(slot)

    @property
    def variables(self):
        """Every optimizer Variable (iterations, learning rate, slots) in a stable order."""
        return self._variables[:]

    @property
    def iterations(self):
        return self._iterations

    def build(self, var_list):
        """Creates the slot Variables for `var_list`. Variables already known are
        skipped, so a second call with the same list is a no-op."""
        var_list = list(var_list)
        new = [v for v in var_list if id(v) not in self._index]
        if not new and self.built:
            return
        first = not self.built
        for v in new:
            self._index[id(v)] = len(self._trainable_variables)
            self._trainable_variables.append(v)
        self._plans = {}
        if self.use_ema:
            self._add_slots(new, "average")
        if self.gradient_accumulation_steps:
            self._add_slots(new, "gradient_accumulator")
        self._build_slots(new)
        if first:
            self._build_once(var_list)
        self.built = True

    def _build_slots(self, var_list):
        """Subclasses create their per-variable slots here (called for new variables)."""

    def _build_once(self, var_list):
        """Subclasses create variables that are not per-variable (called once)."""

    def _get_variable_index(self, variable):
        return self._index[id(variable)]

    # --- learning rate ------------------------------------------------------------
    def _set_learning_rate(self, value):
        if isinstance(value, schedules.LearningRateSchedule) or (
                callable(value) and not isinstance(value, _BaseVariable)):
            if isinstance(self._learning_rate, _BaseVariable):
                self._variables.remove(self._learning_rate)
            self._learning_rate = value
            return
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            raise TypeError(
                f"{type(self).__name__} was created with a LearningRateSchedule, so its "
                "learning rate cannot be set to a number; create the optimizer with a float "
                "learning_rate to make it settable.")
        if isinstance(value, _BaseVariable):
            value = value.value
        try:
            value = float(value) if not ops.is_tensor(value) else value
        except (TypeError, ValueError):
            raise ValueError(
                f"{type(self).__name__}: `learning_rate` must be a float, a "
                f"LearningRateSchedule or a callable; received {value!r}.") from None
        if isinstance(self._learning_rate, _BaseVariable):
            self._learning_rate.assign(value)
        else:
            self._learning_rate = self._new_variable(value, "learning_rate", config.floatx())

    @property
    def learning_rate(self):
        """The learning-rate Variable (settable), or a schedule's value at `iterations`."""
        lr = self._learning_rate
        if isinstance(lr, _BaseVariable):
            return lr
        if isinstance(lr, schedules.LearningRateSchedule):
            return lr(self._iterations.value)
        return lr()

    @learning_rate.setter
    def learning_rate(self, value):
        self._set_learning_rate(value)

    # Keras 2's name.
    lr = learning_rate

    def _current_learning_rate(self):
        """This step's learning rate as a tensor: value or schedule, then Keras 2 decay."""
        lr = self._learning_rate
        if isinstance(lr, _BaseVariable):
            lr = lr.value
        elif isinstance(lr, schedules.LearningRateSchedule):
            lr = lr(self._iterations.value)
        else:
            lr = lr()
        if not ops.is_tensor(lr):
            lr = ops.convert_to_tensor(lr, dtype=config.floatx())
        if self.decay:
            t = ops.cast(self._iterations.value, lr.dtype)
            lr = lr / (1.0 + self.decay * t)
        return lr

    # --- weight decay ---------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Leaves these Variables (or those whose name contains one of `var_names`)
        out of weight decay. Call before the optimizer is built."""
        if self.built:
            raise ValueError("exclude_from_weight_decay() must be called before the "
                             "optimizer is built.")
        self._exclude_ids = {id(v) for v in var_list or ()}
        self._exclude_pattern = re.compile("|".join(map(re.escape, set(var_names)))) \
            if var_names else None

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_ids:
            return False
        if self._exclude_pattern is not None and self._exclude_pattern.search(variable.name):
            return False
        return True

    # --- applying gradients ------------------------------------------------------------
    def scale_loss(self, loss):
        """The loss the trainers differentiate: times `loss_scale_factor` when set (the
        update divides the gradients back); a LossScaleOptimizer's current scale."""
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    def apply_gradients(self, grads_and_vars):
        grads_and_vars = list(grads_and_vars)
        if not grads_and_vars:
            return self._iterations
        grads, variables = zip(*grads_and_vars)
        self.apply(list(grads), list(variables))
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Updates `trainable_variables` (default: those the optimizer was built with)
        from `grads`; a None gradient leaves its variable alone."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "apply(grads) without variables needs a built optimizer; call "
                    "optimizer.build(trainable_variables) first or pass the variables.")
            if len(grads) != len(self._trainable_variables):
                raise ValueError(
                    f"Received {len(grads)} gradients, but the optimizer was built for "
                    f"{len(self._trainable_variables)} variables.")
            idx = None
        else:
            trainable_variables = list(trainable_variables)
            if len(grads) != len(trainable_variables):
                raise ValueError(f"Received {len(grads)} gradients for "
                                 f"{len(trainable_variables)} variables.")
            self.build(trainable_variables)
            index = self._index
            idx = [index[id(v)] for v in trainable_variables]
            if len(idx) == len(self._trainable_variables) and idx == list(range(len(idx))):
                idx = None
        with engine.core.no_grad():
            self._apply(grads, idx)

    def _apply(self, grads, idx):
        if any(g is None for g in grads):
            grads, idx = self._drop_missing(grads, idx)
        groups, variables, dtypes = self._plan(idx)
        # Gradients of the variables' own dtype pass through untouched.
        grads = [g if ops.is_tensor(g) and g.dtype == d else ops.convert_to_tensor(g, v.dtype)
                 for g, d, v in zip(grads, dtypes, variables)]
        if self.loss_scale_factor is not None:
            grads = foreach.div(grads, float(self.loss_scale_factor))
        it = self._iterations.value
        lr = self._current_learning_rate()
        step_it = it
        try:
            if self.gradient_accumulation_steps:
                grads, step_it = self._accumulate(grads, variables, it)
            grads = self._clip_gradients(grads)
            self._before_update(step_it)
            for group in groups:
                self._update_group(group, grads, lr, step_it)
        finally:
            self._gate = None
        if self.use_ema:
            self._update_ema(step_it)
        self._iterations.assign(it + 1)

    def _drop_missing(self, grads, idx):
        if idx is None:
            idx = range(len(grads))
        kept = [(g, i) for g, i in zip(grads, idx) if g is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        missing = [self._trainable_variables[i].path for g, i in zip(grads, idx) if g is None]
        warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the "
                      "loss; they are left unchanged.", stacklevel=4)
        return [g for g, _ in kept], [i for _, i in kept]

    def _plan(self, idx):
        """The step's variables, their engine dtypes, and their groups by dtype; cached
        per set of variables (`idx` None: all of them, in build order)."""
        key = None if idx is None else tuple(idx)
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        if idx is None:
            idx = range(len(self._trainable_variables))
        variables = [self._trainable_variables[i] for i in idx]
        by_dtype = {}
        for pos, v in enumerate(variables):
            by_dtype.setdefault(v.dtype, []).append(pos)
        groups = []
        for dtype, positions in by_dtype.items():
            indices = [idx[p] for p in positions]
            members = [variables[p] for p in positions]
            slots = {name: [slot_list[i] for i in indices]
                     for name, slot_list in self._slots.items()
                     if name not in ("average", "gradient_accumulator")}
            decay = [k for k, v in enumerate(members) if self._use_weight_decay(v)]
            groups.append(_Group(None if len(by_dtype) == 1 else positions, members, slots,
                                 dtype, None if len(decay) == len(members) else decay))
        plan = (groups, variables, [v.value.dtype for v in variables])
        self._plans[key] = plan
        return plan

    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            # g * clipnorm / max(||g||, clipnorm), per tensor.
            norms = foreach.maximum(foreach.norm(grads), float(self.clipnorm))
            return foreach.div(foreach.mul(grads, float(self.clipnorm)), norms)
        if self.global_clipnorm and self.global_clipnorm > 0:
            clip = float(self.global_clipnorm)
            norms = foreach.norm(grads)
            dtypes = {n.dtype for n in norms}
            if len(dtypes) > 1:
                norms = [ops.cast(n, "float32") for n in norms]
            squares = foreach.square(norms)
            total = ops.sqrt(sum(squares[1:], squares[0]))
            # clip * min(1/n, 1/clip), made NaN when the norm is not finite.
            scale = clip * ops.minimum(1.0 / total, 1.0 / clip) + (total - total)
            return foreach.mul(grads, scale)
        if self.clipvalue and self.clipvalue > 0:
            v = float(self.clipvalue)
            return foreach.clip(grads, -v, v)
        return grads

    def _update_group(self, group, grads, lr, it):
        if group.positions is not None:
            grads = [grads[p] for p in group.positions]
        variables = group.variables
        values = [v.value for v in variables]
        if lr.dtype != values[0].dtype:
            lr = ops.cast(lr, group.dtype)
        if self.weight_decay:
            values = self._apply_weight_decay(values, group, lr)
        if self._uses_legacy_update_step():
            new_values, new_slots = self._update_per_variable(grads, variables, values, lr)
        else:
            slots = {name: [s.value for s in slot_vars] for name, slot_vars in group.slots.items()}
            new_values, new_slots = self._update(grads, values, slots, lr, it, group.dtype)
            for name, new in new_slots.items():
                for var, value in zip(group.slots[name], new):
                    self._assign(var, value)
        # Constraints are read each step: a layer may set one after the first update.
        constraints = [(k, v.constraint) for k, v in enumerate(variables)
                       if v.constraint is not None]
        if constraints:
            new_values = list(new_values)
            for k, constraint in constraints:
                new_values[k] = constraint(new_values[k])
        for var, value in zip(variables, new_values):
            self._assign(var, value)

    def _apply_weight_decay(self, values, group, lr):
        # Decoupled decay before the update (Keras 3 / AdamW): v <- v - v * wd * lr.
        factor = 1.0 - ops.cast(self.weight_decay, group.dtype) * lr
        if group.decay is None:
            return foreach.mul(values, factor)
        if not group.decay:
            return values
        values = list(values)
        for k, v in zip(group.decay, foreach.mul([values[k] for k in group.decay], factor)):
            values[k] = v
        return values

    def _assign(self, variable, value):
        if self._gate is not None:
            value = ops.where(self._gate, value, variable.value)
        variable.assign(value)

    def _before_update(self, iterations):
        """Hook run once per step before the per-group updates (Nadam's schedule)."""

    def _update(self, grads, values, slots, lr, iterations, dtype):
        """The update rule over lists. Returns (new values, {slot name: new values})."""
        raise NotImplementedError(f"{type(self).__name__} must implement _update() or "
                                  "update_step().")

    # --- gradient accumulation and EMA ----------------------------------------------
    def _accumulate(self, grads, variables, it):
        n = self.gradient_accumulation_steps
        slot_list = self._slots["gradient_accumulator"]
        accs = [slot_list[self._index[id(v)]] for v in variables]
        total = foreach.add(grads, [a.value for a in accs])
        is_update = ops.equal((it + 1) % n, 0)
        for acc, t in zip(accs, total):
            acc.assign(ops.where(is_update, ops.zeros_like(t), t))
        # Every write of the update below is kept only on an update step.
        self._gate = is_update
        return foreach.div(total, float(n)), it // n

    def _update_ema(self, it):
        variables = self._trainable_variables
        averages = self._slots["average"]
        momentum = ops.cast(ops.not_equal(it, 0), "float32") * float(self.ema_momentum)
        new = foreach.add(foreach.mul([a.value for a in averages], momentum),
                          foreach.mul([v.value for v in variables], 1.0 - momentum))
        for avg, value in zip(averages, new):
            avg.assign(value)
        if self.ema_overwrite_frequency:
            overwrite = ops.equal((it + 1) % self.ema_overwrite_frequency, 0)
            for var, avg in zip(variables, new):
                var.assign(ops.where(overwrite, ops.cast(avg, var.dtype), var.value))

    def finalize_variable_values(self, var_list):
        """With EMA, replaces the model's variables by their moving averages."""
        if self.use_ema:
            for var in var_list:
                i = self._index.get(id(var))
                if i is not None:
                    var.assign(self._slots["average"][i].value)

    # --- Keras 3's per-variable API, for user subclasses -------------------------
    def update_step(self, gradient, variable, learning_rate):
        raise NotImplementedError

    def _uses_legacy_update_step(self):
        return type(self).update_step is not Optimizer.update_step

    def _update_per_variable(self, grads, variables, values, lr):
        # Runs a subclass's per-variable `update_step`; the variables must hold the
        # (decayed) values first, since update_step reads and assigns them.
        for var, value in zip(variables, values):
            self._assign(var, value)
        for g, var in zip(grads, variables):
            self.update_step(g, var, lr)
        return [v.value for v in variables], {}

    def assign(self, variable, value):
        self._assign(variable, value)

    def assign_add(self, variable, value):
        self._assign(variable, variable.value + value)

    def assign_sub(self, variable, value):
        self._assign(variable, variable.value - value)

    # --- state ----------------------------------------------------------------------
    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """Pure form of `apply`: takes and returns values instead of touching Variables.
        Returns (new trainable values, new optimizer values)."""
        if not self.built:
            raise ValueError("stateless_apply needs a built optimizer; call build() first.")
        trainable = self._trainable_variables
        # Values may come as numpy arrays: the update's kernels take engine tensors.
        as_tensor = lambda x, v: x if ops.is_tensor(x) else ops.convert_to_tensor(x, v.dtype)
        mapping = [(v, as_tensor(x, v)) for v, x in zip(trainable, trainable_variables)] + \
            [(v, as_tensor(x, v)) for v, x in zip(self.variables, optimizer_variables)]
        with engine.StatelessScope(state_mapping=mapping) as scope:
            self.apply(grads)
        return ([scope.get_current_value(v) for v in trainable],
                [scope.get_current_value(v) for v in self.variables])

    def get_weights(self):
        return [v.numpy() for v in self.variables]

    def set_weights(self, weights):
        weights = list(weights)
        if len(weights) != len(self.variables):
            raise ValueError(f"{type(self).__name__}.set_weights: expected "
                             f"{len(self.variables)} arrays, received {len(weights)}.")
        for var, w in zip(self.variables, weights):
            if tuple(var.shape) != tuple(getattr(w, "shape", ())):
                raise ValueError(f"Optimizer variable {var.path} has shape {var.shape}, "
                                 f"received a weight of shape {getattr(w, 'shape', ())}.")
            var.assign(w)

    def save_own_variables(self, store):
        for i, var in enumerate(self.variables):
            store[str(i)] = var.numpy()

    def load_own_variables(self, store):
        if len(store.keys()) != len(self.variables):
            warnings.warn(
                f"Skipping variable loading for optimizer '{self.name}': it has "
                f"{len(self.variables)} variables, the saved one has {len(store.keys())}"
                + (" (it is not built yet)." if not self.built else "."), stacklevel=2)
            return
        for i, var in enumerate(self.variables):
            var.assign(store[str(i)])

    # --- config ---------------------------------------------------------------------
    def get_config(self):
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            lr = schedules.serialize(lr)
        elif isinstance(lr, _BaseVariable):
            lr = float(lr.numpy())
        else:
            lr = float(engine.convert_to_numpy(lr()))
        out = {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
               "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
               "clipvalue": self.clipvalue, "use_ema": self.use_ema,
               "ema_momentum": self.ema_momentum,
               "ema_overwrite_frequency": self.ema_overwrite_frequency,
               "loss_scale_factor": self.loss_scale_factor,
               "gradient_accumulation_steps": self.gradient_accumulation_steps}
        if self.decay is not None:
            out["decay"] = self.decay
        return out

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for key in legacy_keywords.CONFIG_ONLY_KEYS:
            config.pop(key, None)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            config["learning_rate"] = schedules.deserialize(lr, custom_objects=custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"
