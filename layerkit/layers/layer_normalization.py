"""LayerNormalization: normalizes each sample over `axis` with its own mean and
variance (Ba et al. 2016), through the engine's `layer_normalization` (torch's
fused `F.layer_norm` when the axes are the trailing ones)."""
import warnings

from layerkit import constraints, initializers, ops, regularizers
from layerkit.layers.layer import Layer


def check_axis(layer, axis):
    """An int or a list of ints (a tuple becomes a list, as in Keras's config)."""
    if isinstance(axis, (list, tuple)) and axis and \
            all(isinstance(a, int) and not isinstance(a, bool) for a in axis):
        return list(axis)
    if isinstance(axis, int) and not isinstance(axis, bool):
        return axis
    raise TypeError(f'{type(layer).__name__} "{layer.name}": `axis` must be an int or a '
                    f"list/tuple of ints, received axis={axis!r}.")


def check_axes_in_bounds(layer, axis, input_shape):
    ndim = len(input_shape)
    for a in ([axis] if isinstance(axis, int) else axis):
        if not -ndim <= a < ndim:
            raise ValueError(f'{type(layer).__name__} "{layer.name}": axis {a} is out of '
                             f"bounds for input shape {tuple(input_shape)} (axis={axis}).")


class LayerNormalization(Layer):
    """`gamma * (x - mean) / sqrt(var + epsilon) + beta`, the statistics taken per
    sample over `axis`."""

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        rms_scaling = bool(kwargs.pop("rms_scaling", False))
        if rms_scaling:
            # Keras 3 keeps this deprecated option: it divides by the standard
            # deviation without centering (not a true RMS).
            warnings.warn("LayerNormalization: `rms_scaling=True` is deprecated in Keras 3 "
                          "(it scales by the variance, not the root mean square); it is "
                          "kept as Keras computes it.", stacklevel=2)
        super().__init__(**kwargs)
        self.axis = check_axis(self, axis)
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
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
        # As in Keras, the axis becomes a sorted list once built.
        axes = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        shape = tuple(input_shape[a] for a in axes)
        if any(d is None for d in shape):
            raise ValueError(f'LayerNormalization "{self.name}": the normalized axes {axes} '
                             f"must have known sizes, received input shape "
                             f"{tuple(input_shape)}.")
        self.axis = axes
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(name="gamma", shape=shape,
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(name="beta", shape=shape,
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        self.built = True

    def call(self, inputs):
        dtype = ops.dtype(inputs)
        if not dtype.startswith("float"):
            inputs = ops.cast(inputs, "float32")
        gamma = None if self.gamma is None else self.gamma.value
        if self.rms_scaling:
            x = inputs if dtype not in ("float16", "bfloat16") else ops.cast(inputs, "float32")
            variance = ops.var(x, axis=self.axis, keepdims=True)
            outputs = x / ops.sqrt(variance + self.epsilon)
            if gamma is not None:
                outputs = outputs * ops.reshape(ops.cast(gamma, x.dtype),
                                                self._broadcast_shape(x))
        else:
            beta = None if self.beta is None else self.beta.value
            outputs = ops.layer_normalization(inputs, gamma, beta, self.axis, self.epsilon)
        if ops.dtype(outputs) != self.compute_dtype:
            outputs = ops.cast(outputs, self.compute_dtype)
        return outputs

    def _broadcast_shape(self, x):
        shape = [1] * len(x.shape)
        for a in self.axis:
            shape[a] = x.shape[a]
        return shape

    def compute_output_shape(self, input_shape):
        check_axes_in_bounds(self, self.axis, input_shape)
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        })
        return config
