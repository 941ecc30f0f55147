"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector."""
import math

from layerkit import config as _config
from layerkit import ops
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.layers.input_spec import InputSpec
from layerkit.layers.layer import Layer


class _ShapeLayer(Layer):
    """A layer that only moves data: its symbolic output keeps the input's dtype."""

    def compute_output_spec(self, inputs, *args, **kwargs):
        return SymbolicTensor(self.compute_output_shape(tuple(inputs.shape)), inputs.dtype)


def _standardize_data_format(data_format, who):
    data_format = data_format or _config.image_data_format()
    data_format = str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f'{who}: `data_format` must be "channels_last" or "channels_first", '
                         f"received {data_format!r}.")
    return data_format


class Flatten(_ShapeLayer):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...). With channels_first the channel
    axis is moved last first, so the order matches a channels_last model."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _standardize_data_format(data_format, f'Flatten "{self.name}"')
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        rank = len(inputs.shape)
        if self.data_format == "channels_first" and rank > 2:
            inputs = ops.transpose(inputs, (0,) + tuple(range(2, rank)) + (1,))
        size = math.prod(int(d) for d in inputs.shape[1:])
        return ops.reshape(inputs, (inputs.shape[0], size))

    def compute_output_shape(self, input_shape):
        rest = tuple(input_shape[1:])
        size = None if None in rest else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Reshape(_ShapeLayer):
    """Reshapes each sample to `target_shape` (the batch axis is kept); one entry may be
    -1, inferred from the sample size."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        if isinstance(target_shape, int):
            target_shape = (target_shape,)
        try:
            target_shape = tuple(int(d) for d in target_shape)
        except (TypeError, ValueError):
            raise ValueError(f'Reshape "{self.name}": `target_shape` must be a tuple of '
                             f"integers, received {target_shape!r}.") from None
        unknown = [d for d in target_shape if d == -1]
        if len(unknown) > 1 or any(d < -1 for d in target_shape):
            raise ValueError(f'Reshape "{self.name}": `target_shape` may hold at most one -1 '
                             f"and no other negative size, received {target_shape}.")
        self.target_shape = target_shape

    def _resolve(self, input_shape):
        """The target shape with -1 filled in (None when the input size is unknown)."""
        rest = tuple(input_shape[1:])
        target = self.target_shape
        known = math.prod(d for d in target if d != -1)
        if None in rest:
            return tuple(None if d == -1 else d for d in target)
        size = math.prod(rest)
        if -1 in target:
            if known == 0 or size % known:
                raise self._mismatch(input_shape)
            return tuple(size // known if d == -1 else d for d in target)
        if known != size:
            raise self._mismatch(input_shape)
        return target

    def _mismatch(self, input_shape):
        return ValueError(
            f'Reshape "{self.name}": cannot reshape input of shape {tuple(input_shape)} '
            f"({math.prod(input_shape[1:])} values per sample) to target_shape "
            f"{self.target_shape}: the total number of values must stay the same.")

    def call(self, inputs):
        target = self._resolve(tuple(inputs.shape))
        return ops.reshape(inputs, (inputs.shape[0],) + target)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(input_shape)

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


class Permute(_ShapeLayer):
    """Permutes the non-batch axes; `dims` is 1-based, e.g. (2, 1) swaps axes 1 and 2."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(
                f'Permute "{self.name}": `dims` must be a permutation of 1..{len(dims)} '
                f"(the batch axis 0 is never moved), received dims={dims}.")
        self.dims = dims
        self.input_spec = InputSpec(ndim=len(dims) + 1)

    def call(self, inputs):
        return ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = self.dims
        return config


class RepeatVector(_ShapeLayer):
    """(batch, features) -> (batch, n, features)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise TypeError(f'RepeatVector "{self.name}": `n` must be a non-negative int, '
                            f"received n={n!r}.")
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config
