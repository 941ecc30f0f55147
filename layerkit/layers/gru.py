"""GRUCell and GRU (Keras's gates z, r, h; Cho et al. 2014).

reset_after=True (Keras 3's default, cuDNN's and torch's formula) applies the reset
gate after the recurrent matmul and keeps two biases, input and recurrent, as a
(2, 3 * units) weight; reset_after=False applies it before and keeps one bias.
GRU runs the engine's `gru` hook (torch's fused kernel for reset_after=True with the
default activations); with recurrent dropout it runs the cell in the generic loop.
"""
from layerkit import activations, engine, ops
from layerkit.layers.lstm import check_use_cudnn, fused_loop
from layerkit.layers.rnn import CellLayer
from layerkit.layers.rnn_cell import RecurrentCell


class GRUCell(RecurrentCell):
    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, reset_after=True, seed=None, **kwargs):
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
        self.reset_after = bool(reset_after)

    def bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training=False):
        h = states[0] if isinstance(states, (list, tuple)) else states
        dp, rec = self.dropout_masks(inputs, h, training)
        if dp is not None:
            inputs = inputs * dp
        h_in = h if rec is None else h * rec
        u = self.units
        kernel, recurrent = self.kernel.value, self.recurrent_kernel.value
        bias = self.bias.value if self.use_bias else None
        input_bias = bias[0] if bias is not None and self.reset_after else bias
        x = ops.matmul(inputs, kernel)
        if input_bias is not None:
            x = x + input_bias
        x_z, x_r, x_h = ops.split(x, 3, axis=-1)
        act, rec_act = self.activation, self.recurrent_activation
        if self.reset_after:
            inner = ops.matmul(h_in, recurrent)
            if bias is not None:
                inner = inner + bias[1]
            r_z, r_r, r_h = ops.split(inner, 3, axis=-1)
            z = rec_act(x_z + r_z)
            r = rec_act(x_r + r_r)
            hh = act(x_h + r * r_h)
        else:
            r_z, r_r = ops.split(ops.matmul(h_in, recurrent[:, :2 * u]), 2, axis=-1)
            z = rec_act(x_z + r_z)
            r = rec_act(x_r + r_r)
            hh = act(x_h + ops.matmul(r * h_in, recurrent[:, 2 * u:]))
        h = z * h + (1 - z) * hh
        return h, [h]

    def get_config(self):
        config = super().get_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["reset_after"] = self.reset_after
        return config


class GRU(CellLayer):
    """Gated Recurrent Unit layer, Keras's arguments."""

    cell_class = GRUCell
    cell_name = "gru_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, reset_after=True, use_cudnn="auto",
                 zero_output_for_mask=False, time_major=False, **kwargs):
        super().__init__(locals())
        self.use_cudnn = check_use_cudnn(self, use_cudnn)

    def _engine_loop(self, sequences, states, mask, training):
        return fused_loop(self, engine.gru, sequences, states, mask, training,
                          reset_after=self.cell.reset_after)
