"""Activations and neural-network primitives on JAX."""
import jax
import jax.numpy as jnp

relu = jax.nn.relu
relu6 = jax.nn.relu6
sigmoid = jax.nn.sigmoid
tanh = jnp.tanh
softplus = jax.nn.softplus
softsign = jax.nn.soft_sign
silu = swish = jax.nn.silu
selu = jax.nn.selu
log_sigmoid = jax.nn.log_sigmoid


def elu(x, alpha=1.0):
    return jax.nn.elu(x, alpha)


def leaky_relu(x, negative_slope=0.2):
    return jax.nn.leaky_relu(x, negative_slope)


def gelu(x, approximate=True):
    return jax.nn.gelu(x, approximate=approximate)


def hard_sigmoid(x):
    # Keras's hard_sigmoid: relu6(x + 3) / 6.
    return jax.nn.relu6(x + 3.0) / 6.0


def softmax(x, axis=-1):
    return jax.nn.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return jax.nn.log_softmax(x, axis=axis)


def one_hot(x, num_classes, axis=-1, dtype="float32"):
    return jax.nn.one_hot(x, num_classes, axis=axis, dtype=dtype)


def moments(x, axes, keepdims=False):
    mean = jnp.mean(x, axis=axes, keepdims=True)
    variance = jnp.mean(jnp.square(x - jax.lax.stop_gradient(mean)), axis=axes, keepdims=True)
    if not keepdims:
        mean = jnp.squeeze(mean, axes)
        variance = jnp.squeeze(variance, axes)
    return mean, variance


def dense(x, kernel, bias=None):
    """x @ kernel + bias: the matmul every Dense layer does."""
    y = jnp.matmul(x, kernel)
    return y if bias is None else y + bias
