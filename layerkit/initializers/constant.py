"""Initializers with fixed values: Zeros, Ones, Constant, Identity."""
import numpy as np

from layerkit.initializers.base import Initializer, _numpy_dtype, _shape


class Zeros(Initializer):
    def __call__(self, shape, dtype=None):
        return np.zeros(_shape(shape), dtype=_numpy_dtype(dtype)[0])


class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        return np.ones(_shape(shape), dtype=_numpy_dtype(dtype)[0])


class Constant(Initializer):
    def __init__(self, value=0.0):
        if hasattr(value, "shape") and hasattr(value, "dtype") and not isinstance(value, np.ndarray):
            from layerkit.engine import convert_to_numpy
            value = convert_to_numpy(value)
        self.value = value

    def __call__(self, shape, dtype=None):
        np_dtype = _numpy_dtype(dtype)[0]
        value = np.asarray(self.value)
        shape = _shape(shape)
        try:
            out = np.broadcast_to(value, shape)
        except ValueError as e:
            raise ValueError(f"Constant initializer: value of shape {value.shape} cannot be "
                             f"broadcast to the weight shape {shape}.") from e
        return np.array(out, dtype=np_dtype)

    def get_config(self):
        value = self.value
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif isinstance(value, np.generic):
            value = value.item()
        return {"value": value}


class Identity(Initializer):
    """`gain * eye(rows, cols)` for a 2-D weight."""

    def __init__(self, gain=1.0):
        self.gain = float(gain)

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError(f"Identity initializer works only on 2-D shapes; received "
                             f"shape={shape}. Use it for Dense kernels or square matrices.")
        return (self.gain * np.eye(shape[0], shape[1])).astype(_numpy_dtype(dtype)[0])

    def get_config(self):
        return {"gain": self.gain}
