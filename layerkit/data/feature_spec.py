"""Feature specs for parsing Examples: `FixedLenFeature`, `VarLenFeature`,
`FixedLenSequenceFeature` (as `tf.io` has them), with numpy dtypes.

A spec's dtype is one of float32, int64 or string (the three list kinds an
Example can hold). numpy dtypes, the strings 'float32' / 'int64' / 'string',
`bytes`/`str`/`object`, and TF-style dtype objects with a `.name` are accepted;
the stored `dtype` is the numpy dtype (`object` for strings).
"""

import collections

import numpy as np

__all__ = ["FixedLenFeature", "VarLenFeature", "FixedLenSequenceFeature",
           "normalize_dtype", "list_kind"]

_FLOAT = np.dtype(np.float32)
_INT = np.dtype(np.int64)
_STRING = np.dtype(object)


def normalize_dtype(dtype, where="feature"):
    """float32 / int64 / object(string) numpy dtype for a spec's `dtype`."""
    name = getattr(dtype, "name", None)
    if isinstance(name, str) and not isinstance(dtype, np.dtype):
        dtype = name  # e.g. tf.int64 -> 'int64', tf.string -> 'string'
    if dtype in ("string", "str", "bytes", bytes, str, object):
        return _STRING
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is not None and dt.kind in "SUO":
        return _STRING
    if dt in (_FLOAT, _INT):
        return dt
    raise ValueError(
        f"{where}: dtype must be float32, int64 or string (the value kinds an Example "
        f"can store); received {dtype!r}. Parse as one of those and cast afterwards.")


def list_kind(dtype):
    """Name of the Feature oneof field holding values of `dtype`."""
    return {_FLOAT: "float_list", _INT: "int64_list", _STRING: "bytes_list"}[dtype]


def _shape(shape, where, allow_none=False):
    if shape is None:
        raise ValueError(f"{where}: shape must be a list of ints (use [] for a scalar).")
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    out = []
    for d in shape:
        if d is None and allow_none:
            out.append(None)
        elif d is None or int(d) < 0:
            raise ValueError(f"{where}: every dimension of shape must be a known size >= 0; "
                             f"received shape {list(shape)}.")
        else:
            out.append(int(d))
    return tuple(out)


class FixedLenFeature(collections.namedtuple(
        "FixedLenFeature", ["shape", "dtype", "default_value"])):
    """A feature with a fixed number of values, parsed to an array of `shape`.

    Args:
      shape: the parsed shape; the Example must hold exactly prod(shape) values.
      dtype: float32, int64 or string.
      default_value: used when the key is missing (a scalar or prod(shape) values);
        without it, a missing key is an error.
    """

    __slots__ = ()

    def __new__(cls, shape, dtype, default_value=None):
        where = "FixedLenFeature"
        return super().__new__(cls, _shape(shape, where), normalize_dtype(dtype, where),
                               default_value)


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A feature with any number of values, parsed to a `SparseTensor`."""

    __slots__ = ()

    def __new__(cls, dtype):
        return super().__new__(cls, normalize_dtype(dtype, "VarLenFeature"))


class FixedLenSequenceFeature(collections.namedtuple(
        "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"])):
    """A sequence of items of `shape`, parsed to an array [num_items] + shape.

    In an Example the values are flattened (their count must be a multiple of
    prod(shape)); in a SequenceExample's feature_lists each Feature is one item.
    `default_value` pads shorter sequences when batching in `parse_example`.
    """

    __slots__ = ()

    def __new__(cls, shape, dtype, allow_missing=False, default_value=None):
        where = "FixedLenSequenceFeature"
        return super().__new__(cls, _shape(shape, where), normalize_dtype(dtype, where),
                               bool(allow_missing), default_value)
