"""How an OpLayer's fixed arguments (numbers, strings, arrays, Variables, shapes, axes,
an index, the functions of a control-flow op) are written into a JSON config and read
back. A symbolic operand is a slot `{"tensor": i}`: the layer's i-th input at run time.
A function defined at module level is stored by module and name; a lambda or a
function defined inside another is stored as its code (layers/function_code.py, Keras
3's "__lambda__" form), which loads back only outside safe mode."""
import sys
import types

import numpy as np

from layerkit import engine
from layerkit.engine.common.dtypes import standardize_dtype
from layerkit.engine.common.variables import Variable
from layerkit.layers import function_code


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


# --- functions ---------------------------------------------------------------------
def _encode_function(fn, owner):
    if function_code.stores_code(fn):
        return function_code.dump_function(fn, owner)
    name = getattr(fn, "__qualname__", None) or fn.__name__
    return {"module": getattr(fn, "__module__", None), "name": name}


def _decode_function(entry, owner):
    if function_code.is_stored_code(entry):
        return function_code.load_function(
            entry, owner, "build the model in code, with its functions defined by `def` at "
            "module level (stored by name, they load in safe mode).")
    from layerkit.utils.object_registry import get_custom_objects
    name = entry.get("name", "")
    short = name.rpartition(".")[2]
    registered = get_custom_objects() or {}
    if short != "<lambda>":
        for key, fn in registered.items():
            # Registered names may carry a package: "Custom>body".
            if key in (name, short) or key.rpartition(">")[2] == short and callable(fn):
                return fn
    module = sys.modules.get(entry.get("module") or "")
    if module is not None and not entry.get("code_not_stored"):
        found = module
        for part in name.split("."):
            found = getattr(found, part, None)
        if callable(found):
            return found
    if entry.get("code_not_stored"):
        # Written by layerkit before it stored code: the name only.
        raise ValueError(
            f"{owner}: its argument was a lambda or the nested function {short!r}, whose "
            "code this config does not hold (it was saved before layerkit stored code). "
            "Register a function under that name (layerkit.saving.register_keras_"
            "serializable, or custom_objects when loading), or rebuild the model in code.")
    raise ValueError(
        f"{owner}: its argument was the function {name!r} of module "
        f"{entry.get('module')!r}, which is not imported. Import that module before "
        "loading, or register the function by name (layerkit.saving.register_keras_"
        "serializable, or custom_objects when loading).")


# --- arguments ---------------------------------------------------------------------
def encode(value, op, is_index=False, owner=None):
    """The JSON form of one argument of `op`; `owner` names the layer in errors."""
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
        return {"list": [encode(v, op, owner=owner) for v in value],
                "tuple": isinstance(value, tuple)}
    if isinstance(value, np.ndarray) or engine.is_tensor(value):
        arr = np.asarray(engine.convert_to_numpy(value))
        return {"array": arr.tolist(), "dtype": str(arr.dtype)}
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType)):
        return {"function": _encode_function(value, owner or f"OpLayer ({op})")}
    raise ValueError(f"OpLayer: cannot store the argument {value!r:.80} of `{op}` in a "
                     "config: expected a number, string, None, array, Variable, function, "
                     "or a list/tuple of those.")


def decode(entry, op=None, owner=None):
    """An argument from its JSON form; anything that is not a dict was given in code.
    `owner` names the layer in errors."""
    if not isinstance(entry, dict):
        return entry
    if "function" in entry:
        return _decode_function(entry["function"], owner or f"OpLayer ({op})")
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
        items = [decode(v, op, owner) for v in entry["list"]]
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
