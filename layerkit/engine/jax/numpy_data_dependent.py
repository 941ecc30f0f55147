"""Data-dependent array ops on JAX (Keras 3 `keras.ops` names): nonzero,
quantile, unique. Their output size depends on the values, so they run on the host
where the engine cannot trace them; re-exported by numpy.py."""
import jax
import jax.numpy as jnp
import numpy as np

from layerkit.engine.jax.core import convert_to_tensor


def nonzero(x):
    """A tuple of int32 index arrays, one per axis. Their length depends on the
    values, so this needs concrete input (not jit or a symbolic call); it is
    done by numpy on the host, where that length must be known anyway
    (jnp.nonzero would compile a program for every new input shape)."""
    x = convert_to_tensor(x)
    if isinstance(x, jax.core.Tracer):
        return jnp.nonzero(x)  # raises JAX's own concretization error
    return tuple(jnp.asarray(i, dtype="int32") for i in np.nonzero(np.asarray(x)))


def quantile(x, q, axis=None, method="linear", keepdims=False):
    """numpy.quantile: q (scalar or 1-D, in [0, 1]) adds a leading axis when it
    is an array. Integer inputs give float32."""
    x = convert_to_tensor(x)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype("float32")
    q = jnp.asarray(q, dtype=x.dtype)
    if isinstance(axis, list):
        axis = tuple(axis)
    return jnp.quantile(x, q, axis=axis, method=method, keepdims=keepdims)


def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    """numpy.unique (values always sorted). The number of values depends on the
    data, so this needs concrete input unless `size` fixes it: then the result
    is cut or padded to `size` entries (values with fill_value, default the
    smallest value; indices with the first index; counts with 0) and it also
    works under jit. NaNs count as distinct, as in Keras.

    Concrete input is done by numpy.unique on the host: the result's length is
    needed there anyway, and jnp.unique would compile a program (about a
    second) for every new input shape."""
    x = convert_to_tensor(x)
    if isinstance(x, jax.core.Tracer):
        return jnp.unique(x, return_index=return_index, return_inverse=return_inverse,
                          return_counts=return_counts, axis=axis, size=size,
                          fill_value=fill_value, equal_nan=False)
    host = np.asarray(x)
    values, index, inverse, counts = np.unique(host, return_index=True, return_inverse=True,
                                               return_counts=True, axis=axis, equal_nan=False)
    inverse = inverse.reshape(host.shape if axis is None else (host.shape[axis],))
    if size is not None:
        dim = 0 if axis is None else axis % host.ndim
        n = values.shape[dim]
        if n >= size:
            values = np.take(values, np.arange(size), axis=dim)
            index, counts = index[:size], counts[:size]
        else:
            fill_shape = list(values.shape)
            fill_shape[dim] = size - n
            if fill_value is not None:
                fill = np.full(fill_shape, fill_value, dtype=values.dtype)
            elif n:
                fill = np.broadcast_to(np.take(values, [0], axis=dim), fill_shape)
            else:
                fill = np.zeros(fill_shape, dtype=values.dtype)
            values = np.concatenate([values, fill], axis=dim)
            index = np.concatenate([index, np.full(size - n, index[0] if n else 0)])
            counts = np.concatenate([counts, np.zeros(size - n, counts.dtype)])
    extras = [jnp.asarray(a, dtype="int32") for a, wanted in
              ((index, return_index), (inverse, return_inverse), (counts, return_counts))
              if wanted]
    values = jnp.asarray(values)
    return (values, *extras) if extras else values
