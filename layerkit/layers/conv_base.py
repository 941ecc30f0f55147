"""What every kernel-based convolution layer shares: the window geometry
(kernel_size, strides, padding, data_format, dilation_rate), the bias and the
activation, their checks and config. The subclasses make their kernels and pick
the `layerkit.ops` convolution that uses them (convolution.py, conv_transpose.py,
depthwise_separable.py)."""
from layerkit import activations, regularizers
from layerkit import ops
from layerkit.layers import conv_arguments as args
from layerkit.layers.input_spec import InputSpec
from layerkit.layers.layer import Layer
from layerkit.layers.weight_arguments import add_kernel, kernel_arguments, kernel_config


class BaseConv(Layer):
    """Geometry, bias and activation of a `rank`-D convolution layer."""

    # Conv1D accepts padding="causal"; Conv2D/3D and the others do not (as in Keras).
    _allows_causal = False

    def __init__(self, rank, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, bias_initializer="zeros",
                 bias_regularizer=None, bias_constraint=None, activity_regularizer=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.kernel_size = args.int_tuple(self, kernel_size, rank, "kernel_size")
        self.strides = args.int_tuple(self, strides, rank, "strides")
        self.dilation_rate = args.int_tuple(self, dilation_rate, rank, "dilation_rate")
        self.padding = args.padding_mode(self, padding, self._allows_causal and rank == 1)
        self.data_format = args.data_format(self, data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        kernel_arguments(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)
        self.bias = None

    def _forbid_strided_dilation(self):
        """Conv and ConvTranspose layers refuse strides > 1 with dilation_rate > 1
        (as Keras does); the depthwise and separable layers take both."""
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{args.describe(self)}: strides > 1 cannot be combined with dilation_rate "
                f"> 1, received strides={self.strides} and "
                f"dilation_rate={self.dilation_rate}.")

    # --- shapes --------------------------------------------------------
    def _input_channels(self, input_shape):
        """Checks the input's rank and returns its channel count (must be known)."""
        input_shape = args.spatial_rank_shape(self, input_shape)
        channels = input_shape[args.channel_axis(self.data_format)]
        if channels is None:
            raise ValueError(
                f"{args.describe(self)}: the channel dimension of the inputs must be known "
                f"(data_format={self.data_format!r}), received input shape {input_shape}.")
        return channels

    def _spatial(self, input_shape):
        return [input_shape[a] for a in args.spatial_axes(self.rank, self.data_format)]

    def _with_channels(self, batch, spatial, channels):
        if self.data_format == "channels_last":
            return (batch, *spatial, channels)
        return (batch, channels, *spatial)

    def _conv_spatial(self, input_shape):
        """Output spatial sizes of a forward convolution; a window that does not
        fit a 'valid' input raises, naming the axis."""
        return list(args.conv_output_spatial(self, self._spatial(input_shape), input_shape))

    # --- weights and call ----------------------------------------------
    def _add_bias_weight(self, size):
        if self.use_bias:
            self.bias = add_kernel(self, "bias", "bias", (size,))

    def _set_channel_spec(self, channels):
        self.input_spec = InputSpec(ndim=self.rank + 2,
                                    axes={args.channel_axis(self.data_format): channels})

    def _bias_value(self):
        """The bias for the conv ops' `bias` argument (added inside the engine's kernel),
        or None."""
        return None if self.bias is None else self.bias.value

    def _activation(self, outputs):
        return outputs if self.activation is activations.linear else self.activation(outputs)

    def _bias_and_activation(self, outputs):
        if self.bias is not None:
            bias = self.bias.value
            if self.data_format == "channels_first":
                bias = ops.reshape(bias, (-1,) + (1,) * self.rank)
            outputs = ops.add(outputs, bias)
        if self.activation is not activations.linear:
            outputs = self.activation(outputs)
        return outputs

    # --- config ----------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        config.update({
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **kernel_config(self, "bias"),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
        })
        return config
