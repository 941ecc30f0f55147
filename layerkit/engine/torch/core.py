"""PyTorch engine core: Variable hooks, tensor conversion, cond, shape inference."""
import warnings

import numpy as np
import torch
from torch.overrides import TorchFunctionMode

from layerkit import config
from layerkit.engine.common import shape_inference
from layerkit.engine.common import variables as common_variables
from layerkit.engine.common.dtypes import default_dtype, standardize_dtype
from layerkit.engine.common.stateless_scope import StatelessScope
from layerkit.engine.torch import conv_channels_last

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
    # The strides the values are kept in where an op reads the Variable in another
    # memory order than its shape's (see keep_memory_order); None: as they come.
    _strides = None

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
        if self._strides is not None and value.stride() != self._strides:
            value = self._in_memory_order(value)
        if self._trainable or value.requires_grad:
            value = self._as_leaf(value)
        self._value = value

    def _in_memory_order(self, value):
        if type(value) is not torch.Tensor:     # a DTensor (model_parallel.py) stays
            return value
        with torch.no_grad():
            return torch.empty_strided(value.shape, self._strides, dtype=value.dtype,
                                       device=value.device).copy_(value)

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


def keep_memory_order(variable, like=None, order=None):
    """Keeps `variable`'s values in a memory order other than its shape's: `order`
    lists its axes outermost first (a conv kernel (spatial..., in, out) in torch's
    (out, in, spatial...) weight order: keep_conv_kernel_layout below),
    or `like` names a Variable whose order it shares (an optimizer slot beside its
    variable: the update's list ops then take torch's fast path on one layout). The
    step's own values keep that order (torch's elementwise ops follow their inputs'
    layout); other values (set_weights, a loaded file) are copied into it."""
    if like is not None:
        strides = like._strides if isinstance(like, Variable) else None
        if strides is None or tuple(variable.shape) != tuple(like.shape):
            return
    else:
        strides = [0] * len(order)
        step = 1
        for axis in reversed(order):
            strides[axis] = step
            step *= variable.shape[axis]
    variable._strides = tuple(strides)
    variable._direct_assign(variable._value)


def keep_conv_kernel_layout(variable, depthwise=False, *, data_format=None, strides=1,
                            groups=1):
    """Keeps a conv kernel Variable (spatial..., in, out) in the memory of torch's
    (out, in, spatial...) weight: the permute in engine/torch/nn.py's `_conv` is then
    contiguous as it is (no copy of each kernel per step), and the kernel's gradient
    (that permute of torch's weight gradient), its update and its optimizer slots
    share one layout. A transposed conv's kernel (spatial..., out, in) takes the same
    order, torch's (in, out, spatial...). A depthwise kernel (spatial..., in,
    multiplier) is kept as (in, multiplier, spatial...), which is torch's grouped
    weight (in * multiplier, 1, spatial...) once its two channel axes are merged.
    A conv layer passes its `data_format`, `strides` and `groups`: where those let it
    run on channels_last data in that layout (engine/torch/conv_channels_last.py), its
    kernel keeps torch's channels_last weight memory instead, (out, spatial..., in).
    (A depthwise kernel's order is that weight already: it has one input channel.)"""
    n = len(variable.shape) - 2
    if not depthwise and data_format is not None and \
            config.standardize_data_format(data_format) == "channels_last":
        strides = (strides,) * n if isinstance(strides, int) else tuple(strides)
        if conv_channels_last.reads_in_place(n, variable.shape[n] * groups,
                                             tuple(variable.shape[:n]), strides, groups):
            keep_memory_order(variable, order=conv_channels_last.kernel_memory_order(n))
            return
    order = (n, n + 1) if depthwise else (n + 1, n)
    keep_memory_order(variable, order=order + tuple(range(n)))


def convert_to_tensor(x, dtype=None, sparse=None):
    if sparse:
        raise ValueError("convert_to_tensor: sparse=True is not supported with the torch "
                         "engine (as in Keras 3's torch backend); leave sparse unset.")
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
        if hasattr(x, "full_tensor"):   # a DTensor (ModelParallel): the whole value
            x = x.full_tensor()
        if x.device.type != "cpu":
            x = x.cpu()
        if x.dtype == torch.bfloat16:
            x = x.float()
        if not x.is_contiguous():    # a conv kernel kept in torch's order: a plain array
            x = x.contiguous()
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


