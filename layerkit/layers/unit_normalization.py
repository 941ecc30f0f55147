"""UnitNormalization: scales each sample to unit L2 norm over `axis`."""
from layerkit import ops
from layerkit.layers.layer import Layer
from layerkit.layers.layer_normalization import check_axes_in_bounds, check_axis


class UnitNormalization(Layer):
    """`x / ||x||_2` over `axis`; the inverse norm is capped at 1e12 (Keras's
    epsilon of 1e-12), so an all-zero slice stays zero."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = check_axis(self, axis)
        self.supports_masking = True
        self.built = True   # no weights: built at construction, as in Keras

    def call(self, inputs):
        x = inputs if ops.dtype(inputs).startswith("float") else ops.cast(inputs, "float32")
        square_sum = ops.sum(ops.square(x), axis=self.axis, keepdims=True)
        inv_norm = ops.minimum(1.0 / ops.sqrt(square_sum), 1e12)
        return x * inv_norm

    def compute_output_shape(self, input_shape):
        check_axes_in_bounds(self, self.axis, input_shape)
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
