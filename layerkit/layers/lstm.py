"""LSTMCell and LSTM (Keras's gates i, f, c, o; one bias of 4 * units).

LSTM runs the whole sequence through the engine's `lstm` hook (torch's fused kernel
where the configuration allows, a scan with the input projection hoisted out of the
loop on JAX); with recurrent dropout it runs the cell in the generic loop.
"""
import numpy as np

from layerkit import activations, engine, ops
from layerkit.layers.rnn import CellLayer
from layerkit.layers.rnn_cell import RecurrentCell


class _ForgetBiasOnes:
    """Keras's unit_forget_bias: the bias initializer's values with the forget gate's
    block set to one."""

    def __init__(self, initializer, units):
        self.initializer, self.units = initializer, units

    def __call__(self, shape, dtype=None):
        u = self.units
        start = np.asarray(ops.convert_to_numpy(self.initializer((u,), dtype=dtype)))
        rest = np.asarray(ops.convert_to_numpy(self.initializer((2 * u,), dtype=dtype)))
        return np.concatenate([start, np.ones((u,), start.dtype), rest])


class LSTMCell(RecurrentCell):
    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def make_bias_initializer(self):
        if self.unit_forget_bias:
            return _ForgetBiasOnes(self.bias_initializer, self.units)
        return self.bias_initializer

    def call(self, inputs, states, training=False):
        h, c = states[0], states[1]
        dp, rec = self.dropout_masks(inputs, h, training)
        if dp is not None:
            inputs = inputs * dp
        if rec is not None:
            h = h * rec
        z = ops.matmul(inputs, self.kernel.value) + ops.matmul(h, self.recurrent_kernel.value)
        if self.use_bias:
            z = z + self.bias.value
        i, f, g, o = ops.split(z, 4, axis=-1)
        act, rec_act = self.activation, self.recurrent_activation
        c = rec_act(f) * c + rec_act(i) * act(g)
        h = rec_act(o) * act(c)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


class LSTM(CellLayer):
    """Long Short-Term Memory layer (Hochreiter 1997), Keras's arguments."""

    cell_class = LSTMCell
    cell_name = "lstm_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, use_cudnn="auto",
                 zero_output_for_mask=False, time_major=False, **kwargs):
        super().__init__(locals())
        self.use_cudnn = check_use_cudnn(self, use_cudnn)

    def _engine_loop(self, sequences, states, mask, training):
        return fused_loop(self, engine.lstm, sequences, states, mask, training)


def check_use_cudnn(layer, use_cudnn):
    """Keras 3's use_cudnn: "auto" (fused kernels where the configuration allows them),
    True (insist: a configuration they cannot run is an error) or False (never)."""
    if use_cudnn not in ("auto", True, False):
        raise ValueError(f'{type(layer).__name__} "{layer.name}": `use_cudnn` must be "auto", '
                         f"True or False, received {use_cudnn!r}.")
    if use_cudnn is True and not (layer.cell.fusable_activations() and
                                  not layer.cell.recurrent_dropout and
                                  getattr(layer.cell, "reset_after", True)):
        raise ValueError(f'{type(layer).__name__} "{layer.name}": use_cudnn=True needs '
                         "activation='tanh', recurrent_activation='sigmoid', "
                         "recurrent_dropout=0 (and reset_after=True for GRU); received "
                         f"{layer.cell.get_config()['activation']!r}, "
                         f"{layer.cell.get_config().get('recurrent_activation')!r}, "
                         f"recurrent_dropout={layer.cell.recurrent_dropout}.")
    return use_cudnn


def fused_loop(layer, kernel_fn, sequences, states, mask, training, **extra):
    """The whole sequence through the engine's LSTM/GRU hook, or None (recurrent dropout:
    the generic loop runs the cell)."""
    cell = layer.cell
    if training and cell.recurrent_dropout:
        return None
    if training and cell.dropout:
        dp = cell._dropout_masks[0] if cell._dropout_masks else None
        if dp is not None:
            sequences = sequences * ops.expand_dims(dp, 1)
    fusable = layer.use_cudnn is not False and cell.fusable_activations()
    bias = cell.bias.value if cell.use_bias else None
    last, outputs, new_states = kernel_fn(
        sequences, *states, mask, cell.kernel.value, cell.recurrent_kernel.value, bias,
        cell.activation, cell.recurrent_activation, go_backwards=layer.go_backwards,
        unroll=layer.unroll, zero_output_for_mask=layer.zero_output_for_mask,
        return_sequences=layer.return_sequences, fusable=fusable, **extra)
    return last, outputs, new_states

