"""Encode dicts of numpy values as Examples; parse Examples with feature specs.

Mirrors `tf.io.parse_single_example`, `tf.io.parse_example`,
`tf.io.parse_single_sequence_example` and `tf.io.decode_raw`, returning numpy
arrays (object arrays for strings) and `SparseTensor`s for `VarLenFeature`.
"""

import math

import numpy as np

from layerkit.data import example_proto
from layerkit.data.feature_spec import (FixedLenFeature, FixedLenSequenceFeature,
                                        VarLenFeature, list_kind)
from layerkit.data.sparse import SparseTensor, batch_sparse

__all__ = ["FeatureKeyError", "to_feature", "encode_example", "serialize_example",
           "encode_sequence_example", "parse_single_example", "parse_example",
           "parse_single_sequence_example", "decode_raw"]

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


class FeatureKeyError(KeyError, ValueError):
    """A feature named in the specs is missing from the Example."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


def _cls(name):
    return example_proto.get_message_class(name)


# -------------------------------------------------------------------- encoding

def to_feature(value):
    """A `Feature` from bytes/str (BytesList), floats (FloatList, as float32) or
    ints/bools (Int64List); lists and arrays of any shape are flattened."""
    Feature = _cls("Feature")
    if isinstance(value, Feature):
        return value
    if isinstance(value, (bytes, str)):
        value = [value]
    arr = np.asarray(value) if not isinstance(value, np.ndarray) else value
    if arr.dtype.kind in "SUO":
        items = [v.encode("utf-8") if isinstance(v, str) else v
                 for v in np.asarray(value, dtype=object).ravel().tolist()]
        bad = [type(v).__name__ for v in items if not isinstance(v, bytes)]
        if bad:
            raise TypeError(f"A bytes feature needs bytes or str values; received {bad[0]}.")
        return Feature(bytes_list=_cls("BytesList")(value=items))
    if arr.dtype.kind == "f":
        return Feature(float_list=_cls("FloatList")(
            value=arr.astype(np.float32, copy=False).ravel().tolist()))
    if arr.dtype.kind in "iub":
        if arr.dtype.kind == "u" and arr.size and arr.max() > _INT64_MAX:
            raise ValueError(f"Value {arr.max()} does not fit an int64 feature.")
        return Feature(int64_list=_cls("Int64List")(value=arr.astype(np.int64).ravel().tolist()))
    raise TypeError(f"Cannot store a value of dtype {arr.dtype} in an Example feature; use "
                    "bytes/str, floats or ints (or arr.tobytes() for raw bytes).")


def _features(values, where):
    if not isinstance(values, dict):
        raise TypeError(f"{where} expects a dict of name -> value; received "
                        f"{type(values).__name__}.")
    return _cls("Features")(feature={str(k): to_feature(v) for k, v in values.items()})


def encode_example(features):
    """An `Example` from a dict {name: value} (see `to_feature` for value kinds)."""
    return _cls("Example")(features=_features(features, "encode_example"))


def serialize_example(features):
    """`encode_example(features)` serialized deterministically (map keys sorted)."""
    return encode_example(features).SerializeToString(deterministic=True)


def encode_sequence_example(context=None, feature_lists=None):
    """A `SequenceExample` from a context dict and a dict {name: list of item values}."""
    seq = _cls("SequenceExample")(context=_features(context or {}, "encode_sequence_example"))
    for name, items in (feature_lists or {}).items():
        seq.feature_lists.feature_list[str(name)].feature.extend(to_feature(v) for v in items)
    return seq


# --------------------------------------------------------------------- parsing

def _as_message(serialized, name):
    cls = _cls(name)
    if isinstance(serialized, cls):
        return serialized
    if isinstance(serialized, np.ndarray) and serialized.ndim == 0:
        serialized = serialized.item()
    if isinstance(serialized, str):
        serialized = serialized.encode("latin-1")
    if not isinstance(serialized, (bytes, bytearray, memoryview)):
        raise TypeError(f"Expected one serialized {name} (bytes); received "
                        f"{type(serialized).__name__}"
                        + (f" of shape {serialized.shape}" if hasattr(serialized, "shape")
                           else "") + ".")
    from google.protobuf.message import DecodeError

    try:
        return cls.FromString(bytes(serialized))
    except DecodeError as e:
        raise ValueError(f"Could not parse {len(serialized)} bytes as a tf.train.{name}: {e}. "
                         "Is this record an Example (and not, e.g., compressed or raw data)?") \
            from None


def _values(feature, dtype, key):
    """The values of one Feature as a 1-D numpy array of `dtype`."""
    want = list_kind(dtype)
    have = feature.WhichOneof("kind")
    if have is not None and have != want and len(getattr(feature, have).value):
        # (an empty list of another kind is just empty; TF would reject it)
        raise ValueError(f"Feature '{key}': the spec asks for {_dtype_name(dtype)} values "
                         f"({want}), but the Example stores a {have}.")
    if dtype == object:
        if have != want:
            return np.zeros(0, dtype=object)
        out = np.empty(len(feature.bytes_list.value), dtype=object)
        out[:] = list(feature.bytes_list.value)
        return out
    if have != want:
        return np.zeros(0, dtype=dtype)
    values = getattr(feature, want).value
    return np.fromiter(values, dtype=dtype, count=len(values))


def _dtype_name(dtype):
    return "string" if dtype == object else str(dtype)


def _default(spec, shape, key):
    arr = np.array(spec.default_value, dtype=spec.dtype)
    size = math.prod(shape)
    if arr.size == size:
        return arr.reshape(shape)
    if arr.size == 1:
        return np.full(shape, arr.reshape(()).item(), dtype=spec.dtype)
    raise ValueError(f"Feature '{key}': default_value has {arr.size} values, but shape "
                     f"{list(shape)} needs {size}.")


def _missing(key, present, what="Example"):
    keys = ", ".join(repr(k) for k in sorted(present)) or "none"
    return FeatureKeyError(
        f"Feature '{key}' is required but missing from the {what} (it has no "
        f"default_value). Keys present: {keys}.")


def _parse_feature(feature_map, key, spec):
    if isinstance(spec, FixedLenFeature):
        if key not in feature_map:
            if spec.default_value is None:
                raise _missing(key, feature_map)
            return _default(spec, spec.shape, key)
        vals = _values(feature_map[key], spec.dtype, key)
        size = math.prod(spec.shape)
        if vals.size != size:
            raise ValueError(f"Feature '{key}': FixedLenFeature of shape {list(spec.shape)} "
                             f"expects {size} values, but the Example has {vals.size}.")
        return vals.reshape(spec.shape)
    if isinstance(spec, VarLenFeature):
        vals = (_values(feature_map[key], spec.dtype, key) if key in feature_map
                else np.zeros(0, dtype=spec.dtype))
        return SparseTensor(np.arange(len(vals), dtype=np.int64)[:, None], vals, [len(vals)])
    if isinstance(spec, FixedLenSequenceFeature):
        if key not in feature_map:
            if not spec.allow_missing:
                raise _missing(key, feature_map)
            return np.zeros((0,) + spec.shape, dtype=spec.dtype)
        vals = _values(feature_map[key], spec.dtype, key)
        size = math.prod(spec.shape)
        if (size == 0 and vals.size) or (size and vals.size % size):
            raise ValueError(f"Feature '{key}': {vals.size} values cannot be split into items "
                             f"of shape {list(spec.shape)}.")
        return vals.reshape((-1,) + spec.shape) if size else np.zeros((0,) + spec.shape,
                                                                        spec.dtype)
    raise TypeError(f"Feature '{key}': unsupported spec {spec!r}; use FixedLenFeature, "
                    "VarLenFeature or FixedLenSequenceFeature.")


def _check_specs(features, where):
    if not isinstance(features, dict):
        raise TypeError(f"{where}: features must be a dict of name -> feature spec; received "
                        f"{type(features).__name__}.")


def parse_single_example(serialized, features, example_names=None, name=None):
    """Parses one serialized Example into {key: array or SparseTensor}.

    Mirrors `tf.io.parse_single_example`. A key in `features` that the Example
    lacks is filled from the spec's default, or raises `FeatureKeyError` (a
    KeyError and ValueError) naming the key and the keys present.
    """
    _check_specs(features, "parse_single_example")
    feature_map = _as_message(serialized, "Example").features.feature
    return {key: _parse_feature(feature_map, key, spec) for key, spec in features.items()}


def _pad_stack(items, spec):
    longest = max((len(v) for v in items), default=0)
    pad = spec.default_value
    if pad is None:
        pad = b"" if spec.dtype == object else 0
    out = np.full((len(items), longest) + spec.shape, pad, dtype=spec.dtype)
    for i, v in enumerate(items):
        out[i, :len(v)] = v
    return out


def parse_example(serialized, features, example_names=None, name=None):
    """Parses a batch (list / 1-D array) of serialized Examples, like `tf.io.parse_example`.

    FixedLenFeature values are stacked to [batch] + shape, VarLenFeature values
    become a SparseTensor [batch, max_len], and FixedLenSequenceFeature values are
    padded with the spec's default_value to [batch, max_len] + shape.
    """
    _check_specs(features, "parse_example")
    for key, spec in features.items():
        if isinstance(spec, FixedLenSequenceFeature) and not spec.allow_missing:
            raise ValueError(f"Feature '{key}': FixedLenSequenceFeature in parse_example "
                             "needs allow_missing=True (as in TensorFlow).")
    if isinstance(serialized, (bytes, str)) or (isinstance(serialized, np.ndarray)
                                                and serialized.ndim == 0):
        raise TypeError("parse_example expects a batch (list or 1-D array) of serialized "
                        "Examples; use parse_single_example for one.")
    parsed = [parse_single_example(s, features) for s in serialized]
    out = {}
    for key, spec in features.items():
        column = [p[key] for p in parsed]
        if isinstance(spec, FixedLenFeature):
            out[key] = (np.stack(column) if column
                        else np.zeros((0,) + spec.shape, dtype=spec.dtype))
        elif isinstance(spec, VarLenFeature):
            out[key] = batch_sparse(column) if column else SparseTensor(
                np.zeros((0, 2)), np.zeros(0, spec.dtype), [0, 0])
        else:
            out[key] = _pad_stack(column, spec)
    return out


def _parse_sequence(feature_list_map, key, spec):
    if key not in feature_list_map:
        if isinstance(spec, VarLenFeature) or spec.allow_missing:
            if isinstance(spec, VarLenFeature):
                return SparseTensor(np.zeros((0, 2)), np.zeros(0, spec.dtype), [0, 0])
            return np.zeros((0,) + spec.shape, dtype=spec.dtype)
        raise _missing(key, feature_list_map, "SequenceExample's feature_lists")
    items = feature_list_map[key].feature
    if isinstance(spec, VarLenFeature):
        per_step = [_values(f, spec.dtype, f"{key}[{t}]") for t, f in enumerate(items)]
        return batch_sparse([SparseTensor(np.arange(len(v))[:, None], v, [len(v)])
                             for v in per_step]) if per_step else \
            SparseTensor(np.zeros((0, 2)), np.zeros(0, spec.dtype), [0, 0])
    if not isinstance(spec, FixedLenSequenceFeature):
        raise TypeError(f"Sequence feature '{key}': use FixedLenSequenceFeature or "
                        f"VarLenFeature; received {spec!r}.")
    size = math.prod(spec.shape)
    out = np.empty((len(items),) + spec.shape, dtype=spec.dtype)
    for t, f in enumerate(items):
        v = _values(f, spec.dtype, f"{key}[{t}]")
        if v.size != size:
            raise ValueError(f"Sequence feature '{key}', step {t}: expected {size} values "
                             f"(shape {list(spec.shape)}), the SequenceExample has {v.size}.")
        out[t] = v.reshape(spec.shape)
    return out


def parse_single_sequence_example(serialized, context_features=None, sequence_features=None,
                                  example_name=None, name=None):
    """Parses one SequenceExample into (context dict, sequence dict).

    Mirrors `tf.io.parse_single_sequence_example`: context specs read the
    `context` Features; sequence specs read `feature_lists`, one item per Feature.
    """
    msg = _as_message(serialized, "SequenceExample")
    context = {}
    if context_features:
        _check_specs(context_features, "parse_single_sequence_example")
        ctx = msg.context.feature
        context = {k: _parse_feature(ctx, k, s) for k, s in context_features.items()}
    sequence = {}
    if sequence_features:
        _check_specs(sequence_features, "parse_single_sequence_example")
        lists = msg.feature_lists.feature_list
        sequence = {k: _parse_sequence(lists, k, s) for k, s in sequence_features.items()}
    return context, sequence


# -------------------------------------------------------------------- raw bytes

def _np_dtype(out_type):
    name = getattr(out_type, "name", None)
    if isinstance(name, str) and not isinstance(out_type, np.dtype):
        out_type = name
    try:
        dt = np.dtype(out_type)
    except TypeError:
        dt = np.dtype(object)
    if dt.kind in "OSUV":
        raise ValueError(f"decode_raw: out_type must be a numeric dtype; received {out_type!r}.")
    return dt


def decode_raw(input_bytes, out_type, little_endian=True, fixed_length=None, name=None):
    """Reinterprets bytes as a numeric array (mirrors `tf.io.decode_raw`).

    `input_bytes` is bytes, or an array/list of bytes of equal length (the
    result then has shape input.shape + [n]). With `fixed_length`, each string
    is cut or zero-padded to that many bytes first. Returns a writable array in
    native byte order.
    """
    dt = _np_dtype(out_type)
    src = dt.newbyteorder("<" if little_endian else ">")
    if isinstance(input_bytes, np.ndarray) and input_bytes.ndim == 0 and fixed_length is None:
        input_bytes = input_bytes.item()  # one string: take the fast path below
        if not isinstance(input_bytes, (bytes, bytearray)):
            raise TypeError(f"decode_raw expects bytes; received {type(input_bytes).__name__}.")
        input_bytes = bytes(input_bytes)
    if isinstance(input_bytes, bytes) and fixed_length is None:
        if len(input_bytes) % dt.itemsize:
            raise ValueError(f"decode_raw: input has length {len(input_bytes)}, which is not a "
                             f"multiple of {dt.itemsize}, the size of {dt}.")
        return np.frombuffer(input_bytes, dtype=src).astype(dt.newbyteorder("="), copy=True)
    if isinstance(input_bytes, (bytes, bytearray, memoryview)):
        shape, items = (), [bytes(input_bytes)]
    else:
        arr = np.asarray(input_bytes, dtype=object)
        shape, items = arr.shape, arr.ravel().tolist()
        bad = [type(v).__name__ for v in items if not isinstance(v, (bytes, bytearray))]
        if bad:
            raise TypeError(f"decode_raw expects bytes; received {bad[0]}.")
    if fixed_length is not None:
        n = int(fixed_length)
        if n % dt.itemsize:
            raise ValueError(f"decode_raw: fixed_length {n} is not a multiple of {dt.itemsize}, "
                             f"the size of {dt}.")
        items = [bytes(b[:n]).ljust(n, b"\0") for b in items]
    lengths = {len(b) for b in items}
    if len(lengths) > 1:
        raise ValueError(f"decode_raw: all inputs must have the same length; received lengths "
                         f"{sorted(lengths)}. Use fixed_length to pad or cut them.")
    length = lengths.pop() if lengths else 0
    if length % dt.itemsize:
        raise ValueError(f"decode_raw: input has length {length}, which is not a multiple of "
                         f"{dt.itemsize}, the size of {dt}.")
    flat = np.frombuffer(b"".join(items), dtype=src)
    return flat.astype(dt.newbyteorder("="), copy=True).reshape(tuple(shape) +
                                                               (length // dt.itemsize,))
