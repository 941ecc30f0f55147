"""Weight regularizers (Keras 3's `keras.regularizers`, plus Keras 2's `l1_l2`).

A regularizer is called on a weight tensor and returns a scalar penalty tensor that
is added to the model's loss.
"""
import math

from layerkit import config, ops
from layerkit.engine.common.variables import Variable
from layerkit.initializers.registry import Registry


def _tensor(x):
    if isinstance(x, Variable):
        return x.value
    return x if ops.is_tensor(x) else ops.convert_to_tensor(x)


def _penalty_factor(value, name):
    if (not isinstance(value, (int, float)) or isinstance(value, bool)
            or math.isinf(value) or math.isnan(value) or value < 0):
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float; "
                         f"received {name}={value!r}.")
    return float(value)


class Regularizer:
    """Base class: subclasses implement `__call__(x)` returning a scalar tensor."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config().")

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """`l1 * sum(|x|) + l2 * sum(x**2)`. Keras 3 defaults: both 0."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _penalty_factor(0.0 if l1 is None else l1, "l1")
        self.l2 = _penalty_factor(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        x = _tensor(x)
        penalty = ops.convert_to_tensor(0.0, dtype=ops.dtype(x))
        if self.l1:
            penalty = penalty + self.l1 * ops.sum(ops.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * ops.sum(ops.square(x))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """`l1 * sum(|x|)`; default l1=0.01."""

    def __init__(self, l1=0.01, **kwargs):
        l1 = kwargs.pop("l", l1)  # Keras 2 accepted `l=`
        if kwargs:
            raise TypeError(f"L1: unexpected keyword argument(s) {sorted(kwargs)}.")
        self.l1 = _penalty_factor(0.01 if l1 is None else l1, "l1")

    def __call__(self, x):
        return self.l1 * ops.sum(ops.abs(_tensor(x)))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """`l2 * sum(x**2)`; default l2=0.01."""

    def __init__(self, l2=0.01, **kwargs):
        l2 = kwargs.pop("l", l2)
        if kwargs:
            raise TypeError(f"L2: unexpected keyword argument(s) {sorted(kwargs)}.")
        self.l2 = _penalty_factor(0.01 if l2 is None else l2, "l2")

    def __call__(self, x):
        return self.l2 * ops.sum(ops.square(_tensor(x)))

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Penalizes non-orthogonal rows (mode="rows") or columns (mode="columns") of a
    2-D weight: `factor * mean |cos(angle)|` over the distinct pairs."""

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _penalty_factor(factor, "factor")
        if mode not in ("rows", "columns"):
            raise ValueError(f"OrthogonalRegularizer: mode must be 'rows' or 'columns'; "
                             f"received mode={mode!r}.")
        self.mode = mode

    def __call__(self, x):
        x = _tensor(x)
        if len(x.shape) != 2:
            raise ValueError(f"OrthogonalRegularizer needs a 2-D weight; received a tensor "
                             f"of shape {tuple(x.shape)}.")
        axis = 1 if self.mode == "rows" else 0
        eps = config.epsilon()
        inv_norm = ops.minimum(
            1.0 / ops.sqrt(ops.sum(ops.square(x), axis=axis, keepdims=True)), 1.0 / eps)
        x = x * inv_norm
        if self.mode == "rows":
            product, size = ops.matmul(x, ops.transpose(x)), x.shape[0]
        else:
            product, size = ops.matmul(ops.transpose(x), x), x.shape[1]
        off_diagonal = product * (1.0 - ops.eye(size, dtype=ops.dtype(x)))
        num_pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * ops.sum(ops.abs(off_diagonal)) / num_pairs

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


def l1_l2(l1=0.01, l2=0.01):
    """Keras 2's `l1_l2`: an L1L2 with both factors defaulting to 0.01."""
    return L1L2(l1=l1, l2=l2)


l1 = L1
l2 = L2
orthogonal_regularizer = OrthogonalRegularizer

_LOOKUP = {
    "Regularizer": Regularizer, "L1": L1, "L2": L2, "L1L2": L1L2,
    "OrthogonalRegularizer": OrthogonalRegularizer,
    "l1": L1, "l2": L2, "l1l2": L1L2, "l1_l2": L1L2,
    "orthogonal_regularizer": OrthogonalRegularizer,
}
_REGISTRY = Registry("regularizer", "keras.regularizers", _LOOKUP, Regularizer)


def serialize(regularizer):
    return _REGISTRY.serialize(regularizer)


def deserialize(config, custom_objects=None):
    return _REGISTRY.deserialize(config, custom_objects)


def get(identifier):
    """A regularizer from None, a name ('l1', 'l2', 'l1_l2' …), a config dict, an
    instance or a callable."""
    return _REGISTRY.get(identifier)
