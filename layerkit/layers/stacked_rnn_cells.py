"""StackedRNNCells: a list of cells run as one cell, each cell's output the next one's
input; its states are one list per cell (`RNN([cell1, cell2])` makes one)."""
from layerkit import ops
from layerkit.layers.layer import Layer
from layerkit.layers.serialization import deserialize_keras_object, serialize_keras_object
from layerkit.utils.tree import flatten


def _state_list(states):
    return list(states) if isinstance(states, (list, tuple)) else [states]


class StackedRNNCells(Layer):
    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(cells, (list, tuple)) or not cells:
            raise ValueError(f'StackedRNNCells "{self.name}": `cells` must be a non-empty '
                             f"list of cells, received {cells!r}.")
        for cell in cells:
            if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
                raise ValueError(f'StackedRNNCells "{self.name}": every cell needs `call` '
                                 f"and `state_size`, received {cell!r}.")
        self.cells = list(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        size = getattr(last, "output_size", None)
        if size is not None:
            return size
        return flatten(last.state_size)[0] if isinstance(last.state_size, (list, tuple)) \
            else last.state_size

    def state_structure(self):
        return [[0] * len(flatten(c.state_size)) if isinstance(c.state_size, (list, tuple))
                else [0] for c in self.cells]

    def get_initial_state(self, batch_size=None):
        out = []
        for cell in self.cells:
            make = getattr(cell, "get_initial_state", None)
            if make is not None:
                out.append(_state_list(make(batch_size=batch_size)))
            else:
                sizes = flatten(cell.state_size) if isinstance(cell.state_size, (list, tuple)) \
                    else [cell.state_size]
                out.append([ops.zeros((batch_size, s), dtype=self.compute_dtype)
                            for s in sizes])
        return out

    def build(self, input_shape):
        shape = tuple(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(shape)
                cell.built = True
            size = getattr(cell, "output_size", None)
            if size is None:
                size = flatten(cell.state_size)[0] if isinstance(
                    cell.state_size, (list, tuple)) else cell.state_size
            shape = shape[:1] + (tuple(size) if isinstance(size, (list, tuple)) else (size,))
        self.built = True

    def prepare_dropout(self, step_inputs, state, training):
        x = step_inputs
        batch = step_inputs.shape[0]
        for cell in self.cells:
            prepare = getattr(cell, "prepare_dropout", None)
            if prepare is not None:
                prepare(x, ops.zeros((batch, flatten(cell.state_size)[0]
                                      if isinstance(cell.state_size, (list, tuple))
                                      else cell.state_size), dtype=x.dtype), training)
            x = ops.zeros((batch, getattr(cell, "output_size", None) or
                           flatten(cell.state_size)[0]), dtype=x.dtype)

    def clear_dropout(self):
        for cell in self.cells:
            clear = getattr(cell, "clear_dropout", None)
            if clear is not None:
                clear()

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            cell_states = _state_list(cell_states)
            if getattr(cell, "_call_has_training", False):
                inputs, out_states = cell.call(inputs, cell_states, training=training)
            else:
                inputs, out_states = cell.call(inputs, cell_states)
            new_states.append(_state_list(out_states))
        return inputs, new_states

    def get_config(self):
        config = super().get_config()
        config["cells"] = [serialize_keras_object(c) for c in self.cells]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["cells"] = [deserialize_keras_object(c, custom_objects)
                           for c in config["cells"]]
        return cls(**config)
