"""UpSampling1D/2D/3D: repeat each cell `size` times per spatial axis
('nearest'); UpSampling2D also interpolates 'bilinear'.

Bilinear follows Keras 3 (jax.image.resize, half-pixel centres, edges
clamped): for an integer factor that is, per axis, a fixed (out, in) matrix of
interpolation weights, applied with one einsum per axis. It is built once per
input size with numpy, so the same code runs on both engines and
differentiates through the engine's einsum.
"""
import numpy as np

from layerkit import ops
from layerkit.layers import conv_arguments as args
from layerkit.layers.input_spec import InputSpec
from layerkit.layers.reshaping import _ShapeLayer

# Keras 3 UpSampling2D interpolations that layerkit does not implement.
_UNSUPPORTED = ("bicubic", "lanczos3", "lanczos5", "area")


def bilinear_weights(size, factor):
    """(size * factor, size) weights: output cell o samples input position
    (o + 0.5) / factor - 0.5, clamped to the first and last cells."""
    source = (np.arange(size * factor) + 0.5) / factor - 0.5
    source = np.clip(source, 0, size - 1)
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, size - 1)
    frac = source - low
    weights = np.zeros((size * factor, size), "float32")
    rows = np.arange(size * factor)
    np.add.at(weights, (rows, low), 1 - frac)
    np.add.at(weights, (rows, high), frac)
    return weights


class UpSampling(_ShapeLayer):
    """Repeats the cells of each spatial axis `size[i]` times."""

    def __init__(self, rank, size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.size = args.int_tuple(self, size, rank, "size")
        self.data_format = args.data_format(self, data_format)
        self.input_spec = InputSpec(ndim=rank + 2)

    def call(self, inputs):
        for axis, factor in zip(args.spatial_axes(self.rank, self.data_format), self.size):
            if factor != 1:
                inputs = ops.repeat(inputs, factor, axis=axis)
        return inputs

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for axis, factor in zip(args.spatial_axes(self.rank, self.data_format), self.size):
            out[axis] = None if out[axis] is None else out[axis] * factor
        return tuple(out)

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format})
        return config


class UpSampling1D(UpSampling):
    """(batch, steps, features) -> (batch, steps * size, features)."""

    def __init__(self, size=2, **kwargs):
        super().__init__(1, size, data_format="channels_last", **kwargs)

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size[0]  # Keras keeps an int here
        del config["data_format"]
        return config


class UpSampling2D(UpSampling):
    """Images scaled up by `size` = (rows, cols), 'nearest' or 'bilinear'."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(2, size, data_format=data_format, **kwargs)
        mode = interpolation.lower() if isinstance(interpolation, str) else interpolation
        if mode in _UNSUPPORTED:
            raise NotImplementedError(
                f"{args.describe(self)}: interpolation={interpolation!r} is not supported by "
                "layerkit; use 'nearest' or 'bilinear'.")
        if mode not in ("nearest", "bilinear"):
            raise ValueError(f"{args.describe(self)}: `interpolation` must be 'nearest' or "
                             f"'bilinear', received interpolation={interpolation!r}.")
        self.interpolation = mode

    def call(self, inputs):
        if self.interpolation == "nearest":
            return super().call(inputs)
        rows, cols = args.spatial_axes(2, self.data_format)
        h = ops.convert_to_tensor(bilinear_weights(inputs.shape[rows], self.size[0]),
                                  inputs.dtype)
        w = ops.convert_to_tensor(bilinear_weights(inputs.shape[cols], self.size[1]),
                                  inputs.dtype)
        # One axis at a time: contracting both weights at once could build their
        # (out_rows, rows, out_cols, cols) product first.
        if self.data_format == "channels_last":
            return ops.einsum("qw,bpwc->bpqc", w, ops.einsum("ph,bhwc->bpwc", h, inputs))
        return ops.einsum("qw,bcpw->bcpq", w, ops.einsum("ph,bchw->bcpw", h, inputs))

    def get_config(self):
        config = super().get_config()
        config["interpolation"] = self.interpolation
        return config


class UpSampling3D(UpSampling):
    """Volumes scaled up by `size` = (depth, rows, cols), repeating cells."""

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(3, size, data_format=data_format, **kwargs)
