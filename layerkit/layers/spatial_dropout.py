"""SpatialDropout1D/2D/3D: dropout of whole feature maps (one draw per sample and
channel, shared over the steps or pixels), through `layerkit.random.dropout` with
a noise shape, so neighbouring correlated values are dropped together."""
from layerkit import config
from layerkit import random as lk_random
from layerkit.layers.core import Dropout
from layerkit.layers.input_spec import InputSpec


class _SpatialDropout(Dropout):
    _RANK = None          # input rank (batch included)
    _HAS_FORMAT = True

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        if "noise_shape" in kwargs:
            raise TypeError(f"{type(self).__name__}: `noise_shape` is not an argument; the "
                            "noise is shared over the spatial axes by definition.")
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self._RANK)

    def _noise_shape(self, shape):
        spatial = (1,) * (self._RANK - 2)
        if self.data_format == "channels_first":
            return (shape[0], shape[1]) + spatial
        return (shape[0],) + spatial + (shape[-1],)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        return lk_random.dropout(inputs, self.rate,
                                 noise_shape=self._noise_shape(tuple(inputs.shape)),
                                 seed=self.seed_generator)

    def get_config(self):
        # Keras 3's keys: no noise_shape, and trainable is not stored.
        config = {"rate": self.rate, "seed": self.seed, "name": self.name,
                  "dtype": self.dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        if self._HAS_FORMAT:
            config["data_format"] = self.data_format
        return config


class SpatialDropout1D(_SpatialDropout):
    """Drops whole channels of (batch, steps, channels) inputs."""
    _RANK = 3
    _HAS_FORMAT = False

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, data_format="channels_last", seed=seed, **kwargs)


class SpatialDropout2D(_SpatialDropout):
    """Drops whole feature maps of 4-D inputs (channels_last or channels_first)."""
    _RANK = 4


class SpatialDropout3D(_SpatialDropout):
    """Drops whole feature volumes of 5-D inputs (channels_last or channels_first)."""
    _RANK = 5
