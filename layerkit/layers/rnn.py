"""RNN: runs a cell over the time axis of its inputs, in the engine's loop.

`RNN(cell)` takes any cell (a layer whose `call(inputs, states)` returns
`(output, new_states)` and which has a `state_size`), or a list of cells (stacked).
The loop is `engine.rnn` (lax.scan on JAX, a tight loop on PyTorch); LSTM and GRU
replace it with the engines' `lstm`/`gru` hooks (`_engine_loop`).

Keras behaviour kept: masks (a masked step keeps the states and shows the previous
output, or zeros with `zero_output_for_mask`; the output mask is the input mask when
returning sequences), `initial_state` as arrays or symbolic tensors (also as extra
inputs `layer([x, h, c])`, Keras 2's form), `go_backwards` (outputs in the order the
steps ran), `return_state`, `stateful` with `reset_states`, `unroll` and Keras 2's
`time_major`.

Stateful states are engine state outside the weights (Keras 3 keeps them out of
`weights` and `count_params` too). They travel through the compiled step with the seed
states: each state Variable sits in `_seed_generators` wrapped in a `_StateSlot`, the
structure the trainers carry and write back (engine/common/contract.py `seeds`).
"""
from layerkit import engine, ops, regularizers
from layerkit.layers.layer import Layer
from layerkit.layers.serialization import deserialize_keras_object, serialize_keras_object
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.utils.tree import flatten, map_structure, pack_sequence_as


class _StateSlot:
    """Holds one stateful RNN state Variable where the trainers carry non-weight state."""

    def __init__(self, variable):
        self.state = variable


def _is_shape(x):
    return isinstance(x, (list, tuple)) and all(d is None or isinstance(d, int) for d in x)


