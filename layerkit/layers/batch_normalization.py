"""BatchNormalization: normalizes each channel with the batch's statistics while
training and with moving averages of them at inference (Keras 3 semantics).

The moving mean and variance are non-trainable weights, written with
`Variable.assign` during a training call: on JAX the stateless scope of the
compiled step collects the new values (the step returns them as state), on
PyTorch they replace the Variables' tensors at once. A layer with
`trainable=False` runs in inference mode and updates nothing, as in Keras 3.

Without a mask or renorm, training goes through the engine's
`fused_batch_normalization` (torch's fused batch_norm kernel; one XLA fusion on
JAX), which returns the batch statistics along with the output.
"""
from layerkit import config, constraints, initializers, ops, regularizers
from layerkit.layers.input_spec import InputSpec
from layerkit.layers.layer import Layer

_HALF = ("float16", "bfloat16")
_RENORM_KEYS = ("rmax", "rmin", "dmax")


def _float(layer, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f'{type(layer).__name__} "{layer.name}": `{name}` must be a number, '
                         f"received {name}={value!r}.")
    return float(value)


def _single_axis(name, axis):
    if isinstance(axis, (list, tuple)) and len(axis) == 1:
        axis = axis[0]
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(f'BatchNormalization "{name}": `axis` must be one integer (the '
                         f"channel axis), received axis={axis!r}. Keras 3 normalizes one "
                         "axis; for several, use LayerNormalization or reshape first.")
    return axis


