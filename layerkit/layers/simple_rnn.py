"""SimpleRNNCell and SimpleRNN: `output = activation(x @ kernel + bias + h @ recurrent)`,
the output being the next state. SimpleRNN computes `x @ kernel + bias` for every time
step as one matmul before the engine's loop, which then runs only `h @ recurrent` and
the activation (the per-step kernel gradient otherwise costs a matmul per step)."""
from layerkit import engine, ops
from layerkit.layers.rnn import CellLayer
from layerkit.layers.rnn_cell import RecurrentCell


class SimpleRNNCell(RecurrentCell):
    gates = 1

    def call(self, inputs, states, training=False):
        prev = states[0] if isinstance(states, (list, tuple)) else states
        dp, rec = self.dropout_masks(inputs, prev, training)
        if dp is not None:
            inputs = inputs * dp
        h = ops.matmul(inputs, self.kernel.value)
        if self.use_bias:
            h = h + self.bias.value
        if rec is not None:
            prev = prev * rec
        output = h + ops.matmul(prev, self.recurrent_kernel.value)
        if self.activation is not None:
            output = self.activation(output)
        return output, [output]


class SimpleRNN(CellLayer):
    """Fully-connected RNN whose output is fed back as the next input state."""

    cell_class = SimpleRNNCell
    cell_name = "simple_rnn_cell"

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, seed=None,
                 zero_output_for_mask=False, time_major=False, **kwargs):
        super().__init__(locals())

    def _engine_loop(self, sequences, states, mask, training):
        cell = self.cell
        if type(cell).call is not SimpleRNNCell.call:
            return None
        # Drawn by RNN.call when training: one input mask and one state mask per call.
        dp, rec = cell._dropout_masks or (None, None)
        if dp is not None:
            sequences = sequences * ops.expand_dims(dp, 1)
        projected = ops.matmul(sequences, cell.kernel.value)
        if cell.use_bias:
            projected = projected + cell.bias.value
        recurrent, activation = cell.recurrent_kernel.value, cell.activation

        def step(x_t, step_states):
            prev = step_states[0]
            if rec is not None:
                prev = prev * rec
            output = x_t + ops.matmul(prev, recurrent)
            if activation is not None:
                output = activation(output)
            return output, [output]

        return engine.rnn(step, projected, states, go_backwards=self.go_backwards, mask=mask,
                          unroll=self.unroll, zero_output_for_mask=self.zero_output_for_mask,
                          return_all_outputs=self.return_sequences)

    def get_config(self):
        config = super().get_config()
        del config["seed"]   # Keras's SimpleRNN config has none (its cell's has)
        return config
