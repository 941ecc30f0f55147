"""Array creation on JAX (Keras 3 `keras.ops` names): zeros, ones, full, eye,
arange, linspace, meshgrid, empty, copy, and the *_like forms."""
import jax.numpy as jnp

from layerkit import config
from layerkit.engine.jax.core import convert_to_tensor

eye = jnp.eye
identity = jnp.identity
linspace = jnp.linspace


def arange(start, stop=None, step=1, dtype=None):
    return jnp.arange(start, stop, step, dtype=dtype)


def zeros(shape, dtype=None):
    return jnp.zeros(shape, dtype=dtype or "float32")


def ones(shape, dtype=None):
    return jnp.ones(shape, dtype=dtype or "float32")


def full(shape, fill_value, dtype=None):
    """floatx unless `dtype` says otherwise, whatever the fill value (Keras's rule)."""
    return jnp.full(shape, fill_value, dtype=dtype or config.floatx())


def zeros_like(x, dtype=None):
    return jnp.zeros_like(x, dtype=dtype)


def ones_like(x, dtype=None):
    return jnp.ones_like(x, dtype=dtype)


def full_like(x, fill_value, dtype=None):
    return jnp.full_like(x, fill_value, dtype=dtype)


def array(x, dtype=None):
    return convert_to_tensor(x, dtype=dtype)


def meshgrid(*x, indexing="xy"):
    return jnp.meshgrid(*x, indexing=indexing)


def empty(shape, dtype=None):
    """Like zeros (JAX has no uninitialised memory); floatx by default, as in Keras."""
    return jnp.empty(shape, dtype=dtype or config.floatx())


def copy(x):
    return jnp.array(convert_to_tensor(x), copy=True)
