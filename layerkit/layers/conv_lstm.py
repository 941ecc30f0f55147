"""ConvLSTM1D, ConvLSTM2D, ConvLSTM3D: an RNN of ConvLSTMCell over inputs
(batch, time, spatial..., channels) (or (batch, time, channels, spatial...) with
channels_first), with Keras 3's arguments, weights and config.

The loop is the engines' recurrent loop (`engine.rnn`: lax.scan on JAX, the tight
eager loop on PyTorch), with the input convolution taken out of it: the inputs of all
time steps are folded into the batch and convolved once, so each step runs only the
recurrent convolution and the gate arithmetic. That is the same sum Keras computes
step by step; one large convolution keeps the engines' conv kernels busy instead of
launching T small ones.

The loop runs channels_first whatever the data_format: channels_last data is
transposed once before it and once after, not around every step's convolution (torch
convolves channels_first). Forward and backward of ConvLSTM2D(16, 3, 'same',
return_sequences) over 8x10x24x24x4 channels_last inputs on CPU, best of 5, runs
spread by a machine shared with many processes: torch 1.7-4.1 s with the loop in the
data's layout, 1.0-1.6 s with it channels_first (channels_first data: 0.9-1.8 s);
JAX (jit) 1.5-1.9 s either way.

Masks, go_backwards, return_state, initial_state, stateful states and
reset_states come from RNN (layers/rnn.py), as for LSTM.
"""
from layerkit import engine, ops
from layerkit.layers.conv_lstm_cell import ConvLSTMCell
from layerkit.layers.rnn import CellLayer


class ConvLSTM(CellLayer):
    """Base of ConvLSTM1D/2D/3D; the subclasses set `rank`."""

    cell_class = ConvLSTMCell
    cell_name = "conv_lstm_cell"
    rank = None

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        cell_kwargs = dict(
            rank=self.rank, filters=filters, kernel_size=kernel_size, strides=strides,
            padding=padding, data_format=data_format, dilation_rate=dilation_rate,
            activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed)
        rnn_kwargs = dict(return_sequences=return_sequences, return_state=return_state,
                          go_backwards=go_backwards, stateful=stateful)
        super().__init__(cell_kwargs, rnn_kwargs,
                         dict(kwargs, activity_regularizer=activity_regularizer))

    # --- shapes --------------------------------------------------------
    def _sequence_shape(self, shape):
        if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
            shape = shape[0]
        shape = tuple(shape)
        if len(shape) != self.rank + 3:
            layout = "channels, spatial..." if self.cell.data_format == "channels_first" \
                else "spatial..., channels"
            raise ValueError(
                f"{self._owner()}: expected inputs of rank {self.rank + 3} (batch, time, "
                f"{layout} with {self.rank} spatial dims), received an input of shape "
                f"{shape} (rank {len(shape)}).")
        return super()._sequence_shape(shape)

    def _state_sizes(self):
        # The states are (batch, spatial..., filters) tensors, known once built.
        return self.cell.state_size if self.cell.built else [None, None]

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self._sequence_shape(sequences_shape)
        batch, steps = shape[0], shape[1]
        state = self.cell.compute_output_shape((batch,) + shape[2:])[0]
        if self.return_sequences:
            output = (steps, batch) + state[1:] if self.time_major else \
                (batch, steps) + state[1:]
        else:
            output = state
        if self.return_state:
            return [output, state, state]
        return output

    # --- the loop ------------------------------------------------------
    def _engine_loop(self, sequences, states, mask, training):
        cell = self.cell
        dp, rec = cell.dropout_masks() if training else (None, None)
        flip = cell.data_format == "channels_last"
        if flip:   # the loop runs channels_first (see the module docstring)
            sequences = ops.moveaxis(sequences, -1, 2)
            states = [ops.moveaxis(s, -1, 1) for s in states]
            dp = None if dp is None else [ops.moveaxis(m, -1, 1) for m in dp]
            rec = None if rec is None else [ops.moveaxis(m, -1, 1) for m in rec]
        x = sequences
        if dp is not None:   # (batch, time, 4 * channels, spatial...): one grouped conv
            x = cell._masked_copies(x, [ops.expand_dims(m, 1) for m in dp], 2)
        batch, steps = x.shape[0], x.shape[1]
        gates = cell.input_gates(ops.reshape(x, (batch * steps,) + tuple(x.shape[2:])),
                                 data_format="channels_first")
        gates = ops.reshape(gates, (batch, steps) + tuple(gates.shape[1:]))
        recurrent_kernel = cell.recurrent_kernel.value

        def step(gates_t, step_states):
            return cell.step(gates_t, step_states, recurrent_kernel, rec,
                             data_format="channels_first")

        last, outputs, final = engine.rnn(
            step, gates, states, go_backwards=self.go_backwards, mask=mask,
            unroll=self.unroll, zero_output_for_mask=self.zero_output_for_mask,
            return_all_outputs=self.return_sequences)
        if flip:
            last = ops.moveaxis(last, 1, -1)
            outputs = None if outputs is None else ops.moveaxis(outputs, 2, -1)
            final = [ops.moveaxis(s, 1, -1) for s in final]
        return last, outputs, final

    def get_config(self):
        config = super().get_config()
        config.pop("rank", None)
        return config


class ConvLSTM1D(ConvLSTM):
    """1-D convolutional LSTM: inputs (batch, time, steps, channels)."""
    rank = 1


class ConvLSTM2D(ConvLSTM):
    """2-D convolutional LSTM: inputs (batch, time, rows, cols, channels)."""
    rank = 2


class ConvLSTM3D(ConvLSTM):
    """3-D convolutional LSTM: inputs (batch, time, dim1, dim2, dim3, channels)."""
    rank = 3
