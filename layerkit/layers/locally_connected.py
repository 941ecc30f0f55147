"""LocallyConnected1D and LocallyConnected2D (Keras 2; Keras 3 dropped them): a
convolution whose weights are not shared, one kernel per output position.

Every Keras 2 argument, and the weights shaped as Keras 2 stores them for
`implementation` 1, 2 and 3 (layers/local_connectivity.py), so Keras 2 .h5 files
load. The three compute the same function; here they also compute it the same way:
gather the input windows into patches (batch, positions, window * channels) with one
static index, gather the stored kernel into (positions, window * channels, filters)
(nothing to gather for implementation 1, channels_last), and one batched einsum.
Keras 2's implementation 2 multiplies the inputs by the whole masked dense kernel
((in cells * channels) x (out cells * filters)), and 3 runs a sparse matmul; the
patches carry only the connected weights, so the work is that of implementation 1
(positions x window x channels x filters) with no Python loop over positions.
Forward and backward of LocallyConnected2D(16, 3) on 32x28x28x3 inputs, CPU, best of
10 on a machine shared by many processes: patches + einsum 4 ms on JAX (jit) and
135-250 ms on torch, against 458 ms and 764 ms for Keras 2's dense masked matmul.

Keras 2's quirk kept: with channels_first the bias, stored (out spatial..., filters),
is added reshaped (not transposed) to (filters, out spatial...), as tf_keras's
bias_add does.
"""
import numpy as np

from layerkit import activations, ops, regularizers
from layerkit.layers import conv_arguments as args
from layerkit.layers.layer import Layer
from layerkit.layers.local_connectivity import kernel_index, output_length
from layerkit.layers.weight_arguments import add_kernel, kernel_arguments, kernel_config


class LocallyConnected(Layer):
    """Base of LocallyConnected1D/2D; the subclasses set `rank`."""

    rank = None

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 implementation=1, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.filters = args.positive_int(self, filters, "filters")
        self.kernel_size = args.int_tuple(self, kernel_size, self.rank, "kernel_size")
        self.strides = args.int_tuple(self, strides, self.rank, "strides")
        self.padding = args.padding_mode(self, padding)
        self.data_format = args.data_format(self, data_format)
        if implementation not in (1, 2, 3) or isinstance(implementation, bool):
            raise ValueError(f"{args.describe(self)}: `implementation` must be 1, 2 or 3, "
                             f"received implementation={implementation!r}.")
        if implementation == 1 and self.padding != "valid":
            raise ValueError(f"{args.describe(self)}: implementation=1 supports only "
                             f"padding='valid' (as in Keras 2), received "
                             f"padding={padding!r}; use implementation=2 or 3 for 'same'.")
        self.implementation = implementation
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        kernel_arguments(self, "kernel", kernel_initializer, kernel_regularizer,
                         kernel_constraint)
        kernel_arguments(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.kernel = self.bias = None

    # --- shapes --------------------------------------------------------
    def _split(self, input_shape):
        """(spatial sizes, channels) of an input shape, checking its rank."""
        input_shape = args.spatial_rank_shape(self, input_shape)
        spatial = tuple(input_shape[a] for a in args.spatial_axes(self.rank, self.data_format))
        return spatial, input_shape[args.channel_axis(self.data_format)]

    def _out_spatial(self, spatial, input_shape):
        out = tuple(output_length(n, k, s, self.padding)
                    for n, k, s in zip(spatial, self.kernel_size, self.strides))
        if any(o is not None and o <= 0 for o in out):
            raise ValueError(
                f"{args.describe(self)}: kernel_size={self.kernel_size} does not fit the "
                f"input of shape {tuple(input_shape)} with padding='valid' (output spatial "
                f"shape {out}). Use a smaller kernel or a larger input.")
        return out

    def compute_output_shape(self, input_shape):
        spatial, _ = self._split(input_shape)
        out = self._out_spatial(spatial, input_shape)
        if self.data_format == "channels_last":
            return (input_shape[0],) + out + (self.filters,)
        return (input_shape[0], self.filters) + out

    def build(self, input_shape):
        spatial, channels = self._split(input_shape)
        if None in spatial or channels is None:
            raise ValueError(f"{args.describe(self)}: the spatial and channel dimensions of "
                             "the inputs must be known (each position has its own weights), "
                             f"received input shape {tuple(input_shape)}.")
        self._out_spatial(spatial, input_shape)
        shape, index, out_spatial, cells, valid = kernel_index(
            self.implementation, self.data_format, spatial, self.kernel_size, self.strides,
            self.padding, channels, self.filters)
        self.out_spatial = out_spatial
        self._kernel_index = None if (self.implementation == 1 and
                                      self.data_format == "channels_last") else index
        # Cells outside the input read one zero cell appended after the last one.
        self._input_index = np.where(valid, cells, int(np.prod(spatial))).reshape(-1)
        self._channels = channels
        self._positions, self._window = valid.shape
        self.kernel = add_kernel(self, "kernel", "kernel", shape)
        if self.use_bias:
            self.bias = add_kernel(self, "bias", "bias", out_spatial + (self.filters,))
        self.built = True

    # --- call ------------------------------------------------------------
    def call(self, inputs):
        x = ops.convert_to_tensor(inputs)
        if self.data_format == "channels_first":
            x = ops.moveaxis(x, 1, -1)
        x = ops.reshape(x, (-1, int(np.prod(x.shape[1:-1])), self._channels))
        x = ops.pad(x, [[0, 0], [0, 1], [0, 0]])
        patches = ops.take(x, ops.convert_to_tensor(self._input_index), axis=1)
        patches = ops.reshape(patches, (-1, self._positions, self._window * self._channels))
        kernel = self.kernel.value
        if self._kernel_index is None:
            weights = kernel
        else:
            weights = ops.take(ops.reshape(kernel, (-1,)),
                               ops.convert_to_tensor(self._kernel_index))
        out = ops.einsum("bpd,pdf->bpf", patches, weights)
        out = ops.reshape(out, (-1,) + self.out_spatial + (self.filters,))
        if self.data_format == "channels_first":
            out = ops.moveaxis(out, -1, 1)
        if self.use_bias:
            bias = self.bias.value
            if self.data_format == "channels_first":
                bias = ops.reshape(bias, (self.filters,) + self.out_spatial)
            out = out + bias
        return self.activation(out)

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **kernel_config(self, "kernel", "bias"),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "implementation": self.implementation,
        })
        return config


class LocallyConnected1D(LocallyConnected):
    """Unshared 1-D convolution: inputs (batch, steps, channels)."""
    rank = 1


class LocallyConnected2D(LocallyConnected):
    """Unshared 2-D convolution: inputs (batch, rows, cols, channels)."""
    rank = 2
