"""Random initializers, drawn on the host with numpy's PCG64 generator."""
import math

import numpy as np

from layerkit.initializers.base import (Initializer, _float_dtype, _global_rng, _shape,
                                        compute_fans)

# The standard deviation of a unit normal truncated to [-2, 2]: dividing by it keeps
# the requested variance after truncation.
_TRUNCATION_STDDEV = 0.87962566103423978


class RandomInitializer(Initializer):
    """Shared seed handling: a fixed int seed gives the same draw on every call."""

    def __init__(self, seed=None):
        if seed is not None and not isinstance(seed, (int, np.integer)):
            if hasattr(seed, "get_config") and "seed" in seed.get_config():
                seed = seed.get_config()["seed"]  # a layerkit.random.SeedGenerator
            else:
                raise ValueError(f"{type(self).__name__}: `seed` must be an int or None; "
                                 f"received seed={seed!r}.")
        self.seed = None if seed is None else int(seed)

    def _rng(self):
        if self.seed is None:
            return _global_rng()
        return np.random.Generator(np.random.PCG64(self.seed))

    def get_config(self):
        return {"seed": self.seed}


def _truncated_standard_normal(rng, shape):
    """Unit normals with every value beyond 2 standard deviations redrawn."""
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2.0
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2.0
    return out


class RandomNormal(RandomInitializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean = float(mean)
        self.stddev = float(stddev)

    def __call__(self, shape, dtype=None):
        np_dtype = _float_dtype(dtype, "RandomNormal")
        x = self._rng().standard_normal(_shape(shape))
        return (self.mean + self.stddev * x).astype(np_dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(RandomInitializer):
    """A normal whose values beyond 2 standard deviations from the mean are redrawn."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean = float(mean)
        self.stddev = float(stddev)

    def __call__(self, shape, dtype=None):
        np_dtype = _float_dtype(dtype, "TruncatedNormal")
        x = _truncated_standard_normal(self._rng(), _shape(shape))
        return (self.mean + self.stddev * x).astype(np_dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(RandomInitializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval = float(minval)
        self.maxval = float(maxval)

    def __call__(self, shape, dtype=None):
        np_dtype = _float_dtype(dtype, "RandomUniform")
        x = self._rng().uniform(self.minval, self.maxval, _shape(shape))
        return x.astype(np_dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


class VarianceScaling(RandomInitializer):
    """Draws with variance `scale / n`, n the fan chosen by `mode`.

    distribution "truncated_normal": a normal truncated at 2 stddev, its stddev
    corrected so the variance after truncation is scale / n; "untruncated_normal": a
    plain normal; "uniform": U(-sqrt(3 scale / n), +sqrt(3 scale / n)).
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        super().__init__(seed)
        self.input_axes = None if input_axes is None else [int(a) for a in input_axes]
        self.output_axes = None if output_axes is None else [int(a) for a in output_axes]
        if scale <= 0.0:
            raise ValueError(f"VarianceScaling: `scale` must be positive; received scale={scale}.")
        mode = str(mode).lower()
        if mode not in _MODES:
            raise ValueError(f"VarianceScaling: invalid mode {mode!r}; expected one of {_MODES}.")
        distribution = str(distribution).lower()
        if distribution == "normal":  # Keras 2 spelling
            distribution = "truncated_normal"
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(f"VarianceScaling: invalid distribution {distribution!r}; "
                             f"expected one of {_DISTRIBUTIONS}.")
        self.scale = float(scale)
        self.mode = mode
        self.distribution = distribution

    def __call__(self, shape, dtype=None):
        np_dtype = _float_dtype(dtype, type(self).__name__)
        shape = _shape(shape)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, fan)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            x = _truncated_standard_normal(rng, shape) * (math.sqrt(scale) / _TRUNCATION_STDDEV)
        elif self.distribution == "untruncated_normal":
            x = rng.standard_normal(shape) * math.sqrt(scale)
        else:
            limit = math.sqrt(3.0 * scale)
            x = rng.uniform(-limit, limit, shape)
        return x.astype(np_dtype)

    def get_config(self):
        return {"seed": self.seed, "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class _FixedVarianceScaling(VarianceScaling):
    """A VarianceScaling whose scale/mode/distribution are fixed by the class."""
    _SCALE, _MODE, _DIST = 1.0, "fan_in", "truncated_normal"

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(scale=self._SCALE, mode=self._MODE, distribution=self._DIST, seed=seed,
                         input_axes=input_axes, output_axes=output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class GlorotUniform(_FixedVarianceScaling):
    _SCALE, _MODE, _DIST = 1.0, "fan_avg", "uniform"


class GlorotNormal(_FixedVarianceScaling):
    _SCALE, _MODE, _DIST = 1.0, "fan_avg", "truncated_normal"


class LecunUniform(_FixedVarianceScaling):
    _SCALE, _MODE, _DIST = 1.0, "fan_in", "uniform"


class LecunNormal(_FixedVarianceScaling):
    _SCALE, _MODE, _DIST = 1.0, "fan_in", "truncated_normal"


class HeUniform(_FixedVarianceScaling):
    _SCALE, _MODE, _DIST = 2.0, "fan_in", "uniform"


class HeNormal(_FixedVarianceScaling):
    _SCALE, _MODE, _DIST = 2.0, "fan_in", "truncated_normal"


class Orthogonal(RandomInitializer):
    """A (semi-)orthogonal matrix from the QR decomposition of a normal draw, times `gain`.

    A weight of rank > 2 is treated as a (prod(shape[:-1]), shape[-1]) matrix.
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = float(gain)

    def __call__(self, shape, dtype=None):
        np_dtype = _float_dtype(dtype, "Orthogonal")
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError(f"Orthogonal initializer needs a shape of rank >= 2; received "
                             f"shape={shape}.")
        rows = int(np.prod(shape[:-1]))
        cols = shape[-1]
        a = self._rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        # Fix the signs so the result is uniformly distributed over orthogonal matrices.
        d = np.sign(np.diag(r))
        d[d == 0] = 1.0
        q = q * d
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(np_dtype)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}
