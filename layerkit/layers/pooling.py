"""MaxPooling1D/2D/3D and AveragePooling1D/2D/3D (Keras 2's MaxPool*/AvgPool*).

`ops.max_pool` / `ops.average_pool` do the work in one engine call
(jax.lax.reduce_window, torch's max_pool/avg_pool). Average pooling with
'same' padding divides each window by the real cells it covers, leaving the
padded ones out (the TensorFlow and JAX definition), on both engines.
"""
from layerkit import ops
from layerkit.engine.common.conv_utils import conv_output_length
from layerkit.layers import conv_arguments as args
from layerkit.layers.input_spec import InputSpec
from layerkit.layers.layer import Layer


class Pooling(Layer):
    """N-D max or average pooling over the spatial axes."""

    def __init__(self, rank, mode, pool_size, strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.pool_mode = mode
        self.pool_size = args.int_tuple(self, pool_size, rank, "pool_size")
        self.strides = (self.pool_size if strides is None
                        else args.int_tuple(self, strides, rank, "strides"))
        self.padding = args.padding_mode(self, padding)
        self.data_format = args.data_format(self, data_format)
        self.input_spec = InputSpec(ndim=rank + 2)

    def call(self, inputs):
        pool = ops.max_pool if self.pool_mode == "max" else ops.average_pool
        return pool(inputs, self.pool_size, strides=self.strides, padding=self.padding,
                    data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        input_shape = args.spatial_rank_shape(self, input_shape)
        out = list(input_shape)
        for axis, window, step in zip(args.spatial_axes(self.rank, self.data_format),
                                      self.pool_size, self.strides):
            length = conv_output_length(input_shape[axis], window, step, self.padding)
            if length is not None and length <= 0:
                raise ValueError(
                    f"{args.describe(self)}: pool_size={self.pool_size} is larger than the "
                    f"input (shape {input_shape}) on axis {axis}, so padding='valid' leaves "
                    "no output. Use padding='same' or a smaller pool_size.")
            out[axis] = length
        return tuple(out)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # a window that does not fit raises here
        self.built = True

    def get_config(self):
        config = super().get_config()
        config.update({"pool_size": self.pool_size, "padding": self.padding,
                       "strides": self.strides, "data_format": self.data_format})
        return config


# Keras 3 makes AveragePooling's pool_size required; Keras 2's default (2 per axis)
# is kept so that Keras 2 programs that leave it out still run.


class MaxPooling1D(Pooling):
    """Max over windows of (batch, steps, channels)."""

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(1, "max", pool_size, strides=strides, padding=padding,
                         data_format=data_format, **kwargs)


class MaxPooling2D(Pooling):
    """Max over windows of (batch, rows, cols, channels)."""

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(2, "max", pool_size, strides=strides, padding=padding,
                         data_format=data_format, **kwargs)


class MaxPooling3D(Pooling):
    """Max over windows of (batch, depth, rows, cols, channels)."""

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(3, "max", pool_size, strides=strides, padding=padding,
                         data_format=data_format, **kwargs)


class AveragePooling1D(Pooling):
    """Mean over windows of (batch, steps, channels)."""

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(1, "average", pool_size, strides=strides, padding=padding,
                         data_format=data_format, **kwargs)


class AveragePooling2D(Pooling):
    """Mean over windows of (batch, rows, cols, channels)."""

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(2, "average", pool_size, strides=strides, padding=padding,
                         data_format=data_format, **kwargs)


class AveragePooling3D(Pooling):
    """Mean over windows of (batch, depth, rows, cols, channels)."""

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(3, "average", pool_size, strides=strides, padding=padding,
                         data_format=data_format, **kwargs)
