"""Noise layers, active only in training: GaussianNoise (additive), GaussianDropout
(multiplicative, mean 1) and AlphaDropout (keeps a SELU network's mean and
variance). Draws come from a per-layer SeedGenerator, so they are part of the
step's state and a seed makes them reproducible."""
import math

from layerkit import ops
from layerkit import random as lk_random
from layerkit.layers.layer import Layer

# SELU's constants (Klambauer et al. 2017): a dropped unit is set to SELU's
# negative saturation value -scale * alpha.
_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805


def _check_fraction(layer, name, value, upper=1.0):
    """0 <= value < upper: a rate of 1 would divide by zero (Keras accepts it and
    fails at the first training call)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not 0 <= value < upper:
        bound = f"in [0, {upper})" if upper != math.inf else ">= 0"
        raise ValueError(f'{type(layer).__name__} "{layer.name}": `{name}` must be a float '
                         f"{bound}, received {name}={value!r}.")
    return value


class _NoiseLayer(Layer):
    """Shared plumbing: the seed generator (only when there is noise to draw), the
    identity at inference, shape and mask pass-through."""

    def _make_seed(self, active, seed):
        self.seed = seed
        if active:
            self.seed_generator = lk_random.SeedGenerator(
                seed, name=f"{self.name}_seed_generator")
            self._seed_generators.append(self.seed_generator)
        self.supports_masking = True
        self.built = True   # no weights

    def compute_output_shape(self, input_shape):
        return input_shape


class GaussianNoise(_NoiseLayer):
    """Adds N(0, stddev**2) noise while training."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        # Keras 3 caps stddev at 1; Keras 2 did not, and its programs use larger ones.
        self.stddev = _check_fraction(self, "stddev", stddev, upper=math.inf)
        self._make_seed(stddev > 0, seed)

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        return inputs + lk_random.normal(tuple(inputs.shape), 0.0, self.stddev,
                                         dtype=ops.dtype(inputs), seed=self.seed_generator)

    def get_config(self):
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config


class GaussianDropout(_NoiseLayer):
    """Multiplies by N(1, rate / (1 - rate)) noise while training."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_fraction(self, "rate", rate)
        self._make_seed(rate > 0, seed)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        return inputs * lk_random.normal(tuple(inputs.shape), 1.0, stddev,
                                         dtype=ops.dtype(inputs), seed=self.seed_generator)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config


class AlphaDropout(_NoiseLayer):
    """Sets a fraction `rate` of the inputs to SELU's saturation value, then applies
    the affine map that restores the inputs' mean and variance."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_fraction(self, "rate", rate)
        self.noise_shape = noise_shape
        self._make_seed(rate > 0, seed)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        shape = tuple(inputs.shape)
        noise_shape = shape if self.noise_shape is None else tuple(
            shape[i] if d is None else d for i, d in enumerate(self.noise_shape))
        kept = ops.cast(lk_random.uniform(noise_shape, seed=self.seed_generator) >= self.rate,
                        inputs.dtype)
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return a * (inputs * kept + alpha_p * (1 - kept)) + b

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config
