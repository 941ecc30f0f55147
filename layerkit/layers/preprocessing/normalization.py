"""Normalization: (x - mean) / max(sqrt(variance), epsilon) over the kept `axis`, or
its inverse. The statistics are given, or learned by `adapt()`.

Learned statistics live in three non-trainable weights (mean, variance, count, as
Keras names them) and `call` reads the weights themselves on every call, so
set_weights / load_weights / set_state take effect at once. (Keras 3 caches a copy
at adapt/build time, so on JAX a later set_weights leaves it normalizing with the
old numbers.) Given statistics are constants, with no weights, as in Keras."""
import numpy as np

from layerkit import config, ops
from layerkit.layers.layer import Layer
from layerkit.layers.preprocessing import adapt_data


class Normalization(Layer):
    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        elif isinstance(axis, (list, tuple)) and all(isinstance(a, int) for a in axis):
            axis = tuple(axis)
        else:
            raise TypeError(f'Normalization "{self.name}": `axis` must be an int, a tuple of '
                            f"ints or None, received axis={axis!r}.")
        self.axis = axis
        if (mean is None) != (variance is None):
            raise ValueError(f'Normalization "{self.name}": when setting values directly, both '
                             f"`mean` and `variance` must be set. Received mean={mean} and "
                             f"variance={variance}.")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(f'Normalization "{self.name}": `mean` and `variance` must have '
                                 f"the same shape, received {np.shape(mean)} and "
                                 f"{np.shape(variance)}.")
            if len(np.shape(mean)) > len(axis):
                raise ValueError(f'Normalization "{self.name}": the rank of `mean` must be at '
                                 f"most the number of axes ({len(axis)}); received mean of "
                                 f"shape {np.shape(mean)} for axis={axis}.")
        self.input_mean = mean
        self.input_variance = variance
        self.invert = bool(invert)
        self.supports_masking = True
        self._build_input_shape = None

    def build(self, input_shape):
        if input_shape is None:
            return
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f'Normalization "{self.name}": every `axis` must be in [-{ndim}, '
                             f"{ndim}) for inputs of rank {ndim}, received axis={self.axis}.")
        self._build_input_shape = input_shape
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(f'Normalization "{self.name}": the kept axis {d} must have a '
                                 f"known size; received input shape {input_shape}.")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = tuple(input_shape[d] if d in self._keep_axis else 1
                                      for d in range(ndim))
        stats_shape = tuple(input_shape[d] for d in self._keep_axis)
        self._stats_shape = stats_shape
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=stats_shape,
                                              initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=stats_shape,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int",
                                         initializer="zeros", trainable=False)
        else:
            self._given = (self._broadcast(self.input_mean), self._broadcast(self.input_variance))
        self.built = True

    def _broadcast(self, value):
        """A given statistic as a float array of the broadcast shape: its axes line up
        with the kept axes from the right."""
        value = np.asarray(value, dtype=np.float64)
        shape = [1] * len(self._broadcast_shape)
        for i in range(1, value.ndim + 1):
            shape[self._keep_axis[-i]] = value.shape[-i]
        return np.broadcast_to(value.reshape(shape), self._broadcast_shape).astype(
            self.compute_dtype)

    def adapt(self, data, steps=None):
        """Learns mean and variance from `data` (see adapt_data for what it accepts);
        several batches are merged exactly (pooled mean and variance)."""
        if self.input_mean is not None:
            raise ValueError(f'Normalization "{self.name}" was given `mean` and `variance`; '
                             "adapt() cannot learn them. Create it without them to adapt.")
        total, mean, var = 0, None, None
        for batch in adapt_data.batches(data, f'Normalization "{self.name}"', steps):
            batch = np.asarray(batch, dtype=np.float64)
            if not self.built:
                self.build(batch.shape)
            self._check_adapt_shape(batch.shape)
            n = int(np.prod([batch.shape[d] for d in self._reduce_axis]))
            b_mean = batch.mean(axis=self._reduce_axis)
            b_var = batch.var(axis=self._reduce_axis)
            if mean is None:
                total, mean, var = n, b_mean, b_var
                continue
            new_total = total + n
            new_mean = mean + (b_mean - mean) * (n / new_total)
            var = ((var + (mean - new_mean) ** 2) * total
                   + (b_var + (b_mean - new_mean) ** 2) * n) / new_total
            total, mean = new_total, new_mean
        self.adapt_mean.assign(mean.astype(np.float32))
        self.adapt_variance.assign(var.astype(np.float32))
        self.count.assign(np.asarray(total, dtype=np.int64).astype(self.count.dtype))

    def _check_adapt_shape(self, shape):
        want = self._build_input_shape
        if len(shape) != len(want) or any(shape[d] != want[d] for d in self._keep_axis):
            raise ValueError(f'Normalization "{self.name}" was built for inputs of shape {want}, '
                             f"but adapt() received data of shape {tuple(shape)}.")

    def finalize_state(self):
        """Kept for Keras's API: the statistics are read from the weights at each call."""

    def call(self, inputs):
        if not self.built or self._build_input_shape is None:
            raise ValueError(f'Normalization "{self.name}": call build(input_shape) or adapt() '
                             "before using the layer.")
        inputs = ops.cast(inputs, self.compute_dtype)
        if self.input_mean is None:
            mean = ops.cast(ops.reshape(self.adapt_mean.value, self._broadcast_shape),
                            self.compute_dtype)
            variance = ops.cast(ops.reshape(self.adapt_variance.value, self._broadcast_shape),
                                self.compute_dtype)
        else:
            mean, variance = (ops.convert_to_tensor(v) for v in self._given)
        scale = ops.maximum(ops.sqrt(variance), config.epsilon())
        if self.invert:
            return mean + inputs * scale
        return (inputs - mean) / scale

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config_ = super().get_config()
        config_.update({"axis": self.axis, "invert": self.invert,
                        "mean": np.array(self.input_mean).tolist(),
                        "variance": np.array(self.input_variance).tolist()})
        return config_
