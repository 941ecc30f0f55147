"""GlobalMaxPooling1D/2D/3D and GlobalAveragePooling1D/2D/3D (Keras 2's
GlobalMaxPool*/GlobalAvgPool*): the max or mean over every spatial axis.

GlobalAveragePooling1D takes a (batch, steps) mask and averages over the
unmasked steps only; the layer consumes the mask (its output has none).
"""
from layerkit import ops
from layerkit.layers import conv_arguments as args
from layerkit.layers.input_spec import InputSpec
from layerkit.layers.layer import Layer


class GlobalPooling(Layer):
    """Reduces the spatial axes of a (batch, spatial..., channels) tensor."""

    def __init__(self, rank, mode, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.pool_mode = mode
        self.data_format = args.data_format(self, data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=rank + 2)

    @property
    def _axes(self):
        return args.spatial_axes(self.rank, self.data_format)

    def call(self, inputs):
        reduce = ops.max if self.pool_mode == "max" else ops.mean
        return reduce(inputs, axis=self._axes, keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        input_shape = args.spatial_rank_shape(self, input_shape)
        if self.keepdims:
            return tuple(1 if axis in self._axes else d for axis, d in enumerate(input_shape))
        channels = input_shape[args.channel_axis(self.data_format)]
        return (input_shape[0], channels)

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class GlobalMaxPooling1D(GlobalPooling):
    """Max over the steps of (batch, steps, channels)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, "max", data_format=data_format, keepdims=keepdims, **kwargs)


class GlobalMaxPooling2D(GlobalPooling):
    """Max over the rows and cols of (batch, rows, cols, channels)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, "max", data_format=data_format, keepdims=keepdims, **kwargs)


class GlobalMaxPooling3D(GlobalPooling):
    """Max over the three spatial axes of (batch, depth, rows, cols, channels)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, "max", data_format=data_format, keepdims=keepdims, **kwargs)


class GlobalAveragePooling1D(GlobalPooling):
    """Mean over the steps of (batch, steps, channels); with a mask, over the
    unmasked steps (a sample with every step masked gives NaN, as in Keras)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, "average", data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        steps = self._axes[0]
        expected = (inputs.shape[0], inputs.shape[steps])
        if tuple(mask.shape) != expected:
            raise ValueError(
                f"{args.describe(self)}: expected a mask of shape (batch, steps) = {expected} "
                f"for inputs of shape {tuple(inputs.shape)}, received a mask of shape "
                f"{tuple(mask.shape)}.")
        # The mask gets a channel axis of 1, broadcast over the channels; masked
        # steps are zeroed with `where` so that a NaN there cannot leak in.
        mask = ops.expand_dims(ops.convert_to_tensor(mask), 3 - steps)
        inputs = ops.where(ops.cast(mask, "bool"), inputs, ops.zeros_like(inputs))
        total = ops.sum(inputs, axis=steps, keepdims=self.keepdims)
        return total / ops.sum(ops.cast(mask, inputs.dtype), axis=steps, keepdims=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalAveragePooling2D(GlobalPooling):
    """Mean over the rows and cols of (batch, rows, cols, channels)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, "average", data_format=data_format, keepdims=keepdims, **kwargs)


class GlobalAveragePooling3D(GlobalPooling):
    """Mean over the three spatial axes of (batch, depth, rows, cols, channels)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, "average", data_format=data_format, keepdims=keepdims, **kwargs)
