"""NumPy-like array ops on JAX (Keras 3 `keras.ops` names)."""
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
floor = jnp.floor
ceil = jnp.ceil
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
matmul = jnp.matmul
dot = jnp.dot
tensordot = jnp.tensordot
einsum = jnp.einsum
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
sum = jnp.sum
prod = jnp.prod
mean = jnp.mean
max = amax = jnp.max
min = amin = jnp.min
std = jnp.std
var = jnp.var
all = jnp.all
any = jnp.any
argmax = jnp.argmax
argmin = jnp.argmin
argsort = jnp.argsort
sort = jnp.sort
cumsum = jnp.cumsum
cumprod = jnp.cumprod
count_nonzero = jnp.count_nonzero
average = jnp.average
round = jnp.round
clip = jnp.clip
ndim = jnp.ndim
size = jnp.size
nan_to_num = jnp.nan_to_num


def logsumexp(x, axis=None, keepdims=False):
    return jax.scipy.special.logsumexp(x, axis=axis, keepdims=keepdims)


def erf(x):
    return jax.scipy.special.erf(x)


def norm(x, ord=None, axis=None, keepdims=False):
    return jnp.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)


def top_k(x, k, sorted=True):
    return jax.lax.top_k(x, k)


def segment_sum(data, segment_ids, num_segments=None):
    return jax.ops.segment_sum(data, segment_ids, num_segments=num_segments)


def slice(x, start_indices, shape):
    return jax.lax.dynamic_slice(x, start_indices, shape)


def scatter(indices, values, shape):
    zeros_ = jnp.zeros(shape, values.dtype)
    key = tuple(jnp.moveaxis(indices, -1, 0))
    return zeros_.at[key].add(values)


def scatter_update(inputs, indices, updates):
    key = tuple(jnp.moveaxis(jnp.asarray(indices), -1, 0))
    return inputs.at[key].set(updates)


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


from layerkit.engine.jax.numpy_data_dependent import nonzero, quantile, unique  # noqa: E402,F401
from layerkit.engine.jax.numpy_creation import (  # noqa: E402,F401
    arange, array, copy, empty, eye, full, full_like, identity, linspace, meshgrid, ones,
    ones_like, zeros, zeros_like)