class BatchNormalization(Layer):
    """`gamma * (x - mean) / sqrt(var + epsilon) + beta` per channel along `axis`."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        # Keras 2 (TensorFlow) keywords: `fused` only picked an implementation (the
        # engine's fused kernel is used anyway); the others changed the maths and are
        # accepted only at their "off" value so that Keras 2 configs load.
        kwargs.pop("fused", None)
        for key in ("virtual_batch_size", "adjustment"):
            if kwargs.pop(key, None) is not None:
                raise ValueError(f"BatchNormalization: `{key}` is a TensorFlow-only Keras 2 "
                                 "option that layerkit does not implement.")
        super().__init__(**kwargs)
        self.axis = _single_axis(self.name, axis)
        self.momentum = _float(self, "momentum", momentum)
        self.epsilon = _float(self, "epsilon", epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        # layerkit runs one process: the statistics are always those of the whole
        # batch, which is what `synchronized=True` asks for across replicas.
        self.synchronized = bool(synchronized)
        self.renorm = bool(renorm)
        self.renorm_clipping = self._check_clipping(renorm_clipping) if self.renorm \
            else renorm_clipping
        self.renorm_momentum = _float(self, "renorm_momentum", renorm_momentum)
        self.supports_masking = True
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None
        self._reduction_axes = None

    def _check_clipping(self, clipping):
        clipping = dict(clipping or {})
        unknown = set(clipping) - set(_RENORM_KEYS)
        if unknown:
            raise ValueError(f'BatchNormalization "{self.name}": unknown `renorm_clipping` '
                             f"key(s) {sorted(unknown)}; expected some of {list(_RENORM_KEYS)}.")
        rmin, rmax, dmax = (clipping.get(k) for k in ("rmin", "rmax", "dmax"))
        if rmin is not None and rmax is not None and rmax < rmin:
            raise ValueError(f'BatchNormalization "{self.name}": renorm_clipping needs '
                             f"rmax >= rmin, received rmax={rmax}, rmin={rmin}.")
        if dmax is not None and dmax < 0:
            raise ValueError(f'BatchNormalization "{self.name}": renorm_clipping needs '
                             f"dmax >= 0, received dmax={dmax}.")
        return clipping

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError(f'BatchNormalization "{self.name}": axis {self.axis} is out of '
                             f"bounds for input shape {tuple(input_shape)}.")
        channels = input_shape[self.axis]
        if channels is None:
            raise ValueError(f'BatchNormalization "{self.name}": the channel axis '
                             f"{self.axis} must have a known size, received input shape "
                             f"{tuple(input_shape)}.")
        shape = (channels,)
        if self.scale:
            self.gamma = self.add_weight(name="gamma", shape=shape,
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(name="beta", shape=shape,
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        self.moving_mean = self.add_weight(name="moving_mean", shape=shape,
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight(name="moving_variance", shape=shape,
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        if self.renorm:
            self._build_renorm(shape)
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: channels})
        self._reduction_axes = [a for a in range(ndim) if a != self.axis % ndim]
        self.built = True

    def _build_renorm(self, shape):
        # Renorm tracks standard deviations; they start at sqrt of the variance
        # initializer's values.
        def stddev_init(shape, dtype=None):
            return ops.sqrt(self.moving_variance_initializer(shape, dtype=dtype))

        self.moving_stddev = self.add_weight(name="moving_stddev", shape=shape,
                                             initializer=stddev_init, trainable=False)
        self.renorm_mean = self.add_weight(name="renorm_mean", shape=shape,
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.renorm_stddev = self.add_weight(name="renorm_stddev", shape=shape,
                                             initializer=stddev_init, trainable=False)

    # --- calling -------------------------------------------------------
    def call(self, inputs, training=False, mask=None):
        if mask is not None and len(mask.shape) != len(inputs.shape) - 1:
            raise ValueError(f'BatchNormalization "{self.name}": the mask must have one '
                             f"dimension less than the inputs, received mask shape "
                             f"{tuple(mask.shape)} for inputs of shape {tuple(inputs.shape)}.")
        out_dtype = ops.dtype(inputs)
        if out_dtype in _HALF or not out_dtype.startswith("float"):
            inputs = ops.cast(inputs, "float32")
        gamma = None if self.gamma is None else self._as(self.gamma, inputs)
        beta = None if self.beta is None else self._as(self.beta, inputs)
        if training and self.trainable:
            if mask is None and not self.renorm:
                outputs, mean, variance = ops.fused_batch_normalization(
                    inputs, self.axis, offset=beta, scale=gamma, epsilon=self.epsilon)
                self._update_moving(mean, variance)
                return self._cast_out(outputs, out_dtype)
            mean, variance = self._moments(inputs, mask)
            if self.renorm:
                gamma, beta = self._renorm_transform(mean, variance, gamma, beta, inputs)
                self._update_renorm(mean, variance)
            else:
                self._update_moving(mean, variance)
        else:
            mean = self._as(self.moving_mean, inputs)
            variance = self._as(self.moving_variance, inputs)
        outputs = ops.batch_normalization(inputs, mean, variance, self.axis, offset=beta,
                                          scale=gamma, epsilon=self.epsilon)
        return self._cast_out(outputs, out_dtype)

    @staticmethod
    def _as(variable, inputs):
        value = variable.value
        return value if ops.dtype(value) == ops.dtype(inputs) else ops.cast(value, inputs.dtype)

    def _cast_out(self, outputs, dtype):
        return outputs if ops.dtype(outputs) == self.compute_dtype \
            else ops.cast(outputs, self.compute_dtype)

    def _moments(self, inputs, mask):
        if mask is None:
            return ops.moments(inputs, self._reduction_axes)
        # Only the positions the mask keeps count towards the statistics.
        weights = ops.cast(ops.broadcast_to(ops.expand_dims(ops.cast(mask, "bool"), -1),
                                            ops.shape(inputs)), inputs.dtype)
        axes = self._reduction_axes
        count = ops.sum(weights, axes, keepdims=True) + config.epsilon()
        mean = ops.sum(inputs * weights, axes, keepdims=True) / count
        variance = ops.sum(ops.square((inputs - mean) * weights), axes, keepdims=True) / count
        return ops.reshape(mean, (-1,)), ops.reshape(variance, (-1,))

    def _update_moving(self, mean, variance):
        m = self.momentum
        mean, variance = ops.stop_gradient(mean), ops.stop_gradient(variance)
        self.moving_mean.assign(self._as(self.moving_mean, mean) * m + mean * (1.0 - m))
        self.moving_variance.assign(
            self._as(self.moving_variance, variance) * m + variance * (1.0 - m))

    # --- batch renormalization (Ioffe 2017) ------------------------------
    def _renorm_transform(self, mean, variance, gamma, beta, inputs):
        """The effective scale and offset `(r * gamma, d * gamma + beta)` that apply
        the renorm correction `x_hat * r + d`; r and d carry no gradient."""
        stddev = ops.sqrt(variance + self.epsilon)
        # The floor keeps r and d finite early in training.
        renorm_stddev = ops.maximum(self._as(self.renorm_stddev, mean), self.epsilon ** 0.5)
        r = stddev / renorm_stddev
        d = (mean - self._as(self.renorm_mean, mean)) / renorm_stddev
        clip = self.renorm_clipping
        if clip.get("rmin") is not None:
            r = ops.maximum(r, clip["rmin"])
        if clip.get("rmax") is not None:
            r = ops.minimum(r, clip["rmax"])
        if clip.get("dmax") is not None:
            d = ops.clip(d, -clip["dmax"], clip["dmax"])
        r, d = ops.stop_gradient(r), ops.stop_gradient(d)
        if gamma is None:
            new_gamma, new_beta = ops.cast(r, inputs.dtype), ops.cast(d, inputs.dtype)
        else:
            new_gamma, new_beta = r * gamma, d * gamma
        if beta is not None:
            new_beta = new_beta + beta
        return new_gamma, new_beta

    def _update_renorm(self, mean, variance):
        mean, variance = ops.stop_gradient(mean), ops.stop_gradient(variance)
        stddev = ops.sqrt(variance + self.epsilon)
        rm, m = self.renorm_momentum, self.momentum
        self.renorm_mean.assign(self._as(self.renorm_mean, mean) * rm + mean * (1.0 - rm))
        self.renorm_stddev.assign(
            self._as(self.renorm_stddev, stddev) * rm + stddev * (1.0 - rm))
        self.moving_mean.assign(self._as(self.moving_mean, mean) * m + mean * (1.0 - m))
        new_stddev = self._as(self.moving_stddev, stddev) * m + stddev * (1.0 - m)
        self.moving_stddev.assign(new_stddev)
        # relu: rounding could take stddev**2 - epsilon just below zero.
        self.moving_variance.assign(ops.relu(new_stddev * new_stddev - self.epsilon))

    # --- shapes and config ------------------------------------------------
    def compute_output_shape(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError(f'BatchNormalization "{self.name}": axis {self.axis} is out of '
                             f"bounds for input shape {tuple(input_shape)}.")
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(
                self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        })
        return config
