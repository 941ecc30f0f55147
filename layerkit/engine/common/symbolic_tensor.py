"""SymbolicTensor: a shape and dtype with no data, the edges of a functional graph."""
from layerkit.engine.common.dtypes import standardize_dtype

# How an operation on symbolic tensors becomes a graph node. The graph lives above
# the seam, so `layerkit.layers` registers the recorder when it is imported (the only
# way to get a symbolic tensor to operate on is through it: Input, a layer call).
_OP_RECORDER = []


def set_op_recorder(record):
    """Registers `record(op_name, args, kwargs) -> outputs`, called for an op (a
    `layerkit.ops` function or Python arithmetic) with a symbolic argument."""
    _OP_RECORDER[:] = [record]


def record_op(name, args, kwargs):
    if not _OP_RECORDER:
        raise RuntimeError(
            f"Cannot record the operation {name!r} on a symbolic tensor: no graph recorder "
            "is registered (import layerkit.layers first).")
    return _OP_RECORDER[0](name, args, kwargs)


class SymbolicTensor:
    # numpy defers to our reflected operators (np.ones(3) + x builds a graph node).
    __array_ufunc__ = None
    # Set on the results of K.gradients: (the gradients record, source index). Such a
    # tensor is evaluated by K.function, not by a layer call.
    _gradient = None
    # The spec of this tensor's Keras mask (a SymbolicTensor), set by the layer call
    # that made it; None: not masked.
    _keras_mask = None

    def __init__(self, shape, dtype="float32", name=None, history=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = standardize_dtype(dtype)
        self.name = name
        # (layer, node_index, tensor_index) of the call that produced it.
        self._history = history

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<SymbolicTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __len__(self):
        raise TypeError(
            "A symbolic tensor has no length; it stands for data that arrives at run time. "
            "Use `x.shape` instead.")

    def __iter__(self):
        raise TypeError("A symbolic tensor cannot be iterated over.")

    def __bool__(self):
        raise TypeError("A symbolic tensor has no truth value; use `layerkit.ops.cond` or "
                        "a Lambda layer for data-dependent logic.")

    # Arithmetic on symbolic tensors records an operation node in the graph.
    def _op(self, name, *args):
        return record_op(name, args, {})

    def __add__(self, o): return self._op("add", self, o)
    def __radd__(self, o): return self._op("add", o, self)
    def __sub__(self, o): return self._op("subtract", self, o)
    def __rsub__(self, o): return self._op("subtract", o, self)
    def __mul__(self, o): return self._op("multiply", self, o)
    def __rmul__(self, o): return self._op("multiply", o, self)
    def __truediv__(self, o): return self._op("divide", self, o)
    def __rtruediv__(self, o): return self._op("divide", o, self)
    def __pow__(self, o): return self._op("power", self, o)
    def __rpow__(self, o): return self._op("power", o, self)
    def __rmatmul__(self, o): return self._op("matmul", o, self)
    def __neg__(self): return self._op("negative", self)
    def __matmul__(self, o): return self._op("matmul", self, o)
    def __getitem__(self, key): return self._op("getitem", self, key)
    def __abs__(self): return self._op("abs", self)
    def __floordiv__(self, o): return self._op("floor_divide", self, o)
    def __rfloordiv__(self, o): return self._op("floor_divide", o, self)
    def __mod__(self, o): return self._op("mod", self, o)
    def __rmod__(self, o): return self._op("mod", o, self)
    def __lt__(self, o): return self._op("less", self, o)
    def __le__(self, o): return self._op("less_equal", self, o)
    def __gt__(self, o): return self._op("greater", self, o)
    def __ge__(self, o): return self._op("greater_equal", self, o)
    __hash__ = object.__hash__


def is_symbolic(x):
    return isinstance(x, SymbolicTensor)


def any_symbolic(args):
    """True if any leaf in a (nested) list/tuple/dict is a SymbolicTensor."""
    if isinstance(args, SymbolicTensor):
        return True
    if isinstance(args, (list, tuple)):
        return any(any_symbolic(a) for a in args)
    if isinstance(args, dict):
        return any(any_symbolic(a) for a in args.values())
    return False
