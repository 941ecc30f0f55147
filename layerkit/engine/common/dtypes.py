"""Dtype names: every engine's dtype objects are reduced to one string spelling."""
import numpy as np

from layerkit import config

ALLOWED_DTYPES = (
    "float16", "bfloat16", "float32", "float64",
    "uint8", "uint16", "uint32", "uint64",
    "int8", "int16", "int32", "int64",
    "bool", "complex64", "complex128", "string",
)
_ALIASES = {"float": "float32", "double": "float64", "half": "float16", "int": "int64",
            "long": "int64", "boolean": "bool", "str": "string", "object": "string"}


# dtype object -> name; dtype objects are few, and the layers ask on every call.
_NAMES = {}


def standardize_dtype(dtype):
    """Returns the dtype's canonical string name, floatx() for None."""
    if dtype is None:
        return config.floatx()
    try:
        return _NAMES[dtype]
    except (KeyError, TypeError):   # TypeError: an unhashable spelling
        pass
    name = _standardize(dtype)
    try:
        _NAMES[dtype] = name
    except TypeError:
        pass
    return name


def _standardize(dtype):
    if dtype is float:
        return "float32"
    if dtype is int:
        return "int64"
    if dtype is bool:
        return "bool"
    if dtype is str:
        return "string"
    name = getattr(dtype, "name", None) if not isinstance(dtype, str) else dtype
    if name is None:
        name = str(dtype)
    name = str(name)
    if name.startswith("torch."):
        name = name[len("torch."):]
    name = _ALIASES.get(name, name)
    if name not in ALLOWED_DTYPES:
        try:
            # numpy's str, bytes and object arrays hold strings ("<U5" has name str160).
            name = "string" if np.dtype(dtype).kind in "USO" else np.dtype(dtype).name
        except TypeError:
            pass
        name = _ALIASES.get(name, name)
    if name not in ALLOWED_DTYPES:
        raise ValueError(f"Invalid dtype: {dtype!r}. Expected one of {ALLOWED_DTYPES}.")
    return name


def is_float(dtype):
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int(dtype):
    return standardize_dtype(dtype).startswith(("int", "uint"))


def default_dtype(x):
    """The dtype `convert_to_tensor(x)` gives without a `dtype` argument, as Keras 3 on
    JAX does: Python floats, float64 numpy values and lists holding a float become
    float32 (not numpy's float64), Python ints and int lists int32, bools bool; an
    empty list float32. None where the value's own dtype stands (a numpy array of
    another dtype, an engine tensor, a list of arrays), which the engine then keeps or
    narrows to what it stores (JAX without x64 stores int64 as int32)."""
    if isinstance(x, (np.ndarray, np.generic)):
        return "float32" if x.dtype == np.float64 else None
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, int):
        return "int32"
    if isinstance(x, float):
        return "float32"
    if isinstance(x, (list, tuple)):
        return _sequence_dtype(x)
    return None


def _sequence_dtype(seq):
    """float32, int32 or bool for nested lists of Python numbers; None when an item is
    something else (an array, a tensor), unless a float decides it."""
    kinds = set()
    _python_kinds(seq, kinds)
    if "float" in kinds or not kinds:
        return "float32"
    if "other" in kinds:
        return None
    return "int32" if "int" in kinds else "bool"


def _python_kinds(seq, kinds):
    for v in seq:
        if isinstance(v, (list, tuple)):
            _python_kinds(v, kinds)
        elif isinstance(v, float):
            kinds.add("float")
        elif isinstance(v, bool):
            kinds.add("bool")
        elif isinstance(v, int):
            kinds.add("int")
        else:
            kinds.add("other")

