"""The part every built-in recurrent cell shares (SimpleRNNCell, LSTMCell, GRUCell):
argument checks, the kernel/recurrent_kernel/bias weights, the dropout masks, the
initial state and the config keys Keras gives the cells.

Dropout follows Keras 3: one input mask and one recurrent mask per call of the RNN
layer, the same at every time step. The RNN layer draws them before the loop
(`prepare_dropout`) and drops them after (`clear_dropout`), so the loop body stays
free of random draws; a cell called on its own draws them at its call.
"""
import numpy as np

from layerkit import activations, ops
from layerkit import random as lk_random
from layerkit.layers.layer import Layer
from layerkit.layers.weight_arguments import add_kernel, kernel_arguments, kernel_config


def positive_units(owner, units):
    if isinstance(units, float) and units.is_integer():
        units = int(units)
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
        raise ValueError(f'{owner}: `units` must be a positive integer, received '
                         f"units={units!r}.")
    return int(units)


def rate(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"{owner}: `{name}` must be a float in [0, 1], received "
                         f"{name}={value!r}.")
    return min(1.0, max(0.0, float(value)))


def set_cell_arguments(cell, owner, activation, use_bias, kernel_initializer,
                       recurrent_initializer, bias_initializer, kernel_regularizer,
                       recurrent_regularizer, bias_regularizer, kernel_constraint,
                       recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                       seed):
    """Checks and stores on `cell` the arguments every recurrent cell takes (dense and
    convolutional), with the seed generator its dropout draws from."""
    cell.activation = activations.get(activation)
    cell.use_bias = bool(use_bias)
    kernel_arguments(cell, "kernel", kernel_initializer, kernel_regularizer,
                     kernel_constraint)
    kernel_arguments(cell, "recurrent", recurrent_initializer, recurrent_regularizer,
                     recurrent_constraint)
    kernel_arguments(cell, "bias", bias_initializer, bias_regularizer, bias_constraint)
    cell.dropout = rate(owner, "dropout", dropout)
    cell.recurrent_dropout = rate(owner, "recurrent_dropout", recurrent_dropout)
    cell.seed = seed
    if cell.dropout or cell.recurrent_dropout:
        cell.seed_generator = lk_random.SeedGenerator(seed, name=f"{cell.name}_seed_generator")
        cell._seed_generators.append(cell.seed_generator)
    cell._dropout_masks = None
    cell.kernel = cell.recurrent_kernel = cell.bias = None


def add_cell_weights(cell, kernel_shape, recurrent_shape, bias_shape, bias_initializer):
    """The kernel, recurrent kernel and (with use_bias) bias of a recurrent cell."""
    cell.kernel = add_kernel(cell, "kernel", "kernel", kernel_shape)
    cell.recurrent_kernel = add_kernel(cell, "recurrent_kernel", "recurrent", recurrent_shape)
    if cell.use_bias:
        cell.bias = add_kernel(cell, "bias", "bias", bias_shape, bias_initializer)


def cell_config(cell):
    """The config entries of the arguments set_cell_arguments stores."""
    return {"activation": activations.serialize(cell.activation), "use_bias": cell.use_bias,
            **kernel_config(cell, "kernel", "recurrent", "bias"), "dropout": cell.dropout,
            "recurrent_dropout": cell.recurrent_dropout, "seed": cell.seed}


class RecurrentCell(Layer):
    """Base of the built-in cells. Subclasses set `gates` (how many units-wide blocks the
    kernels hold) and write `call(inputs, states, training=False)`."""

    gates = 1

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        kwargs.pop("implementation", None)   # Keras 2's kernel layout choice; no effect
        super().__init__(**kwargs)
        owner = f'{type(self).__name__} "{self.name}"'
        self.units = positive_units(owner, units)
        set_cell_arguments(self, owner, activation, use_bias, kernel_initializer,
                           recurrent_initializer, bias_initializer, kernel_regularizer,
                           recurrent_regularizer, bias_regularizer, kernel_constraint,
                           recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                           seed)

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def bias_shape(self):
        return (self.gates * self.units,)

    def make_bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f'{type(self).__name__} "{self.name}": the last dimension of '
                             f"the inputs must be known, received {tuple(input_shape)}.")
        width = self.gates * self.units
        add_cell_weights(self, (input_dim, width), (self.units, width), self.bias_shape(),
                         self.make_bias_initializer())
        self.built = True

    def get_initial_state(self, batch_size=None):
        size = self.state_size
        sizes = size if isinstance(size, (list, tuple)) else [size]
        return [ops.zeros((batch_size, s), dtype=self.compute_dtype) for s in sizes]

    # --- dropout -------------------------------------------------------
    def prepare_dropout(self, step_inputs, state, training):
        """Draws this call's dropout masks (None where the rate is 0 or not training)."""
        dp = rec = None
        if training and 0 < self.dropout < 1:
            dp = lk_random.dropout(ops.ones_like(step_inputs), self.dropout,
                                   seed=self.seed_generator)
        if training and 0 < self.recurrent_dropout < 1:
            rec = lk_random.dropout(ops.ones_like(state), self.recurrent_dropout,
                                    seed=self.seed_generator)
        self._dropout_masks = (dp, rec)
        return dp, rec

    def clear_dropout(self):
        self._dropout_masks = None

    def dropout_masks(self, inputs, h, training):
        if self._dropout_masks is not None:
            return self._dropout_masks
        if not training or not (self.dropout or self.recurrent_dropout):
            return None, None
        masks = self.prepare_dropout(inputs, h, training)
        self._dropout_masks = None
        return masks

    def fusable_activations(self):
        """True when the activations are Keras's defaults, the ones fused kernels have."""
        return self.activation is activations.tanh and \
            getattr(self, "recurrent_activation", activations.sigmoid) is activations.sigmoid

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, **cell_config(self)})
        return config
