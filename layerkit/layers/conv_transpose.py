"""Conv1DTranspose, Conv2DTranspose, Conv3DTranspose (Keras 2's Deconvolution2D/3D):
the gradient of a convolution with respect to its input, e.g. to upsample.

The kernel is (kernel_size..., filters, in_channels), Keras's layout, and
`ops.conv_transpose` gives Keras's output sizes: with output_padding=None,
'same' makes size * strides cells and 'valid' (size - 1) * strides +
max(kernel, strides); an explicit output_padding (< strides) adds cells after.
"""
from layerkit import engine, ops
from layerkit.engine.common.conv_utils import transpose_output_length
from layerkit.layers import conv_arguments as args
from layerkit.layers.conv_base import BaseConv
from layerkit.layers.weight_arguments import add_kernel, kernel_arguments, kernel_config


class ConvTranspose(BaseConv):
    """The N-D transposed convolution layer behind Conv1D/2D/3DTranspose."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 output_padding=None, data_format=None, dilation_rate=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         bias_constraint=bias_constraint,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.filters = args.positive_int(self, filters, "filters")
        if output_padding is None:
            self.output_padding = None
        else:
            self.output_padding = args.int_tuple(self, output_padding, rank, "output_padding",
                                                 allow_zero=True)
            for axis, (extra, step) in enumerate(zip(self.output_padding, self.strides)):
                if extra >= step:
                    raise ValueError(
                        f"{args.describe(self)}: each value of `output_padding` must be "
                        f"smaller than the stride on its axis; on axis {axis} "
                        f"output_padding={extra} and strides={step} (received "
                        f"output_padding={self.output_padding}, strides={self.strides}).")
        self._forbid_strided_dilation()
        kernel_arguments(self, "kernel", kernel_initializer, kernel_regularizer,
                         kernel_constraint)
        self.kernel = None

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.kernel = add_kernel(self, "kernel", "kernel",
                                 self.kernel_size + (self.filters, channels))
        # On PyTorch, stored as torch's (in, out, spatial...) transposed-conv weight.
        engine.core.keep_conv_kernel_layout(self.kernel)
        self._add_bias_weight(self.filters)
        self._set_channel_spec(channels)
        self.built = True

    def call(self, inputs):
        outputs = ops.conv_transpose(inputs, self.kernel.value, strides=self.strides,
                                     padding=self.padding, output_padding=self.output_padding,
                                     data_format=self.data_format,
                                     dilation_rate=self.dilation_rate)
        return self._bias_and_activation(outputs)

    def compute_output_shape(self, input_shape):
        self._input_channels(input_shape)
        extras = self.output_padding or (None,) * self.rank
        spatial = [transpose_output_length(size, (k - 1) * d + 1, s, self.padding, extra)
                   for size, k, s, d, extra in zip(self._spatial(input_shape), self.kernel_size,
                                                   self.strides, self.dilation_rate, extras)]
        return self._with_channels(input_shape[0], spatial, self.filters)

    def get_config(self):
        config = super().get_config()
        config.update({"filters": self.filters, "output_padding": self.output_padding,
                       **kernel_config(self, "kernel")})
        return config


class Conv1DTranspose(ConvTranspose):
    """Transposed 1D convolution over (batch, steps, channels)."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


class Conv2DTranspose(ConvTranspose):
    """Transposed 2D convolution over (batch, rows, cols, channels) images."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


class Conv3DTranspose(ConvTranspose):
    """Transposed 3D convolution over (batch, depth, rows, cols, channels) volumes.
    Keras puts data_format before output_padding here (and only here)."""

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, output_padding=None, dilation_rate=(1, 1, 1),
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(3, filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)
