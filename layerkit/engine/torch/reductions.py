"""Reductions, sorts and scans on PyTorch (Keras 3 `keras.ops` names), re-exported by
numpy.py. Result dtypes follow Keras 3 (JAX's numpy rules) where torch's differ:
sums and products of bool and small ints accumulate in int32 (uint8 and uint16 in
uint32), cumulative ones keep an int dtype, and int32 stays int32 (torch widens to
int64); indices
(argmax, argsort, top_k, count_nonzero) are int32."""
import torch

from layerkit.engine.torch.core import convert_to_tensor, to_torch_dtype

_T = torch.Tensor
_INT32_ACCUMULATED = (torch.bool, torch.int8, torch.int16, torch.int32)
_UINT32_ACCUMULATED = (torch.uint8, torch.uint16, torch.uint32)


def _t(x):
    return x if isinstance(x, _T) else convert_to_tensor(x)


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _float(x):
    return x if x.is_floating_point() or x.is_complex() else x.float()


def _accumulator(x, dtype):
    """(dtype to compute in, dtype of the result) for sum/prod/cumsum/cumprod."""
    if dtype is not None:
        dtype = to_torch_dtype(dtype)
        return dtype, dtype
    if x.dtype in _INT32_ACCUMULATED:
        return torch.int32, torch.int32
    if x.dtype in _UINT32_ACCUMULATED:
        # torch has no uint32 kernels for these: computed in int64, stored as uint32.
        return torch.int64, torch.uint32
    return None, x.dtype


def _keep(out, x, keepdims):
    return out.reshape((1,) * x.ndim) if keepdims else out


def _in_memory_order(reduce, x, axis, keepdims, **kwargs):
    """reduce(x, axis) computed on x viewed in its memory's order, when x is a permuted
    view of dense memory (a conv's channels_last output kept channels-first). The
    backward pass then hands on a gradient in that same memory: reduced in the view's
    order, a mean's gradient came back transposed against the activations, and the relu
    backward beside it took 8x its time (87 against 10 us in the seed's Conv1D)."""
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    if not axes:
        return x     # no axis to reduce: numpy's and JAX's answer (torch's would reduce all)
    if x.is_contiguous() or x.ndim < 2:
        return reduce(x, dim=axes, keepdim=keepdims, **kwargs)
    strides = x.stride()
    order = sorted(range(x.ndim), key=lambda d: -strides[d])
    view = x.permute(order)
    if not view.is_contiguous():
        return reduce(x, dim=axes, keepdim=keepdims, **kwargs)
    axes = {a % x.ndim for a in axes}
    out = reduce(view, dim=tuple(order.index(a) for a in axes), keepdim=keepdims, **kwargs)
    kept = order if keepdims else [d for d in order if d not in axes]
    back = sorted(range(len(kept)), key=lambda i: kept[i])
    return out if back == list(range(len(kept))) else out.permute(back)


def sum(x, axis=None, keepdims=False):
    x = _t(x)
    work, result = _accumulator(x, None)
    if axis is None:
        out = _keep(torch.sum(x, dtype=work), x, keepdims)
    else:
        out = _in_memory_order(torch.sum, x, _axis(axis), keepdims, dtype=work)
    return out if out.dtype == result else out.to(result)


def prod(x, axis=None, keepdims=False):
    x = _t(x)
    work, result = _accumulator(x, None)
    if axis is None:
        out = _keep(torch.prod(x, dtype=work), x, keepdims)
    else:
        out = x
        # torch.prod reduces one axis at a time; the highest first keeps the others' places.
        for a in sorted(((axis,) if isinstance(axis, int) else tuple(axis)),
                        key=lambda a: a % x.ndim, reverse=True):
            out = torch.prod(out, dim=a % x.ndim, keepdim=keepdims, dtype=work)
    return out if out.dtype == result else out.to(result)


def _logical(fn):
    def reduce(x, axis=None, keepdims=False):
        x = _t(x)
        if axis is None:
            out = _keep(fn(x), x, keepdims)
        else:
            out = fn(x, dim=_axis(axis), keepdim=keepdims)
        # torch answers a uint8 input in uint8; JAX and Keras give bool.
        return out if out.dtype == torch.bool else out.to(torch.bool)
    return reduce


any = _logical(torch.any)
all = _logical(torch.all)


