"""Statistics on PyTorch (Keras 3 `keras.ops` names): NaN-ignoring reductions,
median and percentiles, histograms and bin searches, segment reductions. Index
results are int32, as Keras gives them."""
import torch

from layerkit.engine.torch.core import convert_to_tensor, to_torch_dtype
from layerkit.engine.torch.numpy_data_dependent import reduce_quantile

_T = torch.Tensor


def _t(x):
    return x if isinstance(x, _T) else convert_to_tensor(x)


def _axes(x, axis):
    if axis is None:
        return tuple(range(x.ndim))
    return tuple(a % x.ndim for a in ((axis,) if isinstance(axis, int) else axis))


def _nan_filled(x, value):
    return torch.where(torch.isnan(x), torch.as_tensor(value, dtype=x.dtype), x) \
        if x.is_floating_point() else x


def _extreme(fn, fill):
    def reduce(x, axis=None, keepdims=False):
        x = _t(x)
        axes = _axes(x, axis)
        out = fn(_nan_filled(x, fill), dim=axes, keepdim=keepdims) if axes else x
        if x.is_floating_point():
            # numpy gives NaN where every value is NaN.
            all_nan = torch.all(torch.isnan(x), dim=axes, keepdim=keepdims) if axes \
                else torch.isnan(x)
            out = torch.where(all_nan, torch.nan, out)
        return out
    return reduce


nanmax = _extreme(torch.amax, -float("inf"))
nanmin = _extreme(torch.amin, float("inf"))


def _float(x):
    return x if x.is_floating_point() else x.float()


def nansum(x, axis=None, keepdims=False):
    x = _t(x)
    if not x.is_floating_point():
        from layerkit.engine.torch.numpy import sum as _sum
        return _sum(x, axis, keepdims)
    return torch.nansum(x, dim=_axes(x, axis), keepdim=keepdims)


def nanprod(x, axis=None, keepdims=False):
    from layerkit.engine.torch.numpy import prod
    return prod(_nan_filled(_t(x), 1), axis, keepdims)


def nanmean(x, axis=None, keepdims=False):
    x = _float(_t(x))
    return torch.nanmean(x, dim=_axes(x, axis), keepdim=keepdims)


def nanvar(x, axis=None, keepdims=False):
    x = _float(_t(x))
    axes = _axes(x, axis)
    mean = torch.nanmean(x, dim=axes, keepdim=True)
    return torch.nanmean(torch.square(x - mean), dim=axes, keepdim=keepdims)


def nanstd(x, axis=None, keepdims=False):
    return torch.sqrt(nanvar(x, axis, keepdims))


def _arg_extreme(fn, fill):
    def reduce(x, axis=None, keepdims=False):
        x = _nan_filled(_t(x), fill)
        if x.dtype == torch.bool:   # torch has no bool argmax; JAX does
            x = x.to(torch.uint8)
        if axis is None:
            out = fn(x.flatten())
            out = out.reshape((1,) * x.ndim) if keepdims else out
        else:
            out = fn(x, dim=axis, keepdim=keepdims)
        return out.to(torch.int32)
    return reduce


nanargmax = _arg_extreme(torch.argmax, -float("inf"))
nanargmin = _arg_extreme(torch.argmin, float("inf"))


def _cumulative(fn, fill):
    def accumulate(x, axis=None, dtype=None):
        x = _nan_filled(_t(x), fill)
        if axis is None:
            x, axis = x.flatten(), 0
        return fn(x, axis, dtype)
    return accumulate


def nancumsum(x, axis=None, dtype=None):
    from layerkit.engine.torch.numpy import cumsum
    return _cumulative(cumsum, 0)(x, axis, dtype)


def nancumprod(x, axis=None, dtype=None):
    from layerkit.engine.torch.numpy import cumprod
    return _cumulative(cumprod, 1)(x, axis, dtype)


def median(x, axis=None, keepdims=False):
    return reduce_quantile(torch.quantile, _t(x), 0.5, axis, "linear", keepdims)


def nanmedian(x, axis=None, keepdims=False):
    return reduce_quantile(torch.nanquantile, _t(x), 0.5, axis, "linear", keepdims)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    return reduce_quantile(torch.nanquantile, _t(x), q, axis, method, keepdims)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    return reduce_quantile(torch.quantile, _t(x), _t(q) / 100.0, axis, method, keepdims)


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    return reduce_quantile(torch.nanquantile, _t(x), _t(q) / 100.0, axis, method, keepdims)


