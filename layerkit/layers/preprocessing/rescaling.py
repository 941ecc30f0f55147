"""Rescaling: inputs * scale + offset, in the layer's compute dtype."""
import numpy as np

from layerkit import config, ops
from layerkit.layers.layer import Layer


class Rescaling(Layer):
    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("scale", scale), ("offset", offset)):
            try:
                np.asarray(value, dtype=np.float64)
            except (TypeError, ValueError):
                raise TypeError(f'Rescaling "{self.name}": `{name}` must be a number or a list '
                                f"of numbers, received {name}={value!r}.") from None
        self.scale = scale
        self.offset = offset
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        dtype = self.compute_dtype
        scale = np.asarray(self.scale, dtype=dtype)
        offset = np.asarray(self.offset, dtype=dtype)
        # A per-channel scale lines up with the channel axis under channels_first.
        if scale.ndim > 0 and config.image_data_format() == "channels_first":
            scale = scale.reshape(scale.shape + (1,) * (3 - scale.ndim))
        return ops.cast(inputs, dtype) * ops.convert_to_tensor(scale) + ops.convert_to_tensor(offset)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config_ = super().get_config()
        config_.update({"scale": _plain(self.scale), "offset": _plain(self.offset)})
        return config_


def _plain(value):
    """A JSON-friendly copy: numpy values become Python numbers and lists."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    return value
