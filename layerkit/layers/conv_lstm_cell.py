"""ConvLSTMCell: an LSTM cell whose input and recurrent transformations are
convolutions (Shi et al. 2015), with Keras 3's weights, gates and config.

Weights, in Keras's order: `kernel` (kernel_size..., input_channels, 4 * filters),
`recurrent_kernel` (kernel_size..., filters, 4 * filters), `bias` (4 * filters,);
the four blocks of the last axis are the gates i, f, c, o. The input convolution takes
the layer's strides, padding and dilation; the recurrent one is stride 1, 'same', no
dilation, so the states keep the output's spatial shape.

The step is split in two so the ConvLSTM layers can run the input convolution of every
time step as one convolution before the loop (`input_gates`) and only the recurrent
convolution inside it (`step`). Dropout follows Keras 3: four input masks and four
recurrent masks (one per gate), drawn once per call of the layer. Four masked copies
of the input side by side on the channel axis make one grouped convolution (groups=4)
with the unchanged kernel, so dropout costs no extra pass over the kernel blocks.
"""
from layerkit import activations, engine, ops
from layerkit import random as lk_random
from layerkit.layers import conv_arguments as args
from layerkit.layers.layer import Layer
from layerkit.layers.lstm import _ForgetBiasOnes
from layerkit.layers.rnn_cell import add_cell_weights, cell_config, set_cell_arguments

GATES = 4