def ptp(x, axis=None, keepdims=False):
    x = _t(x)
    axes = _axes(x, axis)
    return torch.amax(x, dim=axes, keepdim=keepdims) - torch.amin(x, dim=axes, keepdim=keepdims)


def corrcoef(x):
    return torch.corrcoef(_float(_t(x)))


def _check_1d(x):
    if x.ndim != 1:
        raise ValueError(f"histogram: `x` must be 1-D; received shape {tuple(x.shape)}.")


def histogram(x, bins=10, range=None):
    x = _float(_t(x))
    _check_1d(x)
    if range is None:
        range = (float(torch.min(x)), float(torch.max(x)))
    counts, edges = torch.histogram(x.cpu().flatten(), bins=bins,
                                    range=(float(range[0]), float(range[1])))
    return counts.to(x.device, x.dtype), edges.to(x.device, x.dtype)


def searchsorted(sorted_sequence, values, side="left"):
    s, v = _t(sorted_sequence), _t(values)
    if s.ndim != 1:
        raise ValueError("searchsorted: `sorted_sequence` must be 1-D; received shape "
                         f"{tuple(s.shape)}.")
    dtype = torch.promote_types(s.dtype, v.dtype)
    return torch.searchsorted(s.to(dtype), v.to(dtype), side=side).to(torch.int32)


def digitize(x, bins):
    """numpy.digitize: the index i with bins[i-1] <= x < bins[i] (increasing bins),
    or bins[i-1] > x >= bins[i] (decreasing)."""
    x, bins = _t(x), _t(bins)
    dtype = torch.promote_types(x.dtype, bins.dtype)
    x, bins = x.to(dtype), bins.to(dtype)
    if bins.numel() > 1 and bool(bins[0] > bins[-1]):
        out = bins.numel() - torch.bucketize(x, torch.flip(bins, (0,)), right=False)
    else:
        out = torch.bucketize(x, bins, right=True)
    return out.to(torch.int32)


def bincount(x, weights=None, minlength=0, sparse=False):
    """Counts (weighted sums) of each non-negative int value, row by row for a 2-D
    `x`; int32 counts, or the weights' dtype. sparse=True raises, as in Keras's torch
    backend."""
    if sparse:
        from layerkit.engine.torch import sparse as sparse_module
        sparse_module.bincount(x, weights, minlength)
    x = _t(x).long()
    length = max(int(x.max()) + 1 if x.numel() else 0, minlength)
    w = None if weights is None else _t(weights)
    if x.ndim == 2:
        offsets = torch.arange(x.shape[0], device=x.device)[:, None] * length
        flat = torch.bincount((x + offsets).flatten(),
                              weights=None if w is None else w.flatten().double(),
                              minlength=length * x.shape[0])
        out = flat.reshape(x.shape[0], length)
    else:
        out = torch.bincount(x, weights=None if w is None else w.double(), minlength=length)
    if w is None:
        return out.to(torch.int32)
    return out.to(w.dtype if w.is_floating_point() else torch.int32)


def _segment(reduce, identity):
    def segment(data, segment_ids, num_segments=None, sorted=False):
        data, ids = _t(data), _t(segment_ids).long()
        n = num_segments if num_segments is not None else int(ids.max()) + 1
        if identity is None:
            start = 1
        elif data.is_floating_point():
            start = identity
        else:
            info = torch.iinfo(data.dtype)
            start = info.min if identity < 0 else info.max
        out = torch.full((n,) + tuple(data.shape[1:]), start, dtype=data.dtype,
                         device=data.device)
        # Ids out of [0, n) are dropped, as JAX drops them: their rows become the
        # reduction's identity, added to segment 0.
        keep = ((ids >= 0) & (ids < n)).reshape((-1,) + (1,) * (data.ndim - 1))
        data = torch.where(keep, data, torch.as_tensor(start, dtype=data.dtype))
        index = ids.clamp(0, n - 1).reshape(keep.shape).expand_as(data)
        return out.scatter_reduce(0, index, data, reduce=reduce, include_self=False)
    return segment


segment_max = _segment("amax", -float("inf"))
segment_min = _segment("amin", float("inf"))
segment_prod = _segment("prod", None)
