"""Nested elements (tuples / dicts of numpy arrays): flatten, pack, batch, unbatch.

Tuples (namedtuples included) and dicts are structure; anything else is a leaf.
Text and bytes leaves are kept as Python objects (object arrays when batched),
never as numpy 'S'/'U' arrays, which would drop trailing NUL bytes.
"""

import numpy as np

from layerkit.data.sparse import SparseTensor, batch_sparse

__all__ = ["TensorSpec", "flatten", "pack_as", "map_structure", "to_array", "batch_elements",
           "unbatch_element", "pad_and_batch", "conform"]

_TEXT = (bytes, str)


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def flatten(x, template=None, where="element"):
    """The leaves of `x` in a fixed order (dict keys sorted). With `template`,
    checks that `x` has the same structure and says where it differs."""
    out = []
    _flatten(x, x if template is None else template, out, where)
    return out


def _flatten(x, t, out, where):
    if isinstance(t, dict):
        if not isinstance(x, dict) or set(x) != set(t):
            raise ValueError(
                f"Inconsistent structure at {where}: expected a dict with keys "
                f"{sorted(t, key=str)}, received {_describe(x)}.")
        for k in sorted(t, key=str):
            _flatten(x[k], t[k], out, f"{where}[{k!r}]")
    elif isinstance(t, tuple):
        if not isinstance(x, tuple) or len(x) != len(t):
            raise ValueError(
                f"Inconsistent structure at {where}: expected a tuple of {len(t)}, "
                f"received {_describe(x)}.")
        for i, (xi, ti) in enumerate(zip(x, t)):
            _flatten(xi, ti, out, f"{where}[{i}]")
    else:
        if isinstance(x, (dict, tuple)):
            raise ValueError(
                f"Inconsistent structure at {where}: expected a single value, "
                f"received {_describe(x)}.")
        out.append(x)


def _describe(x):
    if isinstance(x, dict):
        return f"a dict with keys {sorted(x, key=str)}"
    if isinstance(x, tuple):
        return f"a tuple of {len(x)}"
    return f"a {type(x).__name__}"


def pack_as(template, leaves):
    """Inverse of `flatten`: rebuilds `template`'s structure around `leaves`."""
    it = iter(leaves)
    result = _pack(template, it)
    return result


def _pack(t, it):
    if isinstance(t, dict):
        filled = {k: _pack(t[k], it) for k in sorted(t, key=str)}
        return type(t)((k, filled[k]) for k in t) if type(t) is not dict else \
            {k: filled[k] for k in t}
    if isinstance(t, tuple):
        items = [_pack(ti, it) for ti in t]
        return type(t)(*items) if _is_namedtuple(t) else tuple(items)
    return next(it)


def map_structure(fn, x):
    return pack_as(x, [fn(leaf) for leaf in flatten(x)])


def to_array(x):
    """A leaf as numpy: arrays kept, text/bytes kept as Python objects or object arrays."""
    if isinstance(x, (np.ndarray, np.generic, SparseTensor)) and not isinstance(x, np.str_):
        if isinstance(x, np.ndarray) and x.dtype.kind in "SU":
            return x.astype(object)
        return x
    if isinstance(x, _TEXT):
        return x
    arr = np.asarray(x)
    if arr.dtype.kind in "SU":
        arr = np.array(x, dtype=object)
    return arr


def _object_scalar(v):
    out = np.empty((), dtype=object)
    out[()] = v
    return out


def _stack(values, where):
    first = values[0]
    if isinstance(first, SparseTensor):
        if not all(isinstance(v, SparseTensor) for v in values):
            raise ValueError(f"Cannot batch {where}: it mixes SparseTensor and dense values.")
        return batch_sparse(values)
    if any(isinstance(v, _TEXT) for v in values):
        values = [_object_scalar(v) if isinstance(v, _TEXT) else v for v in values]
    arrays = [np.asarray(v) for v in values]
    shape = arrays[0].shape
    if any(a.shape != shape for a in arrays):
        raise ValueError(_shape_error(where, arrays))
    return np.stack(arrays)


def _shape_error(where, values):
    shapes = [tuple(np.shape(v)) if not isinstance(v, _TEXT) else () for v in values]
    j = next(i for i, s in enumerate(shapes) if s != shapes[0])
    return (f"Cannot batch {where}: elements have different shapes, {shapes[0]} (element 0) "
            f"and {shapes[j]} (element {j}). Use padded_batch(), or make the shapes equal "
            "(e.g. resize or pad in map()).")


def batch_elements(elements):
    """Stacks a list of same-structure elements into one batched element."""
    template = elements[0]
    columns = list(zip(*(flatten(e, template, f"element {i}") for i, e in enumerate(elements))))
    if not columns:  # elements with no leaves (e.g. empty tuples)
        return template
    leaves = [_stack(list(col), f"component {i} of the batch") for i, col in enumerate(columns)]
    return pack_as(template, leaves)