class RNN(Layer):
    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, time_major=False,
                 **kwargs):
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            from layerkit.layers.stacked_rnn_cells import StackedRNNCells
            cell = StackedRNNCells(cell)
        for attr in ("call", "state_size"):
            if not hasattr(cell, attr):
                raise ValueError(f'{type(self).__name__} "{self.name}": the cell must have a '
                                 f"`{attr}` (a `call(inputs, states)` and the size of each "
                                 f"state), received {cell!r}.")
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.time_major = bool(time_major)
        self.supports_masking = True
        self.states = None
        self._state_slots = []

    @property
    def state_size(self):
        return self.cell.state_size

    def _state_sizes(self):
        size = self.cell.state_size
        return flatten(size) if isinstance(size, (list, tuple)) else [size]

    def _output_size(self):
        size = getattr(self.cell, "output_size", None)
        return size if size is not None else self._state_sizes()[0]

    def _owner(self):
        return f'{type(self).__name__} "{self.name}"'

    # --- shapes -------------------------------------------------------------
    def _sequence_shape(self, shape):
        """The (batch, time, ...) shape of the sequences, from the input shape(s)."""
        if not _is_shape(shape):
            shape = shape[0]
        shape = tuple(shape)
        if len(shape) < 3:
            raise ValueError(f"{self._owner()}: expected inputs of rank 3 or more "
                             "(batch, timesteps, features), received an input of shape "
                             f"{shape} (rank {len(shape)}).")
        return (shape[1], shape[0]) + shape[2:] if self.time_major else shape

    def build(self, sequences_shape, initial_state_shape=None):
        shape = self._sequence_shape(sequences_shape)
        self._check_unroll(shape[1])
        step_shape = (shape[0],) + shape[2:]
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build(step_shape)
            self.cell.built = True
        if self.stateful and self.states is None:
            if shape[0] is None:
                raise ValueError(
                    f"{self._owner()}: a stateful RNN needs a fixed batch size. Give the "
                    "first layer `batch_input_shape=(batch, timesteps, features)` (Keras 2), "
                    "or `Input(batch_shape=...)`; received input shape "
                    f"{tuple(sequences_shape)}.")
            self._make_states(shape[0])
        self.built = True

    def _make_states(self, batch_size):
        with self._name_scope():
            self.states = [engine.Variable(v, trainable=False, name="rnn_state")
                           for v in flatten(self._zero_states(batch_size))]
        self._state_slots = [_StateSlot(v) for v in self.states]
        self._seed_generators.extend(self._state_slots)

    def _zero_states(self, batch_size):
        make = getattr(self.cell, "get_initial_state", None)
        if make is not None:
            states = make(batch_size=batch_size)
            return states if isinstance(states, (list, tuple)) else [states]
        return [ops.zeros((batch_size, s), dtype=self.compute_dtype)
                for s in self._state_sizes()]

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self._sequence_shape(sequences_shape)
        batch = shape[0]
        out = self._output_size()
        out = tuple(out) if isinstance(out, (list, tuple)) else (out,)
        if self.return_sequences:
            output = (shape[1], batch) + out if self.time_major else (batch, shape[1]) + out
        else:
            output = (batch,) + out
        if not self.return_state:
            return output

        def shape_of(size):
            return (batch,) + (tuple(size) if isinstance(size, (list, tuple)) else (size,))

        cells = getattr(self.cell, "cells", None)
        if cells is not None:
            return [output] + [[shape_of(s) for s in (c.state_size if isinstance(
                c.state_size, (list, tuple)) else [c.state_size])] for c in cells]
        return [output] + [shape_of(s) for s in self._state_sizes()]

    def compute_output_spec(self, sequences, initial_state=None, mask=None, training=False):
        shapes = self.compute_output_shape(
            map_structure(lambda t: tuple(t.shape), sequences))

        def spec(shape):
            if _is_shape(shape):
                return SymbolicTensor(tuple(shape), self.compute_dtype)
            return [spec(s) for s in shape]
        return spec(shapes)

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self._state_sizes())
        return output_mask

    # --- calling ------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=False):
        if isinstance(sequences, (list, tuple)):
            if initial_state is not None:
                raise ValueError(f"{self._owner()}: the initial state was given twice, as "
                                 "extra inputs and as `initial_state`.")
            sequences, initial_state = sequences[0], list(sequences[1:]) or None
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if len(sequences.shape) < 3:
            self._sequence_shape(tuple(sequences.shape))
        if self.time_major:
            sequences = ops.swapaxes(sequences, 0, 1)
            mask = None if mask is None else ops.swapaxes(mask, 0, 1)
        self._check_unroll(sequences.shape[1])
        if mask is not None:
            mask = self._check_mask(sequences, mask)
        states = self._initial_states(sequences, initial_state)
        self._prepare_dropout(sequences, states, training)
        try:
            result = self._engine_loop(sequences, states, mask, training)
            if result is None:
                result = self._generic_loop(sequences, states, mask, training)
        finally:
            if hasattr(self.cell, "clear_dropout"):
                self.cell.clear_dropout()
        last_output, outputs, new_states = result
        if self.stateful:
            for variable, value in zip(self.states, flatten(new_states)):
                variable.assign(engine.stop_gradient(value))
        if self.return_sequences:
            output = ops.swapaxes(outputs, 0, 1) if self.time_major else outputs
        else:
            output = last_output
        if self.return_state:
            # Keras 3: the states as the cell holds them (one list per stacked cell).
            return [output] + list(new_states)
        return output

    def _check_unroll(self, steps):
        if self.unroll and steps is None:
            raise ValueError(f"{self._owner()}: cannot unroll an RNN whose number of time "
                             "steps is unknown; give the Input a fixed `shape`.")

    def _check_mask(self, sequences, mask):
        mask = ops.convert_to_tensor(mask)
        want = tuple(sequences.shape[:2])
        got = tuple(mask.shape)
        if len(got) == 3 and got[-1] == 1:
            mask = ops.squeeze(mask, -1)
            got = got[:2]
        if got != want:
            raise ValueError(f"{self._owner()}: the mask must have shape (batch, timesteps) "
                             f"= {want} to match the inputs {tuple(sequences.shape)}, "
                             f"received a mask of shape {tuple(mask.shape)}.")
        return mask

    def _initial_states(self, sequences, initial_state):
        batch = sequences.shape[0]
        if initial_state is None:
            if self.stateful:
                if self.states is None:
                    self._make_states(batch)
                self._check_stateful_batch(batch)
                values = [v.value for v in self.states]
                return pack_sequence_as(self._zero_structure(batch), values)
            return self._zero_states(batch)
        given = initial_state if isinstance(initial_state, (list, tuple)) else [initial_state]
        given = [ops.convert_to_tensor(s, dtype=self.compute_dtype) for s in flatten(given)]
        sizes = self._state_sizes()
        if len(given) != len(sizes):
            raise ValueError(f"{self._owner()}: expected {len(sizes)} initial state(s) "
                             f"(the cell's state_size is {self.cell.state_size}), received "
                             f"{len(given)}.")
        for i, (s, size) in enumerate(zip(given, sizes)):
            want = (batch,) + (tuple(size) if isinstance(size, (list, tuple)) else (size,))
            if tuple(s.shape)[1:] != want[1:] or (batch is not None and s.shape[0] != batch):
                raise ValueError(f"{self._owner()}: initial state {i} must have shape {want}, "
                                 f"received {tuple(s.shape)}.")
        return pack_sequence_as(self._zero_structure(batch), given)

    def _zero_structure(self, batch):
        structure = getattr(self.cell, "state_structure", None)
        return structure() if structure is not None else [0] * len(self._state_sizes())

    def _check_stateful_batch(self, batch):
        expected = self.states[0].shape[0]
        if batch is not None and batch != expected:
            raise ValueError(f"{self._owner()}: this stateful RNN was built for batches of "
                             f"{expected} samples, received a batch of {batch}. Feed batches "
                             "of the same size (drop the remainder) or rebuild the layer.")

    def reset_states(self, states=None):
        """Resets a stateful RNN's states to zeros, or to the given arrays."""
        if not self.stateful:
            raise AttributeError(f"{self._owner()}: reset_states() needs stateful=True.")
        if self.states is None:
            return
        if states is None:
            for v in self.states:
                v.assign(ops.zeros_like(v.value))
            return
        values = flatten(states if isinstance(states, (list, tuple)) else [states])
        if len(values) != len(self.states):
            raise ValueError(f"{self._owner()}: reset_states expects {len(self.states)} "
                             f"arrays, received {len(values)}.")
        for v, value in zip(self.states, values):
            if tuple(ops.shape(value)) != tuple(v.shape):
                raise ValueError(f"{self._owner()}: state {v.path} has shape {v.shape}, "
                                 f"received {tuple(ops.shape(value))}.")
            v.assign(value)

    def reset_state(self):
        self.reset_states()

    def _prepare_dropout(self, sequences, states, training):
        prepare = getattr(self.cell, "prepare_dropout", None)
        if prepare is not None and training:
            prepare(sequences[:, 0], flatten(states)[0], training)

    def _engine_loop(self, sequences, states, mask, training):
        """An engine kernel for the whole loop (LSTM, GRU), or None."""
        return None

    def _generic_loop(self, sequences, states, mask, training):
        cell = self.cell
        from layerkit.layers.rnn_cell import RecurrentCell
        from layerkit.layers.stacked_rnn_cells import StackedRNNCells
        direct = isinstance(cell, (RecurrentCell, StackedRNNCells))
        takes_training = getattr(cell, "_call_has_training", False)

        def step(x_t, step_states):
            kwargs = {"training": training} if takes_training else {}
            if direct:
                out, new = cell.call(x_t, step_states, **kwargs)
            else:
                out, new = cell(x_t, step_states, **kwargs)
            return out, (list(new) if isinstance(new, (list, tuple)) else [new])

        return engine.rnn(step, sequences, states, go_backwards=self.go_backwards, mask=mask,
                          unroll=self.unroll, zero_output_for_mask=self.zero_output_for_mask,
                          return_all_outputs=self.return_sequences)

    # --- config -------------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        config.update({
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        })
        if self.time_major:
            config["time_major"] = True   # Keras 2 only; Keras 3 has no such key
        if type(self) is RNN:
            config["cell"] = serialize_keras_object(self.cell)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if cls is RNN:
            config["cell"] = deserialize_keras_object(config["cell"], custom_objects)
        return cls(**config)


