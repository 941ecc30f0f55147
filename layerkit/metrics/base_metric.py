"""The Metric base class: state held in non-trainable Variables.

Every update goes through `variable.assign(...)`, so the trainer can map the
Variables through a StatelessScope and run the same code under jit; nothing
here reads a value back to the host.
"""
import numpy as np
from layerkit import engine
from layerkit import config
from layerkit import ops
from layerkit.engine.common import naming
from layerkit.engine.common.dtypes import standardize_dtype


def _resolve_initializer(initializer):
    if initializer is None or initializer == "zeros":
        return lambda shape, dtype=None: ops.zeros(shape, dtype=dtype)
    if initializer == "ones":
        return lambda shape, dtype=None: ops.ones(shape, dtype=dtype)
    if isinstance(initializer, (str, dict)):
        try:
            from layerkit import initializers
        except ImportError:
            raise ValueError(f"Unknown metric variable initializer {initializer!r}; "
                             "use 'zeros', 'ones' or a callable(shape, dtype).") from None
        return initializers.get(initializer)
    return initializer


class Metric:
    """Base class of every metric.

    Subclasses create their state in `__init__` with `add_variable`, and
    implement `update_state(y_true, y_pred, sample_weight=None)` and `result()`.
    """

    def __init__(self, name=None, dtype=None, **kwargs):
        object.__setattr__(self, "_variables", [])
        object.__setattr__(self, "_metrics", [])
        self.name = name or naming.uniquify(naming.to_snake_case(type(self).__name__))
        self._dtype = standardize_dtype(dtype) if dtype is not None else config.floatx()

    @property
    def dtype(self):
        return self._dtype

    # --- state -------------------------------------------------------------
    def add_variable(self, shape=(), initializer="zeros", dtype=None, aggregation="sum",
                     name=None):
        """A non-trainable Variable recorded in `self.variables`."""
        self._check_super_called()
        shape = tuple(int(d) for d in shape)
        dtype = standardize_dtype(dtype or self._dtype)
        init = _resolve_initializer(initializer)
        if callable(init):
            value = init(shape, dtype=dtype)
        else:
            value = engine.convert_to_tensor(init, dtype=dtype)
        variable = engine.Variable(value, shape=shape, dtype=dtype, trainable=False,
                                    name=name or "variable")
        variable.path = f"{self.name}/{variable.name}"
        variable.aggregation = aggregation
        self._variables.append(variable)
        return variable

    def add_weight(self, *args, shape=(), initializer=None, dtype=None, name=None, **kwargs):
        """Keras 3's add_weight(shape, initializer, dtype, name) and Keras 2's
        add_weight(name, shape, ..., initializer, dtype)."""
        if args and isinstance(args[0], str):
            name, args = args[0], args[1:]
        positional = dict(zip(("shape", "initializer", "dtype"), args))
        shape = positional.get("shape", shape)
        initializer = positional.get("initializer", initializer)
        dtype = positional.get("dtype", dtype)
        return self.add_variable(shape=shape if shape is not None else (),
                                 initializer=initializer or "zeros", dtype=dtype, name=name,
                                 aggregation=kwargs.get("aggregation", "sum"))

    @property
    def variables(self):
        out = list(self._variables)
        seen = {id(v) for v in out}
        for metric in self._metrics:
            for v in metric.variables:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    # Keras 2 spellings.
    @property
    def weights(self):
        return self.variables

    @property
    def non_trainable_weights(self):
        return self.variables

    @property
    def trainable_weights(self):
        return []

    def reset_state(self):
        # Host zeros: one transfer per variable, no engine op to dispatch.
        for v in self.variables:
            v.assign(np.zeros(v.shape, dtype=v.dtype))

    def reset_states(self):
        self.reset_state()

    # --- the API -----------------------------------------------------------
    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement `update_state`.")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement `result`.")

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    # --- the pure forms (Keras 3): values in, values out, no Variable touched ----
    def stateless_update_state(self, metric_variables, *args, **kwargs):
        """update_state on the given values of `self.variables`; returns the new
        values (usable under jit: a custom JAX train_step calls it)."""
        scope = self._stateless(metric_variables, "stateless_update_state")
        with scope:
            self.update_state(*args, **kwargs)
        return _current(scope, self.variables, list(metric_variables))

    def stateless_result(self, metric_variables):
        """result() computed from the given values of `self.variables`."""
        with self._stateless(metric_variables, "stateless_result"):
            return self.result()

    def stateless_reset_state(self):
        """The values `reset_state()` would give `self.variables`, Variables untouched."""
        with engine.StatelessScope() as scope:
            self.reset_state()
        return _current(scope, self.variables, [v.value for v in self.variables])

    def _stateless(self, metric_variables, what):
        variables = self.variables
        metric_variables = list(metric_variables)
        if len(metric_variables) != len(variables):
            raise ValueError(
                f'{what} of metric "{self.name}": expected {len(variables)} values, one per '
                f"variable ({[v.name for v in variables]}), received {len(metric_variables)}.")
        # Values may come as numpy arrays; the update's ops take engine tensors.
        values = [x if engine.is_tensor(x) else engine.convert_to_tensor(x, v.dtype)
                  for v, x in zip(variables, metric_variables)]
        return engine.StatelessScope(list(zip(variables, values)))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)

    # --- bookkeeping -------------------------------------------------------
    def __setattr__(self, name, value):
        if isinstance(value, Metric) and value is not self:
            self._check_super_called()
            if value not in self._metrics:
                self._metrics.append(value)
        object.__setattr__(self, name, value)

    def _check_super_called(self):
        if "_variables" not in self.__dict__:
            raise RuntimeError(f"{type(self).__name__}: call `super().__init__()` in "
                               "`__init__` before creating variables or sub-metrics.")

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"

    __str__ = __repr__


def _current(scope, variables, old):
    out = []
    for v, o in zip(variables, old):
        value = scope.get_current_value(v)
        out.append(o if value is None else value)
    return out


def add_to(variable, value):
    """variable += value with one assign; a Python number stays a scalar
    operand (no host-to-device copy)."""
    return variable.assign(variable.value + value)