def unbatch_element(element):
    """Yields the slices of a batched element along its first dimension."""
    leaves = flatten(element)
    if not leaves:
        return
    sizes = []
    for i, leaf in enumerate(leaves):
        if isinstance(leaf, SparseTensor):
            raise ValueError("unbatch() of SparseTensor components is not supported; "
                             "convert them with .to_dense() in map() first.")
        if np.ndim(leaf) == 0:
            raise ValueError(f"Cannot unbatch component {i}: it is a scalar (shape ()); "
                             "unbatch() needs every component to have a batch dimension.")
        sizes.append(len(leaf))
    if len(set(sizes)) > 1:
        raise ValueError(f"Cannot unbatch: components have different batch sizes {sizes}.")
    for j in range(sizes[0]):
        yield pack_as(element, [leaf[j] for leaf in leaves])


def pad_and_batch(elements, padded_shapes=None, padding_values=None):
    """Batches elements after padding every leaf to a common shape (padded_batch)."""
    template = elements[0]
    flat = [flatten(e, template, f"element {i}") for i, e in enumerate(elements)]
    n_leaves = len(flat[0])
    shapes = flatten(padded_shapes, template) if padded_shapes is not None else [None] * n_leaves
    pads = (flatten(padding_values, template) if isinstance(padding_values, (tuple, dict))
            else [padding_values] * n_leaves)
    out = []
    for i in range(n_leaves):
        col = [to_array(f[i]) for f in flat]
        col = [np.array(v, dtype=object) if isinstance(v, _TEXT) else v for v in col]
        ndim = col[0].ndim
        if any(v.ndim != ndim for v in col):
            raise ValueError(f"padded_batch: component {i} has elements of different ranks.")
        target = [max(v.shape[d] for v in col) for d in range(ndim)]
        if shapes[i] is not None:
            want = list(shapes[i]) if np.ndim(shapes[i]) else [shapes[i]]
            if len(want) != ndim:
                raise ValueError(f"padded_batch: padded_shapes for component {i} has rank "
                                 f"{len(want)}, but the elements have rank {ndim}.")
            for d, w in enumerate(want):
                if w is not None and w != -1:
                    if w < target[d]:
                        raise ValueError(
                            f"padded_batch: component {i} has size {target[d]} in dimension "
                            f"{d}, larger than the padded shape {w}.")
                    target[d] = int(w)
        pad = pads[i]
        if pad is None:
            pad = b"" if col[0].dtype == object else 0
        batch = np.full([len(col)] + target, pad, dtype=col[0].dtype)
        for j, v in enumerate(col):
            batch[(j,) + tuple(slice(0, s) for s in v.shape)] = v
        out.append(batch)
    return pack_as(template, out)


class TensorSpec:
    """Shape and dtype of one component (a light `tf.TensorSpec`). None = any size."""

    def __init__(self, shape=None, dtype="float32", name=None):
        self.shape = None if shape is None else tuple(None if d is None or d == -1 else int(d)
                                                      for d in shape)
        self.dtype = _as_np_dtype(dtype)
        self.name = name

    def is_compatible_with(self, value):
        shape = np.shape(value)
        if self.shape is None:
            return True
        return len(shape) == len(self.shape) and all(
            w is None or w == s for w, s in zip(self.shape, shape))

    def __eq__(self, other):
        return (isinstance(other, TensorSpec) and self.shape == other.shape
                and self.dtype == other.dtype)

    __hash__ = None

    def __repr__(self):
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype})"


def _as_np_dtype(dtype):
    """numpy dtype for numpy/str dtypes and TF-style dtype objects (with `.name`)."""
    if dtype is None:
        return None
    name = getattr(dtype, "name", None)
    if isinstance(name, str) and not isinstance(dtype, np.dtype):
        dtype = name
    if dtype in ("string", bytes, str, object):
        return np.dtype(object)
    return np.dtype(dtype)


def conform(value, spec, where):
    """Casts a generator's leaf to `spec.dtype` and checks `spec.shape`."""
    dtype = getattr(spec, "dtype", spec)
    dtype = _as_np_dtype(dtype)
    if dtype is None:
        arr = to_array(value)
    elif dtype == object:
        arr = value if isinstance(value, _TEXT) else np.array(value, dtype=object)
    else:
        try:
            arr = np.asarray(value, dtype=dtype)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{where}: cannot convert {type(value).__name__} to {dtype}: {e}") \
                from None
    shape = getattr(spec, "shape", None)
    if shape is not None:
        want = tuple(shape)
        got = np.shape(arr)
        if len(got) != len(want) or any(w is not None and w != -1 and w != g
                                        for w, g in zip(want, got)):
            raise ValueError(f"{where}: the generator yielded shape {got}, which does not "
                             f"match the declared shape {want} (None = any size).")
    return arr
