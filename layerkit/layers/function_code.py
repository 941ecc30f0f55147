"""A Python function stored as its bytecode in a config, and rebuilt from it.

A lambda or a function defined inside another function has no importable name, so a
config that must bring it back stores its code, as Keras 3 does (its Lambda layer and
its serialization_lib): `{"class_name": "__lambda__", "config": {"code": base64 of
marshal.dumps(fn.__code__), "defaults": fn.__defaults__, "closure": the values of
its closure cells}}`. layerkit adds the defining module's name ("module"), whose
globals the rebuilt function sees when that module is imported at load time (Keras
2's Lambda did the same; Keras 3 ignores the key). A function defined at module level
is not stored here: it is named (module and name) by the layer that holds it.

Rebuilding runs code from the file, so it is refused unless safe mode is off: by
`load_model(..., safe_mode=False)`, a `SafeModeScope(False)` block or
`layerkit.config.enable_unsafe_deserialization()`. Where nothing has set it (a direct
`from_config`), safe mode is on, as in Keras 3. Marshalled code is specific to the
Python version that wrote it (Keras 3 has the same limit).
"""
import base64
import builtins
import marshal
import sys
import types

import numpy as np

from layerkit import config as _config

LAMBDA_CLASS = "__lambda__"


def stores_code(fn):
    """Whether `fn` can only be saved as code: a lambda, or a function defined inside
    another function."""
    if not isinstance(fn, types.FunctionType):
        return False
    return fn.__name__ == "<lambda>" or "<locals>" in getattr(fn, "__qualname__", "")


def _jsonable(value):
    """`value` as JSON holds it (numpy scalars become Python numbers), or TypeError."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic) and value.ndim == 0:
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _jsonable(v) for k, v in value.items()}
    raise TypeError(type(value).__name__)


def dump_function(fn, owner):
    """The `__lambda__` config of `fn`. `owner` ('Lambda layer "lam"', 'OpLayer "map"
    (map)') names the holder in errors."""
    cells = fn.__closure__ or ()
    names = fn.__code__.co_freevars
    closure = []
    for name, cell in zip(names, cells):
        try:
            closure.append(_jsonable(cell.cell_contents))
        except ValueError:  # an empty cell: a name assigned after the function
            raise ValueError(f"{owner}: its function refers to {name!r}, which has no "
                             "value yet, so the function cannot be saved.") from None
        except TypeError as e:
            raise ValueError(
                f"{owner}: its function captures {name!r}, a value of type {e}, which "
                "cannot be stored in a JSON config (only numbers, strings, None and "
                "lists/dicts of those can). Pass the value through the layer's "
                "`arguments` or as a tensor operand, or define the function with `def` at "
                "module level so it is saved by name.") from None
    try:
        defaults = _jsonable(fn.__defaults__)
    except TypeError as e:
        raise ValueError(f"{owner}: a default argument of its function has type {e}, "
                         "which cannot be stored in a JSON config.") from None
    code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
    return {"class_name": LAMBDA_CLASS,
            "config": {"code": code, "defaults": defaults,
                       "closure": closure if cells else None,
                       "module": getattr(fn, "__module__", None)}}


def is_stored_code(entry):
    """Whether `entry` holds a function's code: Keras 3's Lambda form ({"code", ...}) or
    its serialization_lib form ({"value": [code, defaults, closure]})."""
    if not isinstance(entry, dict) or entry.get("class_name") != LAMBDA_CLASS:
        return False
    inner = entry.get("config")
    return isinstance(inner, dict) and ("code" in inner or "value" in inner)


def load_function(entry, owner, instead, safe_mode=None):
    """The function an `is_stored_code` entry holds; refused in safe mode, with an
    error that names `owner` and ends with `instead` (the safe way to proceed).

    `safe_mode` None follows the ambient setting (a SafeModeScope, or
    enable_unsafe_deserialization), which is safe where nothing has set it."""
    if safe_mode is None:
        safe_mode = _config.in_safe_mode() is not False
    if safe_mode:
        raise ValueError(
            f"{owner}: its function is stored in the file as Python bytecode, and "
            "rebuilding it would execute code from the file, which is refused in safe mode. "
            "If you trust the file, load it with load_model(..., safe_mode=False) (or call "
            "layerkit.config.enable_unsafe_deserialization() first, or deserialize inside "
            f"`with layerkit.saving.SafeModeScope(False):`); otherwise {instead}")
    inner = entry["config"]
    if "code" in inner:
        code, defaults, closure = inner["code"], inner.get("defaults"), inner.get("closure")
    else:
        code, defaults, closure = (list(inner["value"]) + [None, None])[:3]
    return rebuild(code, defaults, closure, inner.get("module"), owner)


def rebuild(code, defaults, closure, module, owner):
    """A function from base64 marshalled code, its defaults and closure values."""
    try:
        raw = marshal.loads(base64.b64decode(str(code).encode("ascii")))
    except (ValueError, EOFError, TypeError) as e:
        raise ValueError(f"{owner}: its stored bytecode cannot be read (written by another "
                         f"Python version, or damaged): {e}") from e
    if not isinstance(raw, types.CodeType):
        raise ValueError(f"{owner}: its stored bytecode is not a function's code.")
    cells = tuple(types.CellType(v) for v in closure) if closure else None
    if len(cells or ()) != len(raw.co_freevars):
        raise ValueError(f"{owner}: its function needs {len(raw.co_freevars)} closure "
                         f"value(s) {raw.co_freevars}, the config holds {len(cells or ())}.")
    defaults = tuple(defaults) if isinstance(defaults, list) else defaults
    return types.FunctionType(raw, _globals_for(module), raw.co_name, defaults, cells)


def _globals_for(module):
    """The globals a rebuilt function sees: those of the module it was defined in when
    that module is imported (as Keras 2's Lambda did), else layerkit's ops and numpy."""
    found = sys.modules.get(module) if isinstance(module, str) else None
    if found is not None:
        return vars(found)
    from layerkit import ops
    return {"__builtins__": builtins, "ops": ops, "np": np, "numpy": np}