def _any_meta(items):
    for x in items:
        if isinstance(x, torch.Tensor):
            if x.is_meta:
                return True
        elif isinstance(x, (list, tuple)) and _any_meta(x):
            return True
    return False


def _to_meta(x):
    if isinstance(x, common_variables.Variable):
        x = x.value
    if isinstance(x, torch.Tensor):
        return x if x.is_meta else x.to("meta")
    if isinstance(x, (list, tuple)):
        return type(x)(_to_meta(v) for v in x)
    return x


class _MetaMode(TorchFunctionMode):
    """Keeps a computation on `meta` tensors (shapes and dtypes, no data): a real
    tensor that meets a meta one in a torch call (a Variable's value, a constant) is
    replaced by a meta tensor of its shape. Real tensors alone stay real, so a seed
    read with `.tolist()` still works."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if _any_meta(args) or _any_meta(kwargs.values()):
            args = _to_meta(args)
            kwargs = {k: _to_meta(v) for k, v in kwargs.items()}
        return func(*args, **kwargs)


# What fell back to real tensors, and why: {function name: error}; read by tests.
META_FALLBACKS = {}


def _evaluate(call, specs):
    """`call` run on `meta` tensors (no compute, no memory), under a fresh stateless
    scope so Variable assigns do not reach the Variables.

    Some computations cannot run on meta: data-dependent ones (`.item()`, `bool()` of
    a tensor as in `cond`, `nonzero`, `unique`, boolean masks) and the few kernels
    without a meta implementation. Those run once more on real zero tensors of the
    same shapes on the default device (the cost the meta path avoids); the function
    and error are recorded in META_FALLBACKS and warned about once per function. (No
    layer of the catalog needs it today: the whole test suite runs on meta.)"""
    with torch.no_grad(), StatelessScope():
        try:
            with _MetaMode():
                return call([torch.empty(s, dtype=to_torch_dtype(d), device="meta")
                             for s, d in specs])
        except Exception as e:
            name = getattr(call, "__qualname__", repr(call))
            error = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
    with torch.no_grad(), StatelessScope():
        out = call([torch.zeros(s, dtype=to_torch_dtype(d), device=DEVICE) for s, d in specs])
    if name not in META_FALLBACKS:
        warnings.warn(f"Shape inference of {name} ran on real zero tensors, because it "
                      f"cannot run on PyTorch's meta tensors ({error}); it computed and "
                      "allocated its outputs for a batch of 83.", stacklevel=2)
    META_FALLBACKS[name] = error
    return out


def compute_output_spec(fn, *args, **kwargs):
    """Output SymbolicTensors of `fn` for symbolic inputs (engine/common/shape_inference.py),
    evaluated on `meta` tensors."""
    return shape_inference.compute_output_spec(_evaluate, fn, args, kwargs)


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
        # Called inside an outer autograd pass (K.gradients in a Lambda, in a training
        # step) the gradient must itself be differentiable, as jax.grad under jax.grad
        # is: arguments that are part of the outer graph stay connected and the
        # gradient is built with create_graph.
        outer = torch.is_grad_enabled()
        nested = []

        def leaf(x):
            t = convert_to_tensor(x)
            if outer and t.requires_grad:
                nested.append(True)
            else:
                t = t.detach().requires_grad_(True)
            leaves.append(t)
            return t

        for i in nums:
            args[i] = _tree_map(leaf, args[i])
        with torch.enable_grad():
            out = fn(*args)
            value = out[0] if has_aux else out
            grads = torch.autograd.grad(value, leaves, allow_unused=True,
                                        create_graph=bool(nested)) if leaves else ()
        grads = iter([torch.zeros_like(l) if g is None else g for g, l in zip(grads, leaves)])
        structured = [_tree_map(lambda _: next(grads), args[i]) for i in nums]
        value = value if nested else value.detach()
        result = (value, out[1]) if has_aux else value
        return result, (structured[0] if isinstance(argnums, int) else tuple(structured))

    return wrapped


def jit(fn, static_argnums=()):
    """PyTorch runs eagerly: `fn` itself (kept so engine-neutral code can ask)."""
    return fn
