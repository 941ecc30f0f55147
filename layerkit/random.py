"""`layerkit.random`: sampling with explicit seed state (Keras 3's keras.random).

`seed` may be a SeedGenerator (its state advances each draw), an int (a fixed
seed: the same draw every call), or None (the global generator).
"""
import numpy as np

from layerkit import engine
from layerkit.engine.common import naming

_engine = engine.random


class SeedGenerator:
    def __init__(self, seed=None, name=None):
        if seed is None:
            seed = int(_global_numpy_rng().integers(0, 2**31 - 1))
        elif not isinstance(seed, (int, np.integer)):
            raise ValueError(f"SeedGenerator: seed must be an int or None, received {seed!r}.")
        self.name = name or naming.uniquify("seed_generator")
        self._initial_seed = int(seed)
        self.state = _engine.make_seed_state(int(seed), name=f"{self.name}_state")

    def reseed(self, seed):
        _engine.reseed(self.state, int(seed))

    def get_config(self):
        return {"seed": self._initial_seed}


_GLOBAL = {"rng": None, "generator": None}


def _global_numpy_rng():
    if _GLOBAL["rng"] is None:
        _GLOBAL["rng"] = np.random.default_rng()
    return _GLOBAL["rng"]


def global_seed_generator():
    if _GLOBAL["generator"] is None:
        _GLOBAL["generator"] = SeedGenerator(name="global_seed_generator")
    return _GLOBAL["generator"]


def set_global_seed(seed):
    """Reseeds layerkit's global randomness (used by utils.set_random_seed)."""
    _GLOBAL["rng"] = np.random.default_rng(seed)
    _GLOBAL["generator"] = SeedGenerator(seed, name="global_seed_generator")


def _resolve(seed):
    if isinstance(seed, SeedGenerator):
        return seed
    if seed is None:
        return global_seed_generator()
    return SeedGenerator(int(seed))


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _engine.normal(tuple(shape), mean, stddev, dtype or "float32", _resolve(seed))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return _engine.uniform(tuple(shape), minval, maxval, dtype or "float32", _resolve(seed))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _engine.truncated_normal(tuple(shape), mean, stddev, dtype or "float32",
                                    _resolve(seed))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    return _engine.randint(tuple(shape), minval, maxval, dtype, _resolve(seed))


def dropout(inputs, rate, noise_shape=None, seed=None):
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: rate must be in [0, 1), received {rate}.")
    return _engine.dropout(inputs, rate, noise_shape, _resolve(seed))


def shuffle(x, axis=0, seed=None):
    return _engine.shuffle(x, axis, _resolve(seed))


def categorical(logits, num_samples, dtype="int32", seed=None):
    return _engine.categorical(logits, num_samples, dtype, _resolve(seed))
