"""Statistics on JAX (Keras 3 `keras.ops` names): NaN-ignoring reductions,
median and percentiles, histograms and bin searches, segment reductions."""
import jax
import jax.numpy as jnp
import numpy as np

from layerkit.engine.jax.core import convert_to_tensor


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _reduction(fn):
    def reduce(x, axis=None, keepdims=False):
        return fn(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims)
    reduce.__name__ = fn.__name__
    return reduce


nanmax, nanmin = _reduction(jnp.nanmax), _reduction(jnp.nanmin)
nanmean, nanstd, nanvar = _reduction(jnp.nanmean), _reduction(jnp.nanstd), _reduction(jnp.nanvar)
nansum, nanprod = _reduction(jnp.nansum), _reduction(jnp.nanprod)
nanmedian, median = _reduction(jnp.nanmedian), _reduction(jnp.median)
ptp = _reduction(jnp.ptp)


def nanargmax(x, axis=None, keepdims=False):
    return jnp.nanargmax(x, axis=axis, keepdims=keepdims).astype("int32")


def nanargmin(x, axis=None, keepdims=False):
    return jnp.nanargmin(x, axis=axis, keepdims=keepdims).astype("int32")


def nancumsum(x, axis=None, dtype=None):
    return jnp.nancumsum(x, axis=axis, dtype=dtype)


def nancumprod(x, axis=None, dtype=None):
    return jnp.nancumprod(x, axis=axis, dtype=dtype)


def _quantiles(fn):
    def quantiles(x, q, axis=None, method="linear", keepdims=False):
        x = convert_to_tensor(x)
        if not jnp.issubdtype(x.dtype, jnp.inexact):
            x = x.astype("float32")
        return fn(x, jnp.asarray(q, x.dtype), axis=_axis(axis), method=method,
                  keepdims=keepdims)
    quantiles.__name__ = fn.__name__
    return quantiles


percentile, nanpercentile = _quantiles(jnp.percentile), _quantiles(jnp.nanpercentile)
nanquantile = _quantiles(jnp.nanquantile)


def corrcoef(x):
    return jnp.corrcoef(x)


def _check_1d(x):
    if x.ndim != 1:
        raise ValueError(f"histogram: `x` must be 1-D; received shape {tuple(x.shape)}.")


def histogram(x, bins=10, range=None):
    """(counts, bin edges); the counts of a float input are float32, as numpy's
    (and Keras's) histogram with jax.numpy gives."""
    x = convert_to_tensor(x)
    _check_1d(x)
    return jnp.histogram(x, bins=bins, range=range)


def searchsorted(sorted_sequence, values, side="left"):
    sorted_sequence = convert_to_tensor(sorted_sequence)
    if sorted_sequence.ndim != 1:
        raise ValueError("searchsorted: `sorted_sequence` must be 1-D; received shape "
                         f"{tuple(sorted_sequence.shape)}.")
    return jnp.searchsorted(sorted_sequence, values, side=side).astype("int32")


def digitize(x, bins):
    return jnp.digitize(x, bins).astype("int32")


def bincount(x, weights=None, minlength=0, sparse=False):
    """Counts (weighted sums) of each non-negative int value, row by row for a 2-D
    `x`. The length depends on the values (max + 1), so `x` must be concrete.
    sparse=True gives a BCOO, as Keras on JAX does."""
    if sparse:
        from layerkit.engine.jax import sparse as sparse_module
        return sparse_module.bincount(x, weights, minlength)
    x = convert_to_tensor(x)
    length = max(int(np.max(np.asarray(x), initial=-1)) + 1, minlength)
    if x.ndim == 2:
        rows = weights if weights is not None else [None] * x.shape[0]
        return jnp.stack([jnp.bincount(r, weights=w, length=length)
                          for r, w in zip(x, rows)])
    return jnp.bincount(x, weights=weights, length=length)


def _segment(fn):
    def segment(data, segment_ids, num_segments=None, sorted=False):
        return fn(convert_to_tensor(data), convert_to_tensor(segment_ids),
                  num_segments=num_segments, indices_are_sorted=sorted)
    segment.__name__ = fn.__name__
    return segment


segment_max, segment_min = _segment(jax.ops.segment_max), _segment(jax.ops.segment_min)
segment_prod = _segment(jax.ops.segment_prod)
