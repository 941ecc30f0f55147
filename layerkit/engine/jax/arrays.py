"""Array-shaping and building ops on JAX (Keras 3 `keras.ops` names beyond
numpy.py): splits and stacks, rotations, products of arrays, windows, index maths,
and the in-place style updates (slice_update) as functional updates."""
import jax
import jax.numpy as jnp

from layerkit import config
from layerkit.engine.jax.core import convert_to_tensor

dstack = jnp.dstack
rot90 = jnp.rot90
kron = jnp.kron
inner = jnp.inner
vander = jnp.vander
diagflat = jnp.diagflat


def array_split(x, indices_or_sections, axis=0):
    return jnp.array_split(x, indices_or_sections, axis=axis)


def append(x1, x2, axis=None):
    return jnp.append(x1, x2, axis=axis)


def vdot(x1, x2):
    return jnp.vdot(x1, x2)


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    x1, x2 = convert_to_tensor(x1), convert_to_tensor(x2)
    sizes = (x1.shape[axisa if axis is None else axis], x2.shape[axisb if axis is None else axis])
    if any(s not in (2, 3) for s in sizes):
        raise ValueError(f"cross: the vector axes must have 2 or 3 components; received "
                         f"{sizes[0]} and {sizes[1]}.")
    return jnp.cross(x1, x2, axisa=axisa, axisb=axisb, axisc=axisc, axis=axis)


def correlate(x1, x2, mode="valid"):
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"correlate: mode must be 'valid', 'same' or 'full'; received "
                         f"{mode!r}.")
    return jnp.correlate(x1, x2, mode=mode)


def diff(a, n=1, axis=-1):
    return jnp.diff(a, n=n, axis=axis)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    y = convert_to_tensor(y)
    if not jnp.issubdtype(y.dtype, jnp.inexact):
        y = y.astype("float32")
    return jnp.trapezoid(y, x, dx=dx, axis=axis)


def select(condlist, choicelist, default=0):
    return jnp.select(list(condlist), list(choicelist), default=default)


def unravel_index(indices, shape):
    return jnp.unravel_index(indices, shape)


def argpartition(x, kth, axis=-1):
    if axis is None:
        return jnp.argpartition(jnp.ravel(x), kth, axis=0).astype("int32")
    return jnp.argpartition(x, kth, axis=axis).astype("int32")


def view(x, dtype=None):
    x = convert_to_tensor(x)
    return x if dtype is None else x.view(dtype)


def tri(N, M=None, k=0, dtype=None):
    return jnp.tri(N, M=M, k=k, dtype=dtype or config.floatx())


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    return jnp.geomspace(start, stop, num=num, endpoint=endpoint, dtype=dtype, axis=axis)


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    return jnp.logspace(start, stop, num=num, endpoint=endpoint, base=base, dtype=dtype,
                        axis=axis)


def empty_like(x, dtype=None):
    return jnp.empty_like(x, dtype=dtype)


def _window(fn):
    def window(x):
        return fn(int(x)).astype(config.floatx())
    window.__name__ = fn.__name__
    return window


bartlett, blackman = _window(jnp.bartlett), _window(jnp.blackman)
hamming, hanning = _window(jnp.hamming), _window(jnp.hanning)


def kaiser(x, beta):
    return jnp.kaiser(int(x), beta).astype(config.floatx())


def slice_update(inputs, start_indices, updates):
    return jax.lax.dynamic_update_slice(convert_to_tensor(inputs), convert_to_tensor(updates),
                                        tuple(start_indices))


def unstack(x, num=None, axis=0):
    x = convert_to_tensor(x)
    return [jax.lax.index_in_dim(x, i, axis, keepdims=False) for i in range(x.shape[axis])]