class ConvLSTMCell(Layer):
    """One step of a `rank`-D convolutional LSTM (rank 1, 2 or 3)."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation="tanh",
                 recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        owner = args.describe(self)
        if rank not in (1, 2, 3):
            raise ValueError(f"{owner}: `rank` must be 1, 2 or 3, received rank={rank!r}.")
        self.rank = rank
        self.filters = args.positive_int(self, filters, "filters")
        self.kernel_size = args.int_tuple(self, kernel_size, rank, "kernel_size")
        self.strides = args.int_tuple(self, strides, rank, "strides")
        self.padding = args.padding_mode(self, padding)
        self.data_format = args.data_format(self, data_format)
        self.dilation_rate = args.int_tuple(self, dilation_rate, rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{owner}: strides > 1 cannot be combined with dilation_rate > 1, "
                             f"received strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}.")
        set_cell_arguments(self, owner, activation, use_bias, kernel_initializer,
                           recurrent_initializer, bias_initializer, kernel_regularizer,
                           recurrent_regularizer, bias_regularizer, kernel_constraint,
                           recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                           seed)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.input_dim = self.spatial_dims = None

    # --- shapes --------------------------------------------------------
    def _channel_axis(self):
        return args.channel_axis(self.data_format)

    def output_spatial(self, spatial):
        return args.conv_output_spatial(self, spatial)

    def state_shape(self):
        """The shape of h and c without the batch axis (known once built)."""
        spatial = self.output_spatial(self.spatial_dims)
        if self.data_format == "channels_last":
            return spatial + (self.filters,)
        return (self.filters,) + spatial

    @property
    def state_size(self):
        if self.spatial_dims is None:
            return -1   # as Keras: unknown until built
        return [self.state_shape(), self.state_shape()]

    @property
    def output_size(self):
        return None if self.spatial_dims is None else self.state_shape()

    def compute_output_shape(self, inputs_shape, states_shape=None):
        inputs_shape = tuple(inputs_shape)
        spatial = [inputs_shape[a] for a in args.spatial_axes(self.rank, self.data_format)]
        spatial = self.output_spatial(spatial)
        if self.data_format == "channels_last":
            shape = (inputs_shape[0],) + spatial + (self.filters,)
        else:
            shape = (inputs_shape[0], self.filters) + spatial
        return shape, [shape, shape]

    def build(self, inputs_shape, states_shape=None):
        inputs_shape = tuple(inputs_shape)
        owner = args.describe(self)
        if len(inputs_shape) != self.rank + 2:
            raise ValueError(f"{owner}: expected step inputs of rank {self.rank + 2} (batch, "
                             f"{self.rank} spatial dims, channels), received shape "
                             f"{inputs_shape}.")
        spatial = tuple(inputs_shape[a] for a in args.spatial_axes(self.rank,
                                                                   self.data_format))
        channels = inputs_shape[self._channel_axis()]
        if None in spatial or channels is None:
            raise ValueError(f"{owner}: the spatial and channel dimensions of the inputs must "
                             f"be known (data_format={self.data_format!r}), received "
                             f"{inputs_shape}.")
        self.output_spatial(spatial)   # raises if the kernel does not fit
        self.spatial_dims, self.input_dim = spatial, channels
        width = GATES * self.filters
        bias_init = _ForgetBiasOnes(self.bias_initializer, self.filters) \
            if self.unit_forget_bias else self.bias_initializer
        add_cell_weights(self, self.kernel_size + (channels, width),
                         self.kernel_size + (self.filters, width), (width,), bias_init)
        # On PyTorch, both kernels in the memory torch's convolution reads (no copy of the
        # recurrent kernel per time step).
        engine.core.keep_conv_kernel_layout(self.kernel)
        engine.core.keep_conv_kernel_layout(self.recurrent_kernel)
        self.built = True

    def get_initial_state(self, batch_size=None):
        shape = (batch_size,) + self.state_shape()
        return [ops.zeros(shape, dtype=self.compute_dtype),
                ops.zeros(shape, dtype=self.compute_dtype)]

    # --- dropout -------------------------------------------------------
    def prepare_dropout(self, step_inputs, state, training):
        """Draws this call's masks: four for the inputs, four for h (None where the
        rate is 0 or not training)."""
        def draw(like, value):
            if not (training and 0 < value < 1):
                return None
            return [lk_random.dropout(ops.ones_like(like), value, seed=self.seed_generator)
                    for _ in range(GATES)]
        self._dropout_masks = (draw(step_inputs, self.dropout),
                               draw(state, self.recurrent_dropout))
        return self._dropout_masks

    def clear_dropout(self):
        self._dropout_masks = None

    def dropout_masks(self):
        return self._dropout_masks or (None, None)

    def _masked_copies(self, x, masks, axis):
        """x beside itself four times on the channel `axis`, each copy times its
        gate's mask (masks broadcast against x)."""
        return ops.concatenate([x * m for m in masks], axis=axis)

    # --- the step ------------------------------------------------------
    def input_gates(self, x, masks=None, data_format=None):
        """The input convolution (and bias) of x (batch, spatial..., channels) for the
        four gates: (batch, out spatial..., 4 * filters). `data_format` overrides the
        cell's (the layers run their loop channels_first)."""
        data_format = data_format or self.data_format
        if masks is not None:   # grouped conv, one group per gate
            x = self._masked_copies(x, masks, args.channel_axis(data_format))
        z = ops.conv(x, self.kernel.value, strides=self.strides, padding=self.padding,
                     data_format=data_format, dilation_rate=self.dilation_rate)
        if self.use_bias:
            bias = self.bias.value
            if data_format == "channels_first":
                bias = ops.reshape(bias, (-1,) + (1,) * self.rank)
            z = z + bias
        return z

    def step(self, x_gates, states, recurrent_kernel, masks=None, data_format=None):
        """One time step from the precomputed input gates: (h, [h, c])."""
        data_format = data_format or self.data_format
        axis = args.channel_axis(data_format)
        h, c = states[0], states[1]
        h_in = h if masks is None else self._masked_copies(h, masks, axis)
        z = x_gates + ops.conv(h_in, recurrent_kernel, strides=1, padding="same",
                               data_format=data_format)
        i, f, g, o = ops.split(z, GATES, axis=axis)
        act, rec_act = self.activation, self.recurrent_activation
        c = rec_act(f) * c + rec_act(i) * act(g)
        h = rec_act(o) * act(c)
        return h, [h, c]

    def call(self, inputs, states, training=False):
        masks = self._dropout_masks
        if masks is None and training and (self.dropout or self.recurrent_dropout):
            masks = self.prepare_dropout(inputs, states[0], training)
            self._dropout_masks = None   # a cell called on its own draws at each call
        dp, rec = masks or (None, None)
        return self.step(self.input_gates(inputs, dp), states, self.recurrent_kernel.value,
                         rec)

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            **cell_config(self),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        })
        if type(self) is ConvLSTMCell:
            # Keras 3's cell config lacks the rank and so cannot rebuild the cell; ours
            # keeps it. The fixed-rank classes and the layers have it in their class.
            config["rank"] = self.rank
        return config


class ConvLSTM2DCell(ConvLSTMCell):
    """Keras 2's name for the 2-D cell (keras.layers.ConvLSTM2DCell)."""

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(2, filters, kernel_size, **kwargs)
