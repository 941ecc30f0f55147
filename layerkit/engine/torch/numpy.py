"""NumPy-like array ops on PyTorch (Keras 3 `keras.ops` names).

Each op converts only what is not already a tensor, so a call on tensors costs
one isinstance check over the torch function itself.
"""
import builtins

import numpy as np
import torch

from layerkit.engine.torch.core import convert_to_tensor, to_torch_dtype

_T = torch.Tensor


def _t(x):
    return x if isinstance(x, _T) else convert_to_tensor(x)


def _pair(a, b):
    """Converts a binary op's operands, letting Python scalars stay scalars. A bool
    tensor against a Python int is int32 (torch would make it int64), as Keras gives."""
    a, b = _convert_pair(a, b)
    if type(b) is int and a.dtype == torch.bool:
        return a.to(torch.int32), b
    if type(a) is int and b.dtype == torch.bool:
        return a, b.to(torch.int32)
    return a, b


def _convert_pair(a, b):
    if isinstance(a, _T):
        if isinstance(b, (_T, int, float, bool)):
            return a, b
        return a, convert_to_tensor(b)
    if isinstance(b, _T) and isinstance(a, (int, float, bool)):
        return a, b
    a = convert_to_tensor(a)
    b = b if isinstance(b, (int, float, bool)) else _t(b)
    return a, b


def _axis(axis):
    if isinstance(axis, list):
        return tuple(axis)
    return axis


def _unary(fn):
    return lambda x: fn(_t(x))


abs = absolute = _unary(lambda x: x.clone() if x.dtype == torch.bool else torch.abs(x))
negative = _unary(torch.neg)
reciprocal = _unary(torch.reciprocal)
square = _unary(lambda x: torch.square(x.to(torch.int32) if x.dtype == torch.bool else x))
sqrt = _unary(torch.sqrt)
exp = _unary(torch.exp)
expm1 = _unary(torch.expm1)
log = _unary(torch.log)
log1p = _unary(torch.log1p)
log2 = _unary(torch.log2)
log10 = _unary(torch.log10)
sign = _unary(torch.sign)
floor = _unary(lambda x: torch.floor(x if x.is_floating_point() else x.float()))
ceil = _unary(lambda x: torch.ceil(x if x.is_floating_point() else x.float()))
sin, cos, tan = _unary(torch.sin), _unary(torch.cos), _unary(torch.tan)
arcsin, arccos, arctan = _unary(torch.asin), _unary(torch.acos), _unary(torch.atan)
sinh, cosh, tanh = _unary(torch.sinh), _unary(torch.cosh), _unary(torch.tanh)
isnan = _unary(torch.isnan)
isinf = _unary(torch.isinf)
isfinite = _unary(torch.isfinite)
logical_not = _unary(torch.logical_not)


def add(a, b):
    a, b = _pair(a, b)
    return a + b


def subtract(a, b):
    a, b = _pair(a, b)
    # torch refuses `-` on bool tensors; Keras treats bools as int32 here.
    if isinstance(a, _T) and a.dtype == torch.bool:
        a = a.to(torch.int32)
    if isinstance(b, _T) and b.dtype == torch.bool:
        b = b.to(torch.int32)
    return a - b


def multiply(a, b):
    a, b = _pair(a, b)
    return a * b


def divide(a, b):
    a, b = _pair(a, b)
    return torch.true_divide(a, b) if isinstance(a, _T) else torch.true_divide(_t(a), b)


true_divide = divide


def floor_divide(a, b):
    a, b = _pair(a, b)
    return a // b


def mod(a, b):
    a, b = _pair(a, b)
    return a % b


def power(a, b):
    a, b = _pair(a, b)
    return a ** b


def arctan2(a, b):
    return torch.atan2(_t(a), _t(b))


def _binary(fn):
    def op(a, b):
        a, b = _t(a), _t(b)
        return fn(a, b)
    return op


def _scalar_ok(binary):
    """A comparison that takes a Python number as is (no 0-d tensor to make)."""
    def op(a, b):
        if isinstance(a, _T) and isinstance(b, (int, float)):
            return binary(a, b)
        return binary(_t(a), _t(b))
    return op


def _extremum(binary, clamp):
    """maximum/minimum: against a Python number it is one clamp (kept for the
    promotions clamp does not do: an integer tensor against a float)."""
    def op(a, b):
        if isinstance(b, _T) and not isinstance(a, _T):
            a, b = b, a
        if isinstance(a, _T) and isinstance(b, (int, float)) and not isinstance(b, bool) \
                and (a.is_floating_point() or isinstance(b, int)):
            return clamp(a, b)
        return binary(_t(a), _t(b))
    return op


