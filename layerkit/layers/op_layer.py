"""OpLayer: arithmetic written on symbolic tensors (`x + 1`, `x * y`, `x[:, 0]`, `-x`,
`x @ w`) becomes a layer call, so the operation is a node of the functional graph.

SymbolicTensor's operators call `symbolic_op(name, *operands)`. The layer keeps the
operands that are not symbolic tensors (numbers, arrays, Variables, an index) and is
called on the symbolic ones; at run time it applies the matching `layerkit.ops`
function (or Python indexing for `getitem`).
"""
import numpy as np

from layerkit import backend, ops
from layerkit.backend.common import naming
from layerkit.backend.common.symbolic_tensor import SymbolicTensor
from layerkit.backend.common.variables import Variable
from layerkit.layers.layer import Layer

# op name -> (number of operands, layer name prefix)
_OPS = {
    "add": (2, "add"), "subtract": (2, "subtract"), "multiply": (2, "multiply"),
    "divide": (2, "divide"), "power": (2, "power"), "matmul": (2, "matmul"),
    "negative": (1, "negative"), "getitem": (2, "get_item"),
}


class _Slot:
    """Stands for the i-th symbolic operand in an OpLayer's argument list."""

    def __init__(self, index):
        self.index = index

    def __repr__(self):
        return f"<tensor {self.index}>"


# --- (de)serialization of the fixed operands -----------------------------------
def _encode_index_item(item):
    if item is None or isinstance(item, (bool, int, np.integer)):
        return None if item is None else int(item)
    if item is Ellipsis:
        return "..."
    if isinstance(item, slice):
        return {"slice": [_encode_index_item(item.start), _encode_index_item(item.stop),
                          _encode_index_item(item.step)]}
    if isinstance(item, (list, tuple, np.ndarray)) or backend.is_tensor(item):
        return {"array": np.asarray(backend.convert_to_numpy(item)).tolist()}
    raise ValueError(f"OpLayer: cannot store the index item {item!r} in a config.")


def _decode_index_item(item):
    if item == "...":
        return Ellipsis
    if isinstance(item, dict) and "slice" in item:
        return slice(*item["slice"])
    if isinstance(item, dict) and "array" in item:
        return np.asarray(item["array"])
    return item


def _encode(value, op):
    if isinstance(value, _Slot):
        return {"tensor": value.index}
    if op == "getitem" and not isinstance(value, (Variable, np.ndarray)) \
            and not backend.is_tensor(value):
        key = value if isinstance(value, tuple) else (value,)
        return {"index": [_encode_index_item(k) for k in key],
                "tuple": isinstance(value, tuple)}
    if isinstance(value, Variable):
        return {"variable": {"shape": list(value.shape), "dtype": value.dtype,
                             "trainable": value.trainable, "name": value.name}}
    if value is None or isinstance(value, (bool, int, float)):
        return {"value": value}
    if isinstance(value, (np.generic,)):
        return {"value": value.item()}
    if isinstance(value, np.ndarray) or backend.is_tensor(value):
        arr = np.asarray(backend.convert_to_numpy(value))
        return {"array": arr.tolist(), "dtype": str(arr.dtype)}
    raise ValueError(f"OpLayer: cannot store the operand {value!r} of `{op}` in a config.")


def _decode(entry):
    if not isinstance(entry, dict):
        return entry  # a raw operand given in code (symbolic_op)
    if "tensor" in entry:
        return _Slot(int(entry["tensor"]))
    if "index" in entry:
        items = tuple(_decode_index_item(k) for k in entry["index"])
        return items if entry.get("tuple", True) else items[0]
    if "variable" in entry:
        spec = entry["variable"]
        return backend.Variable(np.zeros(spec["shape"], dtype=spec["dtype"]),
                                dtype=spec["dtype"], trainable=spec.get("trainable", True),
                                name=spec.get("name"))
    if "array" in entry:
        return np.asarray(entry["array"], dtype=entry.get("dtype"))
    if "value" in entry:
        return entry["value"]
    raise ValueError(f"OpLayer: cannot read operand {entry!r}.")


class OpLayer(Layer):
    """One operation (`op`) on symbolic tensors and fixed operands."""

    def __init__(self, op, arguments=None, name=None, **kwargs):
        if op not in _OPS:
            raise ValueError(f"OpLayer: unknown operation {op!r}; known: {sorted(_OPS)}.")
        super().__init__(name=name or naming.uniquify(_OPS[op][1]), **kwargs)
        self.op = op
        self._arguments = [_decode(a) for a in (arguments or [])]
        if len(self._arguments) != _OPS[op][0]:
            raise ValueError(f'OpLayer "{self.name}": `{op}` takes {_OPS[op][0]} operand(s), '
                             f"received {len(self._arguments)}.")
        self._num_tensors = sum(isinstance(a, _Slot) for a in self._arguments)
        for a in self._arguments:
            if isinstance(a, Variable) and all(a is not v for v in self._own_variables):
                self._own_variables.append(a)
        self.built = True

    def _operands(self, inputs):
        tensors = list(inputs) if self._num_tensors > 1 else [inputs]
        if len(tensors) != self._num_tensors:
            raise ValueError(f'OpLayer "{self.name}" ({self.op}) expects '
                             f"{self._num_tensors} tensor(s), received {len(tensors)}.")
        return [tensors[a.index] if isinstance(a, _Slot)
                else a.value if isinstance(a, Variable) else a
                for a in self._arguments]

    def call(self, inputs):
        args = self._operands(inputs)
        if self.op == "getitem":
            return args[0][args[1]]
        return getattr(ops, self.op)(*args)

    def compute_output_spec(self, inputs, *args, **kwargs):
        try:
            return backend.compute_output_spec(self.call, inputs)
        except Exception as e:
            shapes = [a.shape if isinstance(a, SymbolicTensor) else a
                      for a in self._operands(inputs)]
            raise ValueError(f'Operation "{self.name}" ({self.op}) cannot be applied to '
                             f"operands {shapes}: {e}") from e

    def get_config(self):
        config = super().get_config()
        config.update({"op": self.op,
                       "arguments": [_encode(a, self.op) for a in self._arguments]})
        return config

    def __repr__(self):
        return f"<OpLayer name={self.name}, op={self.op}, operands={self._arguments}>"


def symbolic_op(name, *operands):
    """Records `name(*operands)` as an OpLayer call; at least one operand is symbolic."""
    arguments, tensors = [], []
    for value in operands:
        if isinstance(value, SymbolicTensor):
            arguments.append(_Slot(len(tensors)))
            tensors.append(value)
        else:
            arguments.append(value)
    layer = OpLayer(name, arguments=arguments)
    return layer(tensors[0] if len(tensors) == 1 else tensors)
