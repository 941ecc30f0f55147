"""DepthwiseConv1D/2D and SeparableConv1D/2D.

Depthwise: each input channel convolved with its own `depth_multiplier`
kernels, kernel (kernel_size..., channels, depth_multiplier), output channel
c * depth_multiplier + m (the weight is named "kernel", as in Keras 3).
Separable: that depthwise step, then a 1x1 convolution mixing the channels
into `filters` (weights depthwise_kernel, pointwise_kernel, bias).
Unlike Conv, both take strides > 1 together with dilation_rate > 1, as Keras 3.
"""
import warnings

from layerkit import engine, ops
from layerkit.layers import conv_arguments as args
from layerkit.layers.conv_base import BaseConv
from layerkit.layers.weight_arguments import add_kernel, kernel_arguments, kernel_config


class DepthwiseConv(BaseConv):
    """The N-D depthwise convolution layer behind DepthwiseConv1D/2D."""

    def __init__(self, rank, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         bias_constraint=bias_constraint,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.depth_multiplier = args.positive_int(self, depth_multiplier, "depth_multiplier")
        kernel_arguments(self, "depthwise", depthwise_initializer, depthwise_regularizer,
                         depthwise_constraint)
        self.kernel = None

    @property
    def depthwise_kernel(self):
        """Keras 2's name for the kernel."""
        return self.kernel

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self._conv_spatial(input_shape)
        self.kernel = add_kernel(self, "kernel", "depthwise",
                                 self.kernel_size + (channels, self.depth_multiplier))
        # On PyTorch, stored in the memory order torch's grouped convolution reads.
        engine.core.keep_conv_kernel_layout(self.kernel, depthwise=True)
        self._add_bias_weight(channels * self.depth_multiplier)
        self._set_channel_spec(channels)
        self.built = True

    def call(self, inputs):
        outputs = ops.depthwise_conv(inputs, self.kernel.value, strides=self.strides,
                                     padding=self.padding, data_format=self.data_format,
                                     dilation_rate=self.dilation_rate, bias=self._bias_value())
        return self._activation(outputs)

    def compute_output_shape(self, input_shape):
        channels = self._input_channels(input_shape)
        return self._with_channels(input_shape[0], self._conv_spatial(input_shape),
                                   channels * self.depth_multiplier)

    def get_config(self):
        config = super().get_config()
        config.update({"depth_multiplier": self.depth_multiplier,
                       **kernel_config(self, "depthwise")})
        return config


class DepthwiseConv1D(DepthwiseConv):
    """Depthwise 1D convolution over (batch, steps, channels)."""

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, kernel_size, strides, padding, depth_multiplier, data_format,
                         dilation_rate, activation, use_bias, depthwise_initializer,
                         bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)


class DepthwiseConv2D(DepthwiseConv):
    """Depthwise 2D convolution over (batch, rows, cols, channels) images."""

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, kernel_size, strides, padding, depth_multiplier, data_format,
                         dilation_rate, activation, use_bias, depthwise_initializer,
                         bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)


def _drop_keras2_kernel_keywords(class_name, kwargs):
    """Keras 2's separable convolutions took kernel_initializer/regularizer/constraint
    (through their Conv base) and ignored them: the weights are the depthwise and
    pointwise kernels. Published programs pass them (the emotion classifier's
    mini-Xception passes kernel_regularizer), so they are accepted with a warning that
    says they have no effect, as they had none in Keras 2. Keras 3 rejects them."""
    for key in ("kernel_initializer", "kernel_regularizer", "kernel_constraint"):
        if key in kwargs:
            kwargs.pop(key)
            warnings.warn(
                f"{class_name}: `{key}` has no effect on a separable convolution (Keras 2 "
                f"accepted and ignored it); use depthwise_{key[7:]} and pointwise_{key[7:]}.",
                stacklevel=4)


class SeparableConv(BaseConv):
    """The N-D separable convolution layer behind SeparableConv1D/2D."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, depth_multiplier=1, activation=None,
                 use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        _drop_keras2_kernel_keywords(type(self).__name__, kwargs)
        super().__init__(rank, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         bias_constraint=bias_constraint,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.filters = args.positive_int(self, filters, "filters")
        self.depth_multiplier = args.positive_int(self, depth_multiplier, "depth_multiplier")
        kernel_arguments(self, "depthwise", depthwise_initializer, depthwise_regularizer,
                         depthwise_constraint)
        kernel_arguments(self, "pointwise", pointwise_initializer, pointwise_regularizer,
                         pointwise_constraint)
        self.depthwise_kernel = None
        self.pointwise_kernel = None

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self._conv_spatial(input_shape)
        self.depthwise_kernel = add_kernel(self, "depthwise_kernel", "depthwise",
                                           self.kernel_size + (channels, self.depth_multiplier))
        self.pointwise_kernel = add_kernel(
            self, "pointwise_kernel", "pointwise",
            (1,) * self.rank + (channels * self.depth_multiplier, self.filters))
        engine.core.keep_conv_kernel_layout(self.depthwise_kernel, depthwise=True)
        engine.core.keep_conv_kernel_layout(self.pointwise_kernel, data_format=self.data_format)
        self._add_bias_weight(self.filters)
        self._set_channel_spec(channels)
        self.built = True

    def call(self, inputs):
        outputs = ops.separable_conv(inputs, self.depthwise_kernel.value,
                                     self.pointwise_kernel.value, strides=self.strides,
                                     padding=self.padding, data_format=self.data_format,
                                     dilation_rate=self.dilation_rate, bias=self._bias_value())
        return self._activation(outputs)

    def compute_output_shape(self, input_shape):
        self._input_channels(input_shape)
        return self._with_channels(input_shape[0], self._conv_spatial(input_shape),
                                   self.filters)

    def get_config(self):
        config = super().get_config()
        config.update({"filters": self.filters, "depth_multiplier": self.depth_multiplier,
                       **kernel_config(self, "depthwise"), **kernel_config(self, "pointwise")})
        return config


class SeparableConv1D(SeparableConv):
    """Separable 1D convolution over (batch, steps, channels)."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(1, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         depth_multiplier, activation, use_bias, depthwise_initializer,
                         pointwise_initializer, bias_initializer, depthwise_regularizer,
                         pointwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, pointwise_constraint, bias_constraint, **kwargs)


class SeparableConv2D(SeparableConv):
    """Separable 2D convolution over (batch, rows, cols, channels) images."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         depth_multiplier, activation, use_bias, depthwise_initializer,
                         pointwise_initializer, bias_initializer, depthwise_regularizer,
                         pointwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, pointwise_constraint, bias_constraint, **kwargs)
