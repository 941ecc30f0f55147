"""Data-dependent array ops on PyTorch (Keras 3 `keras.ops` names): nonzero,
quantile, unique. Their output size depends on the values, so they run on the host
where the engine cannot trace them; re-exported by numpy.py."""
import torch

from layerkit.engine.torch.core import convert_to_tensor


def _t(x):
    return x if isinstance(x, torch.Tensor) else convert_to_tensor(x)


def nonzero(x):
    """A tuple of int32 index tensors, one per axis (their length depends on the
    values, so this is eager only)."""
    return tuple(i.to(torch.int32) for i in torch.nonzero(_t(x), as_tuple=True))


def quantile(x, q, axis=None, method="linear", keepdims=False):
    """numpy.quantile: q (scalar or 1-D, in [0, 1]) adds a leading axis when it
    is an array; several axes are reduced together. Integer inputs give float32."""
    return reduce_quantile(torch.quantile, x, q, axis, method, keepdims)


def reduce_quantile(fn, x, q, axis, method, keepdims):
    """torch.quantile or torch.nanquantile over any axes (numpy's argument rules)."""
    x = _t(x)
    out_dtype = x.dtype if x.is_floating_point() else torch.float32
    work = x.to(torch.float64 if x.dtype == torch.float64 else torch.float32)
    q = _t(q).to(work.dtype)
    if axis is None:
        axes = tuple(range(x.ndim))
    else:
        axes = tuple(a % x.ndim for a in ((axis,) if isinstance(axis, int) else axis))
    kept = [i for i in range(x.ndim) if i not in axes]
    # Reduced axes moved last and merged, so one torch.quantile call does them.
    flat = work.permute(*kept, *axes).reshape([x.shape[i] for i in kept] + [-1])
    y = fn(flat, q, dim=-1, interpolation=method)
    if keepdims:
        y = y.reshape(tuple(q.shape) + tuple(1 if i in axes else x.shape[i]
                                             for i in range(x.ndim)))
    return y.to(out_dtype)


def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    """numpy.unique; the values come back sorted whatever `sorted` says. The
    number of values depends on the data, so this is eager only; `size` cuts
    or pads the result to that many entries (values with fill_value, default
    the smallest value; indices with the first index; counts with 0)."""
    x = _t(x)
    dim = 0 if axis is None else axis % x.ndim
    values, inverse, counts = torch.unique(x, sorted=True, return_inverse=True,
                                           return_counts=True, dim=axis)
    n = values.shape[dim]
    flat_inverse = inverse.reshape(-1)
    positions = torch.arange(flat_inverse.shape[0], device=flat_inverse.device)
    index = torch.zeros(n, dtype=positions.dtype, device=positions.device).scatter_reduce_(
        0, flat_inverse, positions, reduce="amin", include_self=False)
    if size is not None:
        if n >= size:
            values, index, counts = values.narrow(dim, 0, size), index[:size], counts[:size]
        else:
            fill_shape = list(values.shape)
            fill_shape[dim] = size - n
            if fill_value is not None:
                fill = torch.full(fill_shape, fill_value, dtype=values.dtype,
                                  device=values.device)
            elif n:
                fill = values.narrow(dim, 0, 1).expand(fill_shape)
            else:
                fill = torch.zeros(fill_shape, dtype=values.dtype, device=values.device)
            values = torch.cat([values, fill], dim=dim)
            first = index[:1] if n else torch.zeros(1, dtype=index.dtype, device=index.device)
            index = torch.cat([index, first.expand(size - n)])
            counts = torch.cat([counts, counts.new_zeros(size - n)])
    extras = []
    if return_index:
        extras.append(index.to(torch.int32))
    if return_inverse:
        extras.append(inverse.to(torch.int32))
    if return_counts:
        extras.append(counts.to(torch.int32))
    return (values, *extras) if extras else values
