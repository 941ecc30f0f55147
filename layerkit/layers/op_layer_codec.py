"""How an OpLayer's fixed arguments (numbers, strings, arrays, Variables, shapes, axes,
an index) are written into a JSON config and read back. A symbolic operand is a slot
`{"tensor": i}`: the layer's i-th input at run time."""
import numpy as np

from layerkit import engine
from layerkit.engine.common.dtypes import standardize_dtype
from layerkit.engine.common.variables import Variable


class Slot:
    """Stands for the i-th symbolic operand in an OpLayer's argument list."""

    def __init__(self, index):
        self.index = index

    def __repr__(self):
        return f"<tensor {self.index}>"


# --- indexes (`x[:, 1:, None, ...]`) ---------------------------------------------
def _encode_index_item(item):
    if item is None or isinstance(item, (bool, int, np.integer)):
        return None if item is None else int(item)
    if item is Ellipsis:
        return "..."
    if isinstance(item, slice):
        return {"slice": [_encode_index_item(item.start), _encode_index_item(item.stop),
                          _encode_index_item(item.step)]}
    if isinstance(item, (list, tuple, np.ndarray)) or engine.is_tensor(item):
        return {"array": np.asarray(engine.convert_to_numpy(item)).tolist()}
    raise ValueError(f"OpLayer: cannot store the index item {item!r} in a config.")


def _decode_index_item(item):
    if item == "...":
        return Ellipsis
    if isinstance(item, dict) and "slice" in item:
        return slice(*item["slice"])
    if isinstance(item, dict) and "array" in item:
        return np.asarray(item["array"])
    return item


# --- arguments ---------------------------------------------------------------------
def encode(value, op, is_index=False):
    """The JSON form of one argument of `op`."""
    if isinstance(value, Slot):
        return {"tensor": value.index}
    if is_index and not isinstance(value, (Variable, np.ndarray)) \
            and not engine.is_tensor(value):
        key = value if isinstance(value, tuple) else (value,)
        return {"index": [_encode_index_item(k) for k in key],
                "tuple": isinstance(value, tuple)}
    if isinstance(value, Variable):
        return {"variable": {"shape": list(value.shape), "dtype": value.dtype,
                             "trainable": value.trainable, "name": value.name}}
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"value": value}
    if isinstance(value, np.generic):
        return {"value": value.item()}
    if isinstance(value, np.dtype):
        return {"value": standardize_dtype(value)}
    if isinstance(value, (list, tuple)):
        return {"list": [encode(v, op) for v in value], "tuple": isinstance(value, tuple)}
    if isinstance(value, np.ndarray) or engine.is_tensor(value):
        arr = np.asarray(engine.convert_to_numpy(value))
        return {"array": arr.tolist(), "dtype": str(arr.dtype)}
    raise ValueError(f"OpLayer: cannot store the argument {value!r:.80} of `{op}` in a "
                     "config: expected a number, string, None, array, Variable, or a "
                     "list/tuple of those.")


def decode(entry):
    """An argument from its JSON form; anything that is not a dict was given in code."""
    if not isinstance(entry, dict):
        return entry
    if "tensor" in entry:
        return Slot(int(entry["tensor"]))
    if "index" in entry:
        items = tuple(_decode_index_item(k) for k in entry["index"])
        return items if entry.get("tuple", True) else items[0]
    if "variable" in entry:
        spec = entry["variable"]
        return engine.Variable(np.zeros(spec["shape"], dtype=spec["dtype"]),
                                dtype=spec["dtype"], trainable=spec.get("trainable", True),
                                name=spec.get("name"))
    if "list" in entry:
        items = [decode(v) for v in entry["list"]]
        return tuple(items) if entry.get("tuple") else items
    if "array" in entry:
        return np.asarray(entry["array"], dtype=entry.get("dtype"))
    if "value" in entry:
        return entry["value"]
    raise ValueError(f"OpLayer: cannot read the argument {entry!r:.120}.")


def substitute(value, tensors):
    """`value` with each Slot replaced by its tensor and each Variable by its value."""
    if isinstance(value, Slot):
        return tensors[value.index]
    if isinstance(value, Variable):
        return value.value
    if isinstance(value, (list, tuple)):
        return type(value)(substitute(v, tensors) for v in value)
    if isinstance(value, dict):
        return {k: substitute(v, tensors) for k, v in value.items()}
    return value


def leaves_of_type(value, cls):
    """The leaves of a nested list/tuple/dict that are `cls` instances, in order."""
    if isinstance(value, cls):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in leaves_of_type(item, cls)]
    if isinstance(value, dict):
        return [v for item in value.values() for v in leaves_of_type(item, cls)]
    return []


def variables_in(value):
    return leaves_of_type(value, Variable)