maximum = _extremum(torch.maximum, torch.clamp_min)
minimum = _extremum(torch.minimum, torch.clamp_max)
equal = _scalar_ok(torch.eq)
not_equal = _scalar_ok(torch.ne)
greater = _scalar_ok(torch.gt)
greater_equal = _scalar_ok(torch.ge)
less = _scalar_ok(torch.lt)
less_equal = _scalar_ok(torch.le)
logical_and = _binary(torch.logical_and)
logical_or = _binary(torch.logical_or)
logical_xor = _binary(torch.logical_xor)


def matmul(a, b):
    """int8 @ int8 accumulates and returns int32, as Keras gives."""
    a, b = _t(a), _t(b)
    if a.dtype == torch.int8 and b.dtype == torch.int8:
        a, b = a.to(torch.int32), b.to(torch.int32)
    elif a.dtype != b.dtype:
        dtype = torch.promote_types(a.dtype, b.dtype)
        a, b = a.to(dtype), b.to(dtype)
    return torch.matmul(a, b)


def outer(a, b):
    """numpy.outer: the inputs are flattened first; their dtypes promoted."""
    a, b = _t(a).flatten(), _t(b).flatten()
    dtype = torch.promote_types(a.dtype, b.dtype)
    return torch.outer(a.to(dtype), b.to(dtype))


