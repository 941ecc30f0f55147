"""Weight constraints (Keras's `keras.constraints`).

A constraint maps a weight to its projected value; the optimizer applies it after
each update: `w.assign(constraint(w))`.
"""

from layerkit import config, ops
from layerkit.engine.common.variables import Variable
from layerkit.initializers.registry import Registry


def _tensor(x):
    if isinstance(x, Variable):
        return x.value
    return x if ops.is_tensor(x) else ops.convert_to_tensor(x)


def _norms(w, axis):
    return ops.sqrt(ops.sum(ops.square(w), axis=axis, keepdims=True))


def _axis_config(axis):
    return list(axis) if isinstance(axis, tuple) else axis


def _axis_arg(axis):
    return tuple(axis) if isinstance(axis, list) else axis


class Constraint:
    """Base class: subclasses implement `__call__(w)` returning the projected weight."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class MaxNorm(Constraint):
    """Rescales each slice along `axis` whose L2 norm exceeds `max_value` back to it."""

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = _axis_arg(axis)

    def __call__(self, w):
        w = _tensor(w)
        norms = _norms(w, self.axis)
        desired = ops.clip(norms, 0, self.max_value)
        return w * (desired / (config.epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": _axis_config(self.axis)}


class NonNeg(Constraint):
    """Zeroes the negative entries."""

    def __call__(self, w):
        w = _tensor(w)
        return w * ops.cast(ops.greater_equal(w, 0.0), ops.dtype(w))


class UnitNorm(Constraint):
    """Rescales each slice along `axis` to unit L2 norm."""

    def __init__(self, axis=0):
        self.axis = _axis_arg(axis)

    def __call__(self, w):
        w = _tensor(w)
        return w / (config.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": _axis_config(self.axis)}


class MinMaxNorm(Constraint):
    """Moves each slice's L2 norm toward [min_value, max_value]; `rate` = 1 clips it
    there at once, a smaller rate moves it part of the way each step."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = _axis_arg(axis)

    def __call__(self, w):
        w = _tensor(w)
        norms = _norms(w, self.axis)
        desired = (self.rate * ops.clip(norms, self.min_value, self.max_value)
                   + (1 - self.rate) * norms)
        return w * (desired / (config.epsilon() + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": _axis_config(self.axis)}


max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm

_LOOKUP = {
    "Constraint": Constraint, "MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm,
    "MinMaxNorm": MinMaxNorm, "max_norm": MaxNorm, "non_neg": NonNeg,
    "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm,
    # Keras 1/2 lower-case spellings.
    "maxnorm": MaxNorm, "nonneg": NonNeg, "unitnorm": UnitNorm,
}
_REGISTRY = Registry("constraint", "keras.constraints", _LOOKUP, Constraint)


def serialize(constraint):
    return _REGISTRY.serialize(constraint)


def deserialize(config, custom_objects=None):
    return _REGISTRY.deserialize(config, custom_objects)


def get(identifier):
    """A constraint from None, a name, a config dict, an instance or a callable."""
    return _REGISTRY.get(identifier)