# The cell arguments a cell-backed layer (SimpleRNN, LSTM, GRU, ConvLSTM) shows as its own
# attributes and config keys, as Keras's layers do.
_CELL_CONFIG_SKIPPED = ("name", "trainable", "dtype", "batch_input_shape")


# The arguments of a recurrent layer that belong to the RNN wrapper, not to its cell.
_RNN_ARGUMENTS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                  "zero_output_for_mask", "time_major")


class CellLayer(RNN):
    """An RNN layer that makes its own cell (`cell_class`) from its arguments."""

    cell_class = None
    cell_name = None

    def __init__(self, arguments, **cell_extras):
        """`arguments`: the subclass's own parameters, its `locals()`. The RNN's go to
        RNN, `**kwargs` and activity_regularizer to Layer, the rest (with
        `cell_extras`) make the cell: each subclass spells out Keras's signature once."""
        arguments = {k: v for k, v in arguments.items() if k not in ("self", "__class__")}
        kwargs = dict(arguments.pop("kwargs"),
                      activity_regularizer=arguments.pop("activity_regularizer"))
        kwargs.pop("implementation", None)   # Keras 2's kernel layout choice: no effect
        arguments.pop("use_cudnn", None)     # LSTM's and GRU's own (check_use_cudnn)
        rnn_kwargs = {k: arguments.pop(k) for k in _RNN_ARGUMENTS if k in arguments}
        cell = self.cell_class(name=self.cell_name, dtype=kwargs.get("dtype"),
                               trainable=kwargs.get("trainable", True),
                               **arguments, **cell_extras)
        super().__init__(cell, **rnn_kwargs, **kwargs)

    def __getattr__(self, name):
        # units, activation, dropout, ... read through to the cell, as in Keras.
        cell = self.__dict__.get("cell")
        if cell is not None and not name.startswith("_") and name in cell.get_config():
            return getattr(cell, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def get_config(self):
        config = super().get_config()
        cell_config = self.cell.get_config()
        for key in _CELL_CONFIG_SKIPPED:
            cell_config.pop(key, None)
        config.update(cell_config)
        config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config
