"""The one Variable class. An engine subclasses it and overrides three hooks:
`_initialize(value)`, `_direct_assign(value)` and `_convert_to_tensor(value, dtype)`.
"""
import numpy as np

from layerkit.engine.common import naming
from layerkit.engine.common.name_scope import current_path
from layerkit.engine.common.dtypes import standardize_dtype
from layerkit.engine.common.autocast_scope import ACTIVE, get_autocast_scope
from layerkit.engine.common.stateless_scope import OPEN, SCOPES


class Variable:
    def __init__(self, initializer, shape=None, dtype=None, trainable=True, name=None,
                 constraint=None, autocast=True):
        self.name = name or naming.uniquify("variable")
        if not isinstance(self.name, str) or "/" in self.name:
            raise ValueError(f"Variable: the name must be a string without '/'; "
                             f"received {self.name!r}.")
        # Keras 3's path: the open name scopes (layers being built), then the name.
        parent = current_path()
        self.path = f"{parent}/{self.name}" if parent else self.name
        self._dtype = standardize_dtype(dtype if dtype is not None else
                                        getattr(initializer, "dtype", None))
        self._trainable = bool(trainable)
        self.constraint = constraint
        self.autocast = autocast
        if callable(initializer):
            if shape is None:
                raise ValueError(
                    f"Variable {self.name!r}: a callable initializer needs a `shape`.")
            shape = tuple(int(d) for d in shape)
            value = initializer(shape, dtype=self._dtype)
        else:
            value = initializer
        value = self._convert_to_tensor(value, self._dtype)
        if shape is not None and tuple(value.shape) != tuple(shape):
            raise ValueError(
                f"Variable {self.name!r}: initial value has shape {tuple(value.shape)}, "
                f"expected {tuple(shape)}.")
        self._shape = tuple(int(d) for d in value.shape)
        self._initialize(value)

    # --- engine hooks -------------------------------------------------
    def _initialize(self, value):
        raise NotImplementedError

    def _direct_assign(self, value):
        raise NotImplementedError

    def _convert_to_tensor(self, value, dtype=None):
        raise NotImplementedError

    # --- reading ------------------------------------------------------
    @property
    def value(self):
        if OPEN:
            stack = SCOPES.stack
            if stack:
                v = stack[-1].get_current_value(self)
                if v is not None:
                    return self._maybe_autocast(v) if ACTIVE else v
        if ACTIVE:
            return self._maybe_autocast(self._value)
        return self._value

    def _maybe_autocast(self, value):
        scope = get_autocast_scope()
        if scope is None or not self.autocast:
            return value
        return scope.maybe_cast(value, self._dtype)

    def numpy(self):
        from layerkit.engine import convert_to_numpy
        return convert_to_numpy(self.value)

    def __array__(self, dtype=None, copy=None):
        out = self.numpy()
        return out.astype(dtype) if dtype is not None else out

    @property
    def shape(self):
        return self._shape

    @property
    def ndim(self):
        return len(self._shape)

    @property
    def dtype(self):
        # Inside an autocast scope a float Variable reads (and reports) the scope's dtype.
        if ACTIVE and self.autocast:
            scope = get_autocast_scope()
            if scope is not None and scope.dtype is not None and \
                    self._dtype.startswith(("float", "bfloat")):
                return scope.dtype
        return self._dtype

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)

    # --- writing ------------------------------------------------------
    def assign(self, value):
        value = self._convert_to_tensor(value, self._dtype)
        if tuple(value.shape) != self._shape:
            raise ValueError(
                f"Variable {self.path!r} has shape {self._shape}; cannot assign a value "
                f"of shape {tuple(value.shape)}.")
        stack = SCOPES.stack if OPEN else None
        if stack:
            stack[-1].add_update(self, value)
        else:
            self._direct_assign(value)
        return value

    def assign_add(self, value):
        return self.assign(self.value + self._convert_to_tensor(value, self._dtype))

    def assign_sub(self, value):
        return self.assign(self.value - self._convert_to_tensor(value, self._dtype))

    def __repr__(self):
        return (f"<Variable path={self.path}, shape={self._shape}, dtype={self._dtype}, "
                f"value={np.array2string(self.numpy(), threshold=6)}>")

    # --- arithmetic delegates to the engine tensor ------------------------
    def __add__(self, other): return self.value + _unwrap(other)
    def __radd__(self, other): return _unwrap(other) + self.value
    def __sub__(self, other): return self.value - _unwrap(other)
    def __rsub__(self, other): return _unwrap(other) - self.value
    def __mul__(self, other): return self.value * _unwrap(other)
    def __rmul__(self, other): return _unwrap(other) * self.value
    def __truediv__(self, other): return self.value / _unwrap(other)
    def __rtruediv__(self, other): return _unwrap(other) / self.value
    def __pow__(self, other): return self.value ** _unwrap(other)
    def __neg__(self): return -self.value
    def __matmul__(self, other): return self.value @ _unwrap(other)
    def __rmatmul__(self, other): return _unwrap(other) @ self.value
    def __getitem__(self, idx): return self.value[idx]
    def __lt__(self, other): return self.value < _unwrap(other)
    def __le__(self, other): return self.value <= _unwrap(other)
    def __gt__(self, other): return self.value > _unwrap(other)
    def __ge__(self, other): return self.value >= _unwrap(other)
    def __float__(self): return float(self.numpy())
    def __int__(self): return int(self.numpy())
    def __len__(self): return self._shape[0]
    __hash__ = object.__hash__


def _unwrap(x):
    return x.value if isinstance(x, Variable) else x
