"""The activation layers: ReLU (with max_value, negative_slope, threshold),
LeakyReLU, ELU, Softmax, ThresholdedReLU (Keras 2) and PReLU."""
from layerkit import activations, constraints, initializers, ops, regularizers
from layerkit.engine.common.dtypes import standardize_dtype
from layerkit.layers.layer import Layer


class _Elementwise(Layer):
    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class ReLU(_Elementwise):
    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0:
            raise ValueError(f'ReLU "{self.name}": max_value must be >= 0, received {max_value}.')
        if negative_slope is None or negative_slope < 0:
            raise ValueError(f'ReLU "{self.name}": negative_slope must be >= 0, received '
                             f"{negative_slope}.")
        if threshold is None or threshold < 0:
            raise ValueError(f'ReLU "{self.name}": threshold must be >= 0, received {threshold}.')
        self.max_value = max_value
        self.negative_slope = float(negative_slope)
        self.threshold = float(threshold)
        self.supports_masking = True

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(_Elementwise):
    def __init__(self, negative_slope=None, alpha=None, **kwargs):
        super().__init__(**kwargs)
        if negative_slope is None:
            # Keras 2 spelled it `alpha` with default 0.3; Keras 3 `negative_slope`, 0.3.
            negative_slope = 0.3 if alpha is None else alpha
        if negative_slope < 0:
            raise ValueError(f'LeakyReLU "{self.name}": negative_slope must be >= 0, '
                             f"received {negative_slope}.")
        self.negative_slope = float(negative_slope)
        self.supports_masking = True

    def call(self, inputs):
        return ops.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(_Elementwise):
    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)
        self.supports_masking = True

    def call(self, inputs):
        return ops.elu(inputs, alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class ThresholdedReLU(_Elementwise):
    """Keras 2: x where x > theta, else 0."""

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None or theta < 0:
            raise ValueError(f'ThresholdedReLU "{self.name}": theta must be >= 0, received '
                             f"{theta}.")
        self.theta = float(theta)
        self.supports_masking = True

    def call(self, inputs):
        return ops.where(inputs > self.theta, inputs, ops.zeros_like(inputs))

    def get_config(self):
        return {**super().get_config(), "theta": self.theta}


class Softmax(_Elementwise):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return activations.softmax(inputs, axis=self.axis)
        self._check_mask(inputs, mask)
        if standardize_dtype(mask.dtype) != "bool":
            mask = ops.greater(mask, 0.5)
        # Masked positions get a large negative logit, and a 0 output (an axis that is
        # masked everywhere would otherwise come out uniform), as in Keras 3.
        big_negative = -3e4 if standardize_dtype(inputs.dtype) == "float16" else -1e9
        outputs = activations.softmax(ops.where(mask, inputs, big_negative), axis=self.axis)
        return ops.where(mask, outputs, ops.zeros_like(outputs))

    def _check_mask(self, inputs, mask):
        m_shape, i_shape = tuple(mask.shape), tuple(inputs.shape)
        ok = len(m_shape) <= len(i_shape) and all(
            m is None or i is None or m in (1, i)
            for m, i in zip(reversed(m_shape), reversed(i_shape)))
        if not ok:
            raise ValueError(f'Softmax "{self.name}": the mask must broadcast to the inputs '
                             f"(each mask dimension 1 or equal to the input's, counted from "
                             f"the last); received inputs.shape={i_shape}, "
                             f"mask.shape={m_shape}.")

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class PReLU(_Elementwise):
    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is not None and not isinstance(shared_axes, (list, tuple)):
            shared_axes = [shared_axes]
        self.shared_axes = None if shared_axes is None else list(shared_axes)
        self.supports_masking = True

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            shape[axis - 1] = 1
        self.alpha = self.add_weight(name="alpha", shape=tuple(shape),
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        self.built = True

    def call(self, inputs):
        return ops.relu(inputs) - self.alpha.value * ops.relu(-inputs)

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}
