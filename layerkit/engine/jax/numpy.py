"""NumPy-like array ops on JAX (Keras 3 `keras.ops` names)."""
import builtins

import jax
import jax.numpy as jnp

from layerkit.engine.jax.core import convert_to_tensor

# Most ops are jax.numpy's own: they accept arrays, numpy arrays, scalars and
# Variables (through __jax_array__).
abs = absolute = jnp.abs
add = jnp.add
subtract = jnp.subtract
multiply = jnp.multiply
divide = true_divide = jnp.true_divide
floor_divide = jnp.floor_divide
mod = jnp.mod
power = jnp.power
negative = jnp.negative
reciprocal = jnp.reciprocal
square = jnp.square
sqrt = jnp.sqrt
exp = jnp.exp
expm1 = jnp.expm1
log = jnp.log
log1p = jnp.log1p
log2 = jnp.log2
log10 = jnp.log10
sign = jnp.sign
sin, cos, tan = jnp.sin, jnp.cos, jnp.tan
arcsin, arccos, arctan, arctan2 = jnp.arcsin, jnp.arccos, jnp.arctan, jnp.arctan2
sinh, cosh, tanh = jnp.sinh, jnp.cosh, jnp.tanh
maximum = jnp.maximum
minimum = jnp.minimum
equal = jnp.equal
not_equal = jnp.not_equal
greater = jnp.greater
greater_equal = jnp.greater_equal
less = jnp.less
less_equal = jnp.less_equal
logical_and = jnp.logical_and
logical_or = jnp.logical_or
logical_not = jnp.logical_not
logical_xor = jnp.logical_xor
isnan = jnp.isnan
isinf = jnp.isinf
isfinite = jnp.isfinite
where = jnp.where
dot = jnp.dot
tensordot = jnp.tensordot
def einsum(subscripts, *operands, **kwargs):
    """jnp.einsum; all-int8 operands accumulate and give int32, as Keras gives."""
    operands = [jnp.asarray(o) for o in operands]
    if builtins.all(o.dtype == jnp.int8 for o in operands):
        kwargs.setdefault("preferred_element_type", jnp.int32)
    return jnp.einsum(subscripts, *operands, **kwargs)
outer = jnp.outer
reshape = jnp.reshape
transpose = jnp.transpose
swapaxes = jnp.swapaxes
moveaxis = jnp.moveaxis
expand_dims = jnp.expand_dims
squeeze = jnp.squeeze
concatenate = jnp.concatenate
stack = jnp.stack
hstack = jnp.hstack
vstack = jnp.vstack
split = jnp.split
tile = jnp.tile
repeat = jnp.repeat
flip = jnp.flip
roll = jnp.roll
broadcast_to = jnp.broadcast_to
take = jnp.take
take_along_axis = jnp.take_along_axis
pad = jnp.pad
tril = jnp.tril
triu = jnp.triu
diag = jnp.diag
round = jnp.round
clip = jnp.clip
ndim = jnp.ndim
size = jnp.size
nan_to_num = jnp.nan_to_num


def _float_input(x):
    """Integer and bool inputs of floor/ceil become float32, as Keras gives."""
    x = convert_to_tensor(x)
    return x if jnp.issubdtype(x.dtype, jnp.inexact) else x.astype("float32")


def floor(x):
    return jnp.floor(_float_input(x))


def ceil(x):
    return jnp.ceil(_float_input(x))


def matmul(x1, x2):
    """int8 @ int8 accumulates and returns int32 (what int8 matmul units give), as
    Keras does; other dtypes promote as usual."""
    x1, x2 = convert_to_tensor(x1), convert_to_tensor(x2)
    if x1.dtype == jnp.int8 and x2.dtype == jnp.int8:
        return jnp.matmul(x1, x2, preferred_element_type=jnp.int32)
    return jnp.matmul(x1, x2)


def erf(x):
    return jax.scipy.special.erf(x)


def slice(x, start_indices, shape):
    return jax.lax.dynamic_slice(x, start_indices, shape)


def scatter(indices, values, shape):
    zeros_ = jnp.zeros(shape, values.dtype)
    key = tuple(jnp.moveaxis(indices, -1, 0))
    return zeros_.at[key].add(values)


_SCATTER = {None: "set", "add": "add", "max": "max", "min": "min", "mul": "multiply"}


def scatter_update(inputs, indices, updates, reduction=None):
    """`inputs` with `updates` written (or, with `reduction`, combined by add, max,
    min or mul) at `indices`, a (..., rank) int tensor of positions."""
    if reduction not in _SCATTER:
        raise ValueError(f"scatter_update: reduction must be None, 'add', 'max', 'min' or "
                         f"'mul'; received {reduction!r}.")
    inputs = convert_to_tensor(inputs)
    key = tuple(jnp.moveaxis(jnp.asarray(indices), -1, 0))
    return getattr(inputs.at[key], _SCATTER[reduction])(updates)


def diagonal(x, offset=0, axis1=0, axis2=1):
    return jnp.diagonal(x, offset=offset, axis1=axis1, axis2=axis2)


def trace(x, offset=0, axis1=0, axis2=1):
    # numpy's accumulator: bool and small ints sum as int32 (unsigned: uint32).
    return jnp.trace(convert_to_tensor(x), offset=offset, axis1=axis1, axis2=axis2)


def conj(x):
    return jnp.conj(x)


def real(x):
    return jnp.real(x)


def imag(x):
    return jnp.imag(x)


def logaddexp(x1, x2):
    """log(exp(x1) + exp(x2)) without overflow; integer inputs give float32."""
    x1, x2 = convert_to_tensor(x1), convert_to_tensor(x2)
    dtype = jnp.result_type(x1.dtype, x2.dtype)
    if not jnp.issubdtype(dtype, jnp.floating):
        dtype = jnp.float32
    return jnp.logaddexp(x1.astype(dtype), x2.astype(dtype))


from layerkit.engine.jax.reductions import (  # noqa: E402,F401
    all, amax, amin, any, argmax, argmin, argsort, average, count_nonzero, cumprod, cumsum,
    logsumexp, max, mean, min, norm, prod, segment_sum, sort, std, sum, top_k, var)
from layerkit.engine.jax.numpy_data_dependent import nonzero, quantile, unique  # noqa: E402,F401
from layerkit.engine.jax.numpy_creation import (  # noqa: E402,F401
    arange, array, copy, empty, eye, full, full_like, identity, linspace, meshgrid, ones,
    ones_like, zeros, zeros_like)
