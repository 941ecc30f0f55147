"""PyTorch engine core: Variable hooks, tensor conversion, cond, shape inference."""
import numpy as np
import torch

from layerkit.engine.common import variables as common_variables
from layerkit.engine.common.dtypes import default_dtype, standardize_dtype
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.engine.common.stateless_scope import StatelessScope

NAME = "torch"
DEVICE = "cuda" if torch.cuda.is_available() else "cpu"

_TORCH_DTYPES = {
    "float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32,
    "float64": torch.float64, "uint8": torch.uint8, "uint16": torch.uint16,
    "uint32": torch.uint32, "uint64": torch.uint64, "int8": torch.int8,
    "int16": torch.int16, "int32": torch.int32, "int64": torch.int64, "bool": torch.bool,
    "complex64": torch.complex64, "complex128": torch.complex128,
}


def to_torch_dtype(dtype):
    if isinstance(dtype, torch.dtype):
        return dtype
    found = _TORCH_DTYPES.get(dtype)
    return found if found is not None else _TORCH_DTYPES[standardize_dtype(dtype)]


class Variable(common_variables.Variable):
    def _initialize(self, value):
        self._value = self._as_leaf(value)

    def _as_leaf(self, value):
        if value.requires_grad:
            value = value.detach()
        if self._trainable and value.is_floating_point():
            value.requires_grad_(True)
        return value

    def _direct_assign(self, value):
        # Rebinding (no copy): the step computes new values under no_grad and
        # each becomes the new leaf that the next forward pass differentiates.
        if self._trainable or value.requires_grad:
            value = self._as_leaf(value)
        self._value = value

    def _convert_to_tensor(self, value, dtype=None):
        # Fast path for the optimizer's assigns: already a tensor of our dtype.
        if isinstance(value, torch.Tensor) and value.dtype == getattr(self, "_torch_dtype", None):
            return value
        out = convert_to_tensor(value, dtype=dtype)
        if dtype is not None and not hasattr(self, "_torch_dtype"):
            self._torch_dtype = out.dtype
        return out

    @common_variables.Variable.trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        if hasattr(self, "_value") and self._value.is_floating_point():
            self._value.requires_grad_(self._trainable)

    # Lets torch functions take a Variable directly.
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        def unwrap(x):
            if isinstance(x, common_variables.Variable):
                return x.value
            if isinstance(x, (list, tuple)):
                return type(x)(unwrap(v) for v in x)
            return x
        return func(*unwrap(args), **unwrap(kwargs or {}))


def convert_to_tensor(x, dtype=None, sparse=None):
    if type(x) is torch.Tensor or isinstance(x, torch.Tensor):
        if dtype is not None:
            dt = to_torch_dtype(dtype)
            if x.dtype != dt:
                return x.to(dt)
        return x
    if isinstance(x, common_variables.Variable):
        return convert_to_tensor(x.value, dtype)
    if dtype is None:
        dtype = default_dtype(x)
    dt = None if dtype is None else to_torch_dtype(dtype)
    if isinstance(x, np.ndarray):
        if x.dtype == np.uint32 or x.dtype == np.uint16 or x.dtype == np.uint64:
            x = x.astype(np.int64)
        if x.dtype == object:
            raise TypeError(f"Cannot convert an array of dtype object to a tensor: {x!r:.80}")
        # ascontiguousarray turns a 0-d array into shape (1,): keep the shape.
        t = torch.from_numpy(x if x.flags.c_contiguous else np.ascontiguousarray(x))
        if t.shape != x.shape:
            t = t.reshape(x.shape)
        if DEVICE != "cpu":
            t = t.to(DEVICE)
        return t if dt is None or t.dtype == dt else t.to(dt)
    if isinstance(x, (np.generic, list, tuple)) and dt is None:
        # numpy scalars and lists of arrays go through numpy, which finds their dtype.
        return convert_to_tensor(np.asarray(x))
    return torch.as_tensor(x, dtype=dt, device=DEVICE)


def convert_to_numpy(x):
    if isinstance(x, common_variables.Variable):
        x = x.value
    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.device.type != "cpu":
            x = x.cpu()
        if x.dtype == torch.bfloat16:
            x = x.float()
        return x.numpy()
    return np.asarray(x)


def is_tensor(x):
    return isinstance(x, torch.Tensor)


def cast(x, dtype):
    return convert_to_tensor(x, dtype=dtype)


def cond(pred, true_fn, false_fn):
    return true_fn() if bool(pred) else false_fn()


def stop_gradient(x):
    return convert_to_tensor(x).detach()


def _tree_map(fn, tree):
    if isinstance(tree, (list, tuple)):
        return type(tree)(_tree_map(fn, t) for t in tree)
    if isinstance(tree, dict):
        return {k: _tree_map(fn, v) for k, v in tree.items()}
    return fn(tree)


def _has_none(tree):
    found = []
    _tree_map(lambda x: found.append(isinstance(x, SymbolicTensor) and None in x.shape), tree)
    return any(found)


def compute_output_spec(fn, *args, **kwargs):
    """Output SymbolicTensors of `fn` for symbolic inputs, found by running it on
    small zero tensors (unknown dims tried at two sizes, like the JAX engine)."""
    results = []
    for fill in (2, 3):
        def concrete(x):
            if isinstance(x, SymbolicTensor):
                shp = tuple(fill if d is None else d for d in x.shape)
                return torch.zeros(shp, dtype=to_torch_dtype(x.dtype), device=DEVICE)
            return x
        c_args, c_kwargs = _tree_map(concrete, (args, kwargs))
        with torch.no_grad(), StatelessScope():
            results.append(fn(*c_args, **c_kwargs))
        if not _has_none((args, kwargs)):
            break

    def to_symbolic(a, b):
        if isinstance(a, (list, tuple)):
            return type(a)(to_symbolic(x, y) for x, y in zip(a, b))
        if isinstance(a, dict):
            return {k: to_symbolic(a[k], b[k]) for k in a}
        if a is None:
            return None
        shp = tuple(d1 if d1 == d2 else None for d1, d2 in zip(a.shape, b.shape))
        return SymbolicTensor(shp, standardize_dtype(a.dtype))

    return to_symbolic(results[0], results[-1])


def no_grad():
    """A block whose ops are not recorded by autograd (an optimizer update)."""
    return torch.no_grad()


def default_int_dtype():
    return "int64"


def value_and_grad(fn, argnums=0, has_aux=False):
    """`fn`'s value and its gradient with respect to the arguments `argnums` (lists or
    tuples of float tensors), as jax.value_and_grad: the arguments become fresh leaves,
    `fn` runs under autograd, and an argument `fn` does not use gets a zero gradient."""
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)

    def wrapped(*args):
        args = list(args)
        leaves = []

        def leaf(x):
            t = convert_to_tensor(x).detach().requires_grad_(True)
            leaves.append(t)
            return t

        for i in nums:
            args[i] = _tree_map(leaf, args[i])
        with torch.enable_grad():
            out = fn(*args)
            value = out[0] if has_aux else out
            grads = torch.autograd.grad(value, leaves, allow_unused=True) if leaves else ()
        grads = iter([torch.zeros_like(l) if g is None else g for g, l in zip(grads, leaves)])
        structured = [_tree_map(lambda _: next(grads), args[i]) for i in nums]
        value = value.detach()
        result = (value, out[1]) if has_aux else value
        return result, (structured[0] if isinstance(argnums, int) else tuple(structured))

    return wrapped


def jit(fn, static_argnums=()):
    """PyTorch runs eagerly: `fn` itself (kept so engine-neutral code can ask)."""
    return fn
