"""Sampling from explicit seed state on JAX.

A SeedGenerator's state is a uint32[2] Variable: each draw folds in the current
state and advances it, so the RNG is part of the compiled step's state.
"""
import jax
import jax.numpy as jnp
import numpy as np


def make_seed_state(seed, name):
    """The state a SeedGenerator keeps: a non-trainable uint32[2] Variable."""
    from layerkit.engine.jax.core import Variable
    return Variable(np.array([seed & 0xFFFFFFFF, 0], dtype="uint32"), dtype="uint32",
                    trainable=False, name=name)


def reseed(state, seed):
    state.assign(np.array([seed & 0xFFFFFFFF, 0], dtype="uint32"))


def _key(seed_generator):
    state = seed_generator.state.value
    seed_generator.state.assign(state + jnp.array([0, 1], dtype="uint32"))
    return jax.random.fold_in(jax.random.key(state[0]), state[1])


def normal(shape, mean=0.0, stddev=1.0, dtype="float32", seed=None):
    return mean + stddev * jax.random.normal(_key(seed), shape, dtype=dtype)


def uniform(shape, minval=0.0, maxval=1.0, dtype="float32", seed=None):
    return jax.random.uniform(_key(seed), shape, dtype=dtype, minval=minval, maxval=maxval)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype="float32", seed=None):
    return mean + stddev * jax.random.truncated_normal(_key(seed), -2.0, 2.0, shape, dtype=dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    return jax.random.randint(_key(seed), shape, minval, maxval, dtype=dtype)


def dropout(x, rate, noise_shape=None, seed=None):
    keep = 1.0 - rate
    shape = x.shape if noise_shape is None else tuple(
        x.shape[i] if d is None else d for i, d in enumerate(noise_shape))
    mask = jax.random.bernoulli(_key(seed), keep, shape)
    return jnp.where(mask, x / keep, jnp.zeros_like(x))


def shuffle(x, axis=0, seed=None):
    return jax.random.permutation(_key(seed), x, axis=axis)


def categorical(logits, num_samples, dtype="int32", seed=None):
    out = jax.random.categorical(_key(seed), logits[..., None, :], axis=-1,
                                 shape=logits.shape[:-1] + (num_samples,))
    return out.astype(dtype)
