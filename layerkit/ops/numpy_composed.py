"""`keras.ops.numpy` names written once over other ops: views and splits along a
fixed axis, numpy's aliases, and `vectorize` (over vectorized_map)."""
import re

from layerkit.engine.common.dtypes import is_float, standardize_dtype
from layerkit.ops import dispatch as _dispatch
from layerkit.ops import numpy as _np

__all__ = ["ravel", "fliplr", "flipud", "hsplit", "vsplit", "dsplit", "get_item",
           "bitwise_not", "left_shift", "right_shift", "conjugate", "fabs", "isreal",
           "divide_no_nan", "allclose", "vectorize"]


def _op(fn):
    return _dispatch.graph_op(fn, fn.__name__, "numpy")


def _check_rank(op, x, least):
    if _np.ndim(x) < least:
        raise ValueError(f"{op}: `x` must have at least {least} dimension(s); received "
                         f"shape {tuple(x.shape)}.")


@_op
def ravel(x):
    return _np.reshape(x, (-1,))


@_op
def fliplr(x):
    _check_rank("fliplr", x, 2)
    return _np.flip(x, axis=1)


@_op
def flipud(x):
    _check_rank("flipud", x, 1)
    return _np.flip(x, axis=0)


def _split(x, indices_or_sections, axis):
    if isinstance(indices_or_sections, int):
        return _np.split(x, indices_or_sections, axis=axis)
    return _np.array_split(x, list(indices_or_sections), axis=axis)


@_op
def hsplit(x, indices_or_sections):
    x = _np.array(x) if not hasattr(x, "ndim") else x
    return _split(x, indices_or_sections, 0 if _np.ndim(x) == 1 else 1)


@_op
def vsplit(x, indices_or_sections):
    _check_rank("vsplit", x, 2)
    return _split(x, indices_or_sections, 0)


@_op
def dsplit(x, indices_or_sections):
    _check_rank("dsplit", x, 3)
    return _split(x, indices_or_sections, 2)


@_op
def get_item(x, key):
    return x[key]


bitwise_not = _np.bitwise_invert
left_shift = _np.bitwise_left_shift
right_shift = _np.bitwise_right_shift
conjugate = _np.conj


@_op
def fabs(x):
    x = _np.array(x) if not hasattr(x, "dtype") else x
    if not is_float(x.dtype):
        x = _np.array(x, "float32")
    return _np.abs(x)


@_op
def isreal(x):
    x = _np.array(x) if not hasattr(x, "dtype") else x
    if standardize_dtype(x.dtype).startswith("complex"):
        return _np.equal(_np.imag(x), 0)
    return _np.ones_like(x, dtype="bool")


@_op
def divide_no_nan(x1, x2):
    """x1 / x2, and 0 where x2 is 0."""
    zero = _np.equal(x2, 0)
    return _np.where(zero, 0, _np.divide(x1, _np.where(zero, 1, x2)))


@_op
def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    return _np.all(_np.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan))


_DIMS = r"\((\w*(?:,\s*\w+)*)\)"


def _parse_signature(signature):
    """'(m,n),(n)->(m)' -> ([('m','n'), ('n',)], [('m',)])."""
    match = re.fullmatch(rf"\s*({_DIMS}(?:\s*,\s*{_DIMS})*)\s*->\s*({_DIMS}(?:\s*,\s*{_DIMS})*)"
                         r"\s*", signature)
    if match is None:
        raise ValueError(f"vectorize: invalid signature {signature!r}; expected a gufunc "
                         "signature such as '(m,n),(n)->(m)'.")
    inputs, outputs = signature.split("->")
    parse = lambda side: [tuple(d.strip() for d in group.split(",") if d.strip())  # noqa: E731
                          for group in re.findall(_DIMS, side)]
    return parse(inputs), parse(outputs)


def _vectorized_call(pyfunc, excluded, signature, *args):
    """`vectorize(pyfunc, ...)(*args)`: pyfunc mapped over the broadcast loop axes."""
    from layerkit.ops.control_flow import vectorized_map
    excluded = set(excluded)
    mapped = [i for i in range(len(args)) if i not in excluded]
    tensors = [_np.array(args[i]) if not hasattr(args[i], "shape") else args[i]
               for i in mapped]
    if signature is None:
        core = [()] * len(tensors)
    else:
        core = _parse_signature(signature)[0]
        if len(core) != len(tensors):
            raise ValueError(f"vectorize: the signature {signature!r} names {len(core)} "
                             f"input(s); received {len(tensors)}.")
    loops = [tuple(t.shape[:len(t.shape) - len(c)]) for t, c in zip(tensors, core)]
    loop = ()
    for shape in loops:
        loop = _broadcast_shapes(loop, shape)
    size = 1
    for d in loop:
        size *= d
    flat = [_np.reshape(_np.broadcast_to(t, loop + tuple(t.shape[len(s):])),
                        (size,) + tuple(t.shape[len(s):]))
            for t, s in zip(tensors, loops)]

    def call(items):
        full = list(args)
        for i, item in zip(mapped, items):
            full[i] = item
        return pyfunc(*full)

    out = vectorized_map(call, tuple(flat))
    unflatten = lambda y: _np.reshape(y, loop + tuple(y.shape[1:]))  # noqa: E731
    return tuple(unflatten(y) for y in out) if isinstance(out, (tuple, list)) \
        else unflatten(out)


# On symbolic arguments the whole mapped call is one graph node (its loop axes are
# only known when it runs).
_vectorized_call_op = _dispatch.callable_op(_vectorized_call, "vectorized_call")


def vectorize(pyfunc, *, excluded=None, signature=None):
    """numpy.vectorize: `pyfunc` mapped over the broadcast leading (loop) axes of its
    arguments with vectorized_map; `signature` names the trailing (core) axes each
    argument keeps, `excluded` the positions passed through unchanged."""
    excluded = tuple(sorted(excluded or ()))

    def wrapped(*args):
        return _vectorized_call_op(pyfunc, excluded, signature, *args)

    wrapped.__name__ = getattr(pyfunc, "__name__", "vectorized")
    return wrapped


def _broadcast_shapes(a, b):
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            raise ValueError(f"vectorize: argument shapes {a} and {b} do not broadcast.")
        out.append(max(x, y) if 1 in (x, y) else x)
    return tuple(out)
