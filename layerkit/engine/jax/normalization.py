"""Normalization primitives on JAX: Keras 3's `ops.batch_normalization` and
`ops.layer_normalization`, and the train-time batch normalization that also returns
the batch statistics (for the moving averages).

XLA fuses the reductions and the elementwise tail into a few kernels, so the
formula is written out: `x * inv + (offset - mean * inv)` with
`inv = scale / sqrt(variance + epsilon)`, the form Keras 3 uses on JAX.
"""
import jax
import jax.numpy as jnp

from layerkit import config

def _half(x):
    """Statistics of float16/bfloat16 data are computed in float32 (as in Keras)."""
    return x.dtype in (jnp.float16, jnp.bfloat16)


def _moments(x, axes):
    mean = jnp.mean(x, axis=axes, keepdims=True)
    variance = jnp.mean(jnp.square(x - jax.lax.stop_gradient(mean)), axis=axes, keepdims=True)
    return mean, variance


def _broadcast(v, ndim, axes, x_shape):
    if v is None:
        return None
    shape = [1] * ndim
    for a in axes:
        shape[a] = x_shape[a]
    return jnp.reshape(v, shape)


def _normalize(x, mean, variance, scale, offset, epsilon):
    inv = jax.lax.rsqrt(variance + epsilon)
    if scale is not None:
        inv = inv * scale
    shift = -mean * inv
    if offset is not None:
        shift = shift + offset
    return x * inv + shift


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """Normalizes `x` with the given per-channel `mean` and `variance` (1-D, along
    `axis`), then scales by `scale` and shifts by `offset`."""
    x = jnp.asarray(x)
    axis = axis % x.ndim
    b = lambda v: _broadcast(v, x.ndim, (axis,), x.shape)  # noqa: E731
    return _normalize(x, b(mean), b(variance), b(scale), b(offset), epsilon)


def fused_batch_normalization(x, axis, offset=None, scale=None, epsilon=1e-3):
    """Batch normalization with the statistics of `x` itself (training): returns
    (outputs, batch mean, batch variance), the variance biased (divided by n)."""
    x = jnp.asarray(x)
    axis = axis % x.ndim
    reduce = tuple(a for a in range(x.ndim) if a != axis)
    mean, variance = _moments(x, reduce)
    b = lambda v: _broadcast(v, x.ndim, (axis,), x.shape)  # noqa: E731
    out = _normalize(x, mean, variance, b(scale), b(offset), epsilon)
    return out, jnp.reshape(mean, (-1,)), jnp.reshape(variance, (-1,))


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None):
    """Normalizes `x` over `axis` (an int or a list of ints) with its own mean and
    variance, then scales by `gamma` and shifts by `beta` (shaped as those axes)."""
    x = jnp.asarray(x)
    dtype = x.dtype
    epsilon = config.epsilon() if epsilon is None else epsilon   # Keras's default
    if _half(x):
        x = x.astype(jnp.float32)
    axes = sorted(a % x.ndim for a in ([axis] if isinstance(axis, int) else axis))
    mean, variance = _moments(x, tuple(axes))
    b = lambda v: None if v is None else _broadcast(  # noqa: E731
        jnp.asarray(v, x.dtype), x.ndim, axes, x.shape)
    return _normalize(x, mean, variance, b(gamma), b(beta), epsilon).astype(dtype)
