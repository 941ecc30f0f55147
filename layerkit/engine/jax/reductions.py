"""Reductions, sorts and scans on JAX (Keras 3 `keras.ops` names), re-exported by
numpy.py. jax.numpy's result dtypes (64-bit types off) are Keras 3's: bool and small
ints sum in int32 (unsigned in uint32), indices are int32."""
import jax
import jax.numpy as jnp

sum = jnp.sum
prod = jnp.prod
mean = jnp.mean
max = amax = jnp.max
min = amin = jnp.min
std = jnp.std
var = jnp.var
all = jnp.all
any = jnp.any
argmax = jnp.argmax
argmin = jnp.argmin
argsort = jnp.argsort
sort = jnp.sort
cumsum = jnp.cumsum
cumprod = jnp.cumprod
count_nonzero = jnp.count_nonzero
average = jnp.average


def logsumexp(x, axis=None, keepdims=False):
    return jax.scipy.special.logsumexp(x, axis=axis, keepdims=keepdims)


def norm(x, ord=None, axis=None, keepdims=False):
    return jnp.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)


def top_k(x, k, sorted=True):
    return jax.lax.top_k(x, k)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    return jax.ops.segment_sum(data, segment_ids, num_segments=num_segments,
                               indices_are_sorted=sorted)
