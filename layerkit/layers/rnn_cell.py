"""The part every built-in recurrent cell shares (SimpleRNNCell, LSTMCell, GRUCell):
argument checks, the kernel/recurrent_kernel/bias weights, the dropout masks, the
initial state and the config keys Keras gives the cells.

Dropout follows Keras 3: one input mask and one recurrent mask per call of the RNN
layer, the same at every time step. The RNN layer draws them before the loop
(`prepare_dropout`) and drops them after (`clear_dropout`), so the loop body stays
free of random draws; a cell called on its own draws them at its call.
"""
import numpy as np

from layerkit import activations, constraints, initializers, ops, regularizers
from layerkit import random as lk_random
from layerkit.layers.layer import Layer


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
    cell.kernel_initializer = initializers.get(kernel_initializer)
    cell.recurrent_initializer = initializers.get(recurrent_initializer)
    cell.bias_initializer = initializers.get(bias_initializer)
    cell.kernel_regularizer = regularizers.get(kernel_regularizer)
    cell.recurrent_regularizer = regularizers.get(recurrent_regularizer)
    cell.bias_regularizer = regularizers.get(bias_regularizer)
    cell.kernel_constraint = constraints.get(kernel_constraint)
    cell.recurrent_constraint = constraints.get(recurrent_constraint)
    cell.bias_constraint = constraints.get(bias_constraint)
    cell.dropout = rate(owner, "dropout", dropout)
    cell.recurrent_dropout = rate(owner, "recurrent_dropout", recurrent_dropout)
    cell.seed = seed
    if cell.dropout or cell.recurrent_dropout:
        cell.seed_generator = lk_random.SeedGenerator(seed, name=f"{cell.name}_seed_generator")
        cell._seed_generators.append(cell.seed_generator)
    cell._dropout_masks = None
    cell.kernel = cell.recurrent_kernel = cell.bias = None


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
        self.kernel = self.add_weight(
            name="kernel", shape=(input_dim, width), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=(self.units, width),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=self.bias_shape(), initializer=self.make_bias_initializer(),
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
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
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        })
        return config
