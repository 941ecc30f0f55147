"""Conv1D, Conv2D, Conv3D: `activation(conv(inputs, kernel) + bias)`, with groups.

The kernel is (kernel_size..., in_channels // groups, filters), Keras's layout;
`ops.conv` hands it to jax.lax.conv_general_dilated or torch's conv1d/2d/3d.
Conv1D's padding='causal' pads (kernel_size - 1) * dilation_rate steps before
the sequence inside the same kernel call.
"""
from layerkit import engine, ops
from layerkit.layers import conv_arguments as args
from layerkit.layers.conv_base import BaseConv
from layerkit.layers.weight_arguments import add_kernel, kernel_arguments, kernel_config


class Conv(BaseConv):
    """The N-D convolution layer behind Conv1D/2D/3D."""

    _allows_causal = True

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        for key in ("lora_rank", "lora_alpha"):
            if kwargs.pop(key, None) is not None:
                raise NotImplementedError(
                    f"{type(self).__name__}: `{key}` (LoRA) is not supported by layerkit.")
        super().__init__(rank, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         bias_constraint=bias_constraint,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.filters = args.positive_int(self, filters, "filters")
        self.groups = args.positive_int(self, groups, "groups")
        if self.filters % self.groups:
            raise ValueError(f"{args.describe(self)}: `filters` must be divisible by `groups`, "
                             f"received filters={self.filters} and groups={self.groups}.")
        self._forbid_strided_dilation()
        kernel_arguments(self, "kernel", kernel_initializer, kernel_regularizer,
                         kernel_constraint)
        self.kernel = None

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        if channels % self.groups:
            raise ValueError(
                f"{args.describe(self)}: the input's {channels} channels must be divisible "
                f"by groups={self.groups} (input shape {tuple(input_shape)}).")
        self._conv_spatial(input_shape)  # a kernel that does not fit raises here
        self.kernel = add_kernel(self, "kernel", "kernel",
                                 self.kernel_size + (channels // self.groups, self.filters))
        # On PyTorch, stored in the memory order torch's convolution reads.
        engine.core.keep_conv_kernel_layout(self.kernel, data_format=self.data_format,
                                            strides=self.strides, groups=self.groups)
        self._add_bias_weight(self.filters)
        self._set_channel_spec(channels)
        self.built = True

    def call(self, inputs):
        outputs = ops.conv(inputs, self.kernel.value, strides=self.strides,
                           padding=self.padding, data_format=self.data_format,
                           dilation_rate=self.dilation_rate, bias=self._bias_value())
        return self._activation(outputs)

    def compute_output_shape(self, input_shape):
        self._input_channels(input_shape)
        return self._with_channels(input_shape[0], self._conv_spatial(input_shape),
                                   self.filters)

    def get_config(self):
        config = super().get_config()
        config.update({"filters": self.filters, "groups": self.groups,
                       **kernel_config(self, "kernel")})
        return config


class Conv1D(Conv):
    """1D convolution over (batch, steps, channels); padding may be 'causal'."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)


class Conv2D(Conv):
    """2D convolution over (batch, rows, cols, channels) images."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)


class Conv3D(Conv):
    """3D convolution over (batch, depth, rows, cols, channels) volumes."""

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1, 1), groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(3, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)
