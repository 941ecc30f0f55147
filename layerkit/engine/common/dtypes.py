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
            name = np.dtype(dtype).name
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
