"""GroupNormalization (Wu & He 2018): the channels along `axis` are split into
`groups`; each sample is normalized per group over the group's channels and all the
other non-batch axes. groups=-1 is instance normalization, groups=1 layer
normalization over all non-batch axes.

Written over `layerkit.ops` (a reshape into groups, moments, one elementwise tail)
so XLA fuses it on JAX; torch's `F.group_norm` wants channels first, which the
default channels_last data would pay a transpose for.
"""
from layerkit import constraints, initializers, ops, regularizers
from layerkit.layers.input_spec import InputSpec
from layerkit.layers.layer import Layer
from layerkit.layers.layer_normalization import check_axes_in_bounds


class GroupNormalization(Layer):
    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        if isinstance(groups, bool) or not isinstance(groups, int) or \
                (groups <= 0 and groups != -1):
            raise ValueError(f'GroupNormalization "{self.name}": `groups` must be a positive '
                             f"integer (or -1 for instance normalization), received "
                             f"groups={groups!r}.")
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(f'GroupNormalization "{self.name}": `axis` must be an int, '
                            f"received axis={axis!r}.")
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.gamma = self.beta = None

    def build(self, input_shape):
        check_axes_in_bounds(self, self.axis, input_shape)
        channels = input_shape[self.axis]
        if channels is None:
            raise ValueError(f'GroupNormalization "{self.name}": axis {self.axis} must have '
                             f"a known size, received input shape {tuple(input_shape)}.")
        if self.groups == -1:
            self.groups = channels
        if channels < self.groups or channels % self.groups:
            raise ValueError(f'GroupNormalization "{self.name}": the {channels} channels of '
                             f"axis {self.axis} cannot be split into groups={self.groups}; "
                             "the number of channels must be a multiple of `groups`.")
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: channels})
        if self.scale:
            self.gamma = self.add_weight(name="gamma", shape=(channels,),
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(name="beta", shape=(channels,),
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        self.built = True

    def call(self, inputs):
        dtype = ops.dtype(inputs)
        x = inputs if dtype in ("float32", "float64") else ops.cast(inputs, "float32")
        shape = tuple(x.shape)
        ndim = len(shape)
        axis = self.axis % ndim
        per_group = shape[axis] // self.groups
        # (batch, ..., groups, channels per group, ...): statistics over every axis
        # but the batch and the group axis.
        grouped = ops.reshape(x, shape[:axis] + (self.groups, per_group) + shape[axis + 1:])
        reduce = [a for a in range(1, ndim + 1) if a != axis]
        mean, variance = ops.moments(grouped, reduce, keepdims=True)
        inv = 1.0 / ops.sqrt(variance + self.epsilon)
        param_shape = [1] * (ndim + 1)
        param_shape[axis], param_shape[axis + 1] = self.groups, per_group
        if self.gamma is not None:
            inv = inv * ops.reshape(ops.cast(self.gamma.value, x.dtype), param_shape)
        shift = -mean * inv
        if self.beta is not None:
            shift = shift + ops.reshape(ops.cast(self.beta.value, x.dtype), param_shape)
        outputs = ops.reshape(grouped * inv + shift, shape)
        if ops.dtype(outputs) != self.compute_dtype:
            outputs = ops.cast(outputs, self.compute_dtype)
        return outputs

    def compute_output_shape(self, input_shape):
        check_axes_in_bounds(self, self.axis, input_shape)
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        })
        return config