def mean(x, axis=None, keepdims=False):
    x = _float(_t(x))
    if axis is None:
        return _keep(torch.mean(x), x, keepdims)
    return _in_memory_order(torch.mean, x, _axis(axis), keepdims)


def _minmax(fn, clamp):
    def reduce(x, axis=None, keepdims=False, initial=None):
        x = _t(x)
        if axis is None:
            out = _keep(fn(x), x, keepdims)
        else:
            out = fn(x, dim=_axis(axis), keepdim=keepdims)
        return out if initial is None else clamp(out, initial)
    return reduce


max = amax = _minmax(torch.amax, torch.clamp_min)
min = amin = _minmax(torch.amin, torch.clamp_max)


def var(x, axis=None, keepdims=False):
    x = _float(_t(x))
    if axis is None:
        return _keep(torch.var(x, correction=0), x, keepdims)
    return torch.var(x, dim=_axis(axis), keepdim=keepdims, correction=0)


def std(x, axis=None, keepdims=False):
    return torch.sqrt(var(x, axis, keepdims))


def _arg(fn):
    def reduce(x, axis=None, keepdims=False):
        x = _t(x)
        if x.dtype == torch.bool:   # torch has no bool argmax; JAX does
            x = x.to(torch.uint8)
        if axis is None:
            return _keep(fn(x.flatten()), x, keepdims).to(torch.int32)
        return fn(x, dim=axis, keepdim=keepdims).to(torch.int32)
    return reduce


argmax = _arg(torch.argmax)
argmin = _arg(torch.argmin)


def argsort(x, axis=-1):
    x = _t(x)
    if axis is None:
        return torch.argsort(x.flatten(), stable=True).to(torch.int32)
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


def sort(x, axis=-1):
    x = _t(x)
    if axis is None:
        return torch.sort(x.flatten()).values
    return torch.sort(x, dim=axis).values


def _scan(fn):
    def accumulate(x, axis=None, dtype=None):
        x = _t(x)
        if axis is None:
            x, axis = x.flatten(), 0
        # Scans keep an integer input's dtype (bool counts in int32), as Keras gives.
        if dtype is None and x.dtype != torch.bool and not x.is_floating_point() \
                and not x.is_complex():
            dtype = x.dtype
        work, result = _accumulator(x, dtype)
        if result in (torch.uint16, torch.uint32, torch.uint64):
            work = torch.int64     # no unsigned scan kernels in torch
        out = fn(x, dim=axis, dtype=work)
        return out if out.dtype == result else out.to(result)
    return accumulate


cumsum = _scan(torch.cumsum)
cumprod = _scan(torch.cumprod)


def count_nonzero(x, axis=None):
    return torch.count_nonzero(_t(x), dim=_axis(axis)).to(torch.int32)


def average(x, axis=None, weights=None):
    x = _float(_t(x))
    if weights is None:
        return mean(x, axis)
    w = _t(weights).to(x.dtype)
    if axis is not None and w.ndim == 1 and x.ndim > 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        w = w.reshape(shape)
    return torch.sum(x * w, dim=axis) / torch.sum(w * torch.ones_like(x), dim=axis)


def logsumexp(x, axis=None, keepdims=False):
    x = _t(x)
    if axis is None:
        return _keep(torch.logsumexp(x.flatten(), dim=0), x, keepdims)
    return torch.logsumexp(x, dim=_axis(axis), keepdim=keepdims)


def norm(x, ord=None, axis=None, keepdims=False):
    return torch.linalg.norm(_float(_t(x)), ord=ord, dim=_axis(axis), keepdim=keepdims)


def top_k(x, k, sorted=True):
    out = torch.topk(_t(x), k, sorted=sorted)
    return out.values, out.indices.to(torch.int32)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sums of the rows of `data` per segment id; ids outside [0, num_segments) are
    dropped, as JAX drops them. `sorted` is a hint torch does not need."""
    data, segment_ids = _t(data), _t(segment_ids).long()
    n = num_segments if num_segments is not None else int(segment_ids.max()) + 1
    out = torch.zeros((n,) + tuple(data.shape[1:]), dtype=data.dtype, device=data.device)
    keep = ((segment_ids >= 0) & (segment_ids < n)).reshape((-1,) + (1,) * (data.ndim - 1))
    return out.index_add_(0, segment_ids.clamp(0, n - 1), torch.where(keep, data, 0))