def dot(a, b):
    a, b = _t(a), _t(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim == 1 or a.ndim == 1:
        return torch.matmul(a, b)
    # numpy.dot contracts a's last axis with b's second-to-last.
    return torch.tensordot(a, b, dims=([a.ndim - 1], [b.ndim - 2]))


def tensordot(a, b, axes=2):
    """Operands of mixed dtypes are promoted first (bool to int32), as Keras gives."""
    a, b = _t(a), _t(b)
    dtype = torch.promote_types(a.dtype, b.dtype)
    dtype = torch.int32 if dtype == torch.bool else dtype
    return torch.tensordot(a.to(dtype), b.to(dtype), dims=axes)


def einsum(subscripts, *operands):
    """Operands of mixed dtypes are promoted; all-int8 operands give int32, as Keras."""
    operands = [_t(o) for o in operands]
    dtype = operands[0].dtype
    for o in operands[1:]:
        dtype = torch.promote_types(dtype, o.dtype)
    if builtins.all(o.dtype == torch.int8 for o in operands):
        dtype = torch.int32
    return torch.einsum(subscripts, *[o.to(dtype) for o in operands])


def where(condition, x1=None, x2=None):
    condition = _t(condition).bool()
    if x1 is None and x2 is None:
        return tuple(i.to(torch.int32) for i in torch.nonzero(condition, as_tuple=True))
    x1, x2 = _pair(x1, x2) if isinstance(x1, _T) or isinstance(x2, _T) else (_t(x1), _t(x2))
    return torch.where(condition, x1, x2)


def reshape(x, newshape):
    if isinstance(newshape, int):
        newshape = (newshape,)
    return torch.reshape(_t(x), tuple(-1 if d is None else d for d in newshape))


def transpose(x, axes=None):
    x = _t(x)
    if axes is None:
        return x.permute(*reversed(range(x.ndim)))
    return x.permute(*axes)


def swapaxes(x, axis1, axis2):
    return torch.swapaxes(_t(x), axis1, axis2)


def moveaxis(x, source, destination):
    return torch.moveaxis(_t(x), source, destination)


def expand_dims(x, axis):
    x = _t(x)
    if isinstance(axis, (list, tuple)):
        for a in sorted(a if a >= 0 else a + x.ndim + len(axis) for a in axis):
            x = x.unsqueeze(a)
        return x
    return x.unsqueeze(axis)


def squeeze(x, axis=None):
    x = _t(x)
    if axis is None:
        return x.squeeze()
    return x.squeeze(_axis(axis))


def _tensors(xs):
    xs = [_t(x) for x in xs]
    dt = xs[0].dtype
    for x in xs[1:]:
        dt = torch.promote_types(dt, x.dtype)
    return [x.to(dt) if x.dtype != dt else x for x in xs]


def concatenate(xs, axis=0):
    return torch.cat(_tensors(xs), dim=axis)


def stack(xs, axis=0):
    return torch.stack(_tensors(xs), dim=axis)


def hstack(xs):
    return torch.hstack(_tensors(xs))


def vstack(xs):
    return torch.vstack(_tensors(xs))


def split(x, indices_or_sections, axis=0):
    x = _t(x)
    if isinstance(indices_or_sections, int):
        n = x.shape[axis]
        if n % indices_or_sections:
            raise ValueError(f"split: axis {axis} of size {n} does not divide into "
                             f"{indices_or_sections} equal sections.")
        return list(torch.split(x, n // indices_or_sections, dim=axis))
    bounds = [0] + list(indices_or_sections) + [x.shape[axis]]
    return [x.narrow(axis, s, e - s) for s, e in zip(bounds[:-1], bounds[1:])]


def tile(x, repeats):
    x = _t(x)
    if isinstance(repeats, int):
        repeats = (repeats,)
    return torch.tile(x, tuple(repeats))


def repeat(x, repeats, axis=None):
    x = _t(x)
    if axis is None:
        x = x.flatten()
        axis = 0
    if not isinstance(repeats, int):
        repeats = _t(repeats)
    return torch.repeat_interleave(x, repeats, dim=axis)


def flip(x, axis=None):
    x = _t(x)
    if axis is None:
        axis = tuple(range(x.ndim))
    elif isinstance(axis, int):
        axis = (axis,)
    return torch.flip(x, dims=tuple(axis))


def roll(x, shift, axis=None):
    return torch.roll(_t(x), shift, dims=axis)


def broadcast_to(x, shape):
    return torch.broadcast_to(_t(x), tuple(shape))


def take(x, indices, axis=None):
    """numpy.take: negative indices count from the end."""
    x, indices = _t(x), _t(indices).long()
    if axis is None:
        x = x.flatten()
        axis = 0
    size = x.shape[axis]
    indices = torch.where(indices < 0, indices + size, indices)
    if x.ndim == 1:
        return x[indices]
    return torch.index_select(x, axis, indices.flatten()).reshape(
        x.shape[:axis % x.ndim] + indices.shape + x.shape[axis % x.ndim + 1:])


def take_along_axis(x, indices, axis=None):
    x, indices = _t(x), _t(indices).long()
    if axis is None:
        return torch.take_along_dim(x.flatten(), indices.flatten())
    return torch.take_along_dim(x, indices, dim=axis)


_PAD_MODES = ("constant", "reflect", "symmetric", "edge", "wrap")


def _pad_index(size, before, after, mode):
    """numpy.pad's source index for each position of a padded axis."""
    i = np.arange(-before, size + after)
    if mode == "edge":
        return np.clip(i, 0, size - 1)
    if mode == "wrap":
        return i % size
    if mode == "reflect":          # edge not repeated: period 2 (size - 1)
        if size == 1:
            return np.zeros_like(i)
        i = i % (2 * (size - 1))
        return np.where(i < size, i, 2 * (size - 1) - i)
    i = i % (2 * size)             # symmetric: edge repeated, period 2 size
    return np.where(i < size, i, 2 * size - 1 - i)


def pad(x, pad_width, mode="constant", constant_values=0):
    """numpy.pad on any rank: constant by torch's pad, the other modes as one gather
    per padded axis (torch's own reflect/replicate pad only the last 1-3 axes of 2-5-D
    inputs)."""
    x = _t(x)
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be one of {_PAD_MODES}; received {mode!r}.")
    pad_width = np.broadcast_to(np.asarray(pad_width, dtype=int), (x.ndim, 2))
    if mode == "constant":
        flat = []
        for before, after in reversed(pad_width.tolist()):
            flat += [before, after]
        return torch.nn.functional.pad(x, flat, mode="constant", value=constant_values)
    for axis, (before, after) in enumerate(pad_width.tolist()):
        if before or after:
            index = torch.as_tensor(_pad_index(x.shape[axis], before, after, mode),
                                    device=x.device)
            x = torch.index_select(x, axis, index)
    return x


def tril(x, k=0):
    return torch.tril(_t(x), diagonal=k)


def triu(x, k=0):
    return torch.triu(_t(x), diagonal=k)


def diag(x, k=0):
    return torch.diag(_t(x), diagonal=k)


def round(x, decimals=0):
    x = _t(x)
    if not (x.is_floating_point() or x.is_complex()):
        # torch has no integer round; decimals >= 0 leave integers as they are.
        if decimals >= 0:
            return x.clone()
        scale = 10 ** -decimals
        return (torch.round(x.double() / scale) * scale).to(x.dtype)
    return torch.round(x, decimals=decimals)


def clip(x, x_min, x_max):
    x = _t(x)
    lo = x_min if not isinstance(x_min, np.ndarray) else _t(x_min)
    hi = x_max if not isinstance(x_max, np.ndarray) else _t(x_max)
    return torch.clamp(x, lo, hi)


def ndim(x):
    return _t(x).ndim


def size(x):
    return _t(x).numel()


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    return torch.nan_to_num(_t(x), nan=nan, posinf=posinf, neginf=neginf)


def erf(x):
    return torch.erf(_t(x))


def slice(x, start_indices, shape):
    x = _t(x)
    idx = tuple(builtins.slice(int(s), int(s) + int(n)) for s, n in zip(start_indices, shape))
    return x[idx]


def scatter(indices, values, shape):
    values = _t(values)
    out = torch.zeros(tuple(shape), dtype=values.dtype, device=values.device)
    key = tuple(_t(indices).long().moveaxis(-1, 0))
    return out.index_put_(key, values, accumulate=True)


_SCATTER = {"add": "sum", "max": "amax", "min": "amin", "mul": "prod"}


def scatter_update(inputs, indices, updates, reduction=None):
    """`inputs` with `updates` written (or, with `reduction`, combined by add, max,
    min or mul) at `indices`, a (..., rank) int tensor of positions."""
    if reduction is not None and reduction not in _SCATTER:
        raise ValueError(f"scatter_update: reduction must be None, 'add', 'max', 'min' or "
                         f"'mul'; received {reduction!r}.")
    out = _t(inputs).clone()
    indices = _t(indices).long()
    updates = _t(updates).to(out.dtype)
    if reduction is None:
        out[tuple(indices.moveaxis(-1, 0))] = updates
        return out
    # Positions flattened over the indexed leading axes; each combines its updates.
    rank = indices.shape[-1]
    lead, rest = out.shape[:rank], out.shape[rank:]
    strides = torch.tensor([int(np.prod(lead[i + 1:])) for i in range(rank)],
                           device=out.device)
    flat_index = (indices * strides).sum(-1).reshape(-1)
    flat = out.reshape((-1,) + tuple(rest))
    values = updates.reshape((-1,) + tuple(rest))
    index = flat_index.reshape((-1,) + (1,) * len(rest)).expand_as(values)
    return flat.scatter_reduce(0, index, values, reduce=_SCATTER[reduction],
                               include_self=True).reshape(out.shape)


def diagonal(x, offset=0, axis1=0, axis2=1):
    return torch.diagonal(_t(x), offset=offset, dim1=axis1, dim2=axis2)




def trace(x, offset=0, axis1=0, axis2=1):
    """The diagonal's sum, with sum's dtypes (bool and small ints int32, unsigned
    ones uint32, as Keras gives)."""
    from layerkit.engine.torch.reductions import sum as _sum
    return _sum(torch.diagonal(_t(x), offset=offset, dim1=axis1, dim2=axis2), axis=-1)


def conj(x):
    x = _t(x)
    # conj_physical: torch.conj's lazy view cannot be read back to numpy.
    return torch.conj_physical(x) if x.is_complex() else x


def real(x):
    x = _t(x)
    return torch.real(x) if x.is_complex() else x


def imag(x):
    x = _t(x)
    return torch.imag(x) if x.is_complex() else torch.zeros_like(x)


def logaddexp(x1, x2):
    """log(exp(x1) + exp(x2)) without overflow; integer inputs give float32."""
    x1, x2 = _t(x1), _t(x2)
    dtype = torch.promote_types(x1.dtype, x2.dtype)
    if not dtype.is_floating_point:
        dtype = torch.float32
    work = torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype
    return torch.logaddexp(x1.to(work), x2.to(work)).to(dtype)


from layerkit.engine.torch.reductions import (  # noqa: E402,F401
    all, amax, amin, any, argmax, argmin, argsort, average, count_nonzero, cumprod, cumsum,
    logsumexp, max, mean, min, norm, prod, segment_sum, sort, std, sum, top_k, var)
from layerkit.engine.torch.numpy_data_dependent import nonzero, quantile, unique  # noqa: E402,F401
from layerkit.engine.torch.numpy_creation import (  # noqa: E402,F401
    arange, array, copy, empty, eye, full, full_like, identity, linspace, meshgrid, ones,
    ones_like, zeros, zeros_like)
