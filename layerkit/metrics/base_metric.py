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


def add_to(variable, value):
    """variable += value with one assign; a Python number stays a scalar
    operand (no host-to-device copy)."""
    return variable.assign(variable.value + value)
