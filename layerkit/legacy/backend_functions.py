"""Keras 2's backend functions (`import keras.backend as K`), over layerkit.ops.

`layerkit.backend` (the public `keras.backend`) re-exports this module; everything
here reaches the engine through `layerkit.ops` and the seam, `layerkit.engine`.

Keras 2 semantics are kept where they differ from Keras 3's ops: `K.sqrt` clips
negatives to 0, `K.hard_sigmoid` is clip(0.2 x + 0.5, 0, 1), `K.transpose` reverses
all axes, `K.zeros`/`K.ones`/`K.eye`/`K.variable` return Variables, and the loss
functions take the target first.

Every function also takes symbolic tensors (model.output, a layer's .output): the ops
they call then record graph nodes, which K.function (legacy/backend_graph.py)
evaluates.
"""
import numpy as np

from layerkit import activations, config, ops
from layerkit.engine.common.dtypes import standardize_dtype
from layerkit.engine.common.symbolic_tensor import SymbolicTensor as _Symbolic
from layerkit.engine.common.variables import Variable as _Variable
from layerkit.config import (epsilon, floatx, image_data_format, set_epsilon, set_floatx,
                             set_image_data_format)

__all__ = [
    "epsilon", "floatx", "image_data_format", "set_epsilon", "set_floatx",
    "set_image_data_format", "image_dim_ordering", "set_image_dim_ordering",
    # reductions and elementwise math
    "mean", "sum", "max", "min", "prod", "std", "var", "any", "all", "cumsum", "cumprod",
    "logsumexp", "square", "sqrt", "abs", "exp", "log", "pow", "clip", "round", "sign",
    "maximum", "minimum", "sin", "cos", "argmax", "argmin", "equal", "not_equal", "greater",
    "greater_equal", "less", "less_equal", "cast", "l2_normalize", "switch",
    # shapes
    "int_shape", "shape", "ndim", "dtype", "count_params", "reshape", "concatenate",
    "stack", "transpose", "permute_dimensions", "expand_dims", "squeeze", "flatten",
    "batch_flatten", "repeat_elements", "repeat", "tile", "gather", "one_hot", "arange",
    "dot", "batch_dot",
    # activations and losses
    "softmax", "sigmoid", "relu", "tanh", "elu", "softplus", "softsign", "hard_sigmoid",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy",
    "in_top_k",
    # creation, variables and randomness
    "zeros", "ones", "zeros_like", "ones_like", "eye", "variable", "constant",
    "is_keras_tensor", "is_variable", "random_uniform", "random_normal", "truncated_normal",
    "random_binomial", "random_bernoulli", "random_uniform_variable",
    "random_normal_variable", "dropout", "get_value", "batch_get_value", "set_value",
    "batch_set_value", "update", "update_add", "update_sub", "moving_average_update",
    "print_tensor",
    # graph and session
    "stop_gradient", "gradients", "function", "placeholder", "clear_session",
    "learning_phase", "set_learning_phase", "in_train_phase", "in_test_phase", "eval",
]

_builtin_sum, _builtin_max, _builtin_min = sum, max, min


def _t(x):
    """A tensor for `x` (a Variable gives its current value; a symbolic tensor stays
    symbolic)."""
    if isinstance(x, _Variable):
        return x.value
    return x if ops.is_tensor(x) or isinstance(x, _Symbolic) else ops.convert_to_tensor(x)


def _ts(*xs):
    """Tensors for several operands. Beside a symbolic tensor a Variable stays a
    Variable, so the graph node reads its value when it runs, not when it was built."""
    if _any_symbolic(xs):
        return [x if isinstance(x, (_Symbolic, _Variable)) else _t(x) for x in xs]
    return [_t(x) for x in xs]


def _any_symbolic(xs):
    for x in xs:
        if isinstance(x, _Symbolic):
            return True
    return False


def _float_if_bool(x):
    return ops.cast(x, config.floatx()) if dtype(x) == "bool" else x


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


# ------------------------------------------------------------- reductions ----
def mean(x, axis=None, keepdims=False):
    return ops.mean(_float_if_bool(_t(x)), axis=_axis(axis), keepdims=keepdims)


def sum(x, axis=None, keepdims=False):
    return ops.sum(_t(x), axis=_axis(axis), keepdims=keepdims)


def max(x, axis=None, keepdims=False):
    return ops.max(_t(x), axis=_axis(axis), keepdims=keepdims)


def min(x, axis=None, keepdims=False):
    return ops.min(_t(x), axis=_axis(axis), keepdims=keepdims)


def prod(x, axis=None, keepdims=False):
    return ops.prod(_t(x), axis=_axis(axis), keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    return ops.var(_float_if_bool(_t(x)), axis=_axis(axis), keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    return ops.std(_float_if_bool(_t(x)), axis=_axis(axis), keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    return ops.any(ops.cast(_t(x), "bool"), axis=_axis(axis), keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    return ops.all(ops.cast(_t(x), "bool"), axis=_axis(axis), keepdims=keepdims)


def cumsum(x, axis=0):
    return ops.cumsum(_t(x), axis=axis)


def cumprod(x, axis=0):
    return ops.cumprod(_t(x), axis=axis)


def logsumexp(x, axis=None, keepdims=False):
    return ops.logsumexp(_t(x), axis=_axis(axis), keepdims=keepdims)


def argmax(x, axis=-1):
    return ops.argmax(_t(x), axis=axis)


def argmin(x, axis=-1):
    return ops.argmin(_t(x), axis=axis)


# -------------------------------------------------------- elementwise math ----
def square(x):
    return ops.square(_t(x))


def sqrt(x):
    """sqrt with negatives clipped to 0 first, as Keras 2 did."""
    return ops.sqrt(ops.maximum(_t(x), 0.0))


def abs(x):
    return ops.abs(_t(x))


def exp(x):
    return ops.exp(_t(x))


def log(x):
    return ops.log(_t(x))


def pow(x, a):
    return ops.power(_t(x), a)


def clip(x, min_value, max_value):
    """Keras 2's clip: None means unbounded; a max below the min becomes the min."""
    if max_value is not None and min_value is not None and max_value < min_value:
        max_value = min_value
    if min_value is None:
        min_value = -np.inf
    if max_value is None:
        max_value = np.inf
    return ops.clip(_t(x), min_value, max_value)


def round(x):
    return ops.round(_t(x))


def sign(x):
    return ops.sign(_t(x))


def maximum(x, y):
    return ops.maximum(*_ts(x, y))


def minimum(x, y):
    return ops.minimum(*_ts(x, y))


def sin(x):
    return ops.sin(_t(x))


def cos(x):
    return ops.cos(_t(x))


def equal(x, y):
    return ops.equal(*_ts(x, y))


def not_equal(x, y):
    return ops.not_equal(*_ts(x, y))


def greater(x, y):
    return ops.greater(*_ts(x, y))


def greater_equal(x, y):
    return ops.greater_equal(*_ts(x, y))


def less(x, y):
    return ops.less(*_ts(x, y))


def less_equal(x, y):
    return ops.less_equal(*_ts(x, y))


def cast(x, dtype):
    return ops.cast(_t(x), standardize_dtype(dtype))


def l2_normalize(x, axis=None):
    """x / sqrt(max(sum(x**2, axis), 1e-12)), as tf.nn.l2_normalize."""
    x = _t(x)
    square_sum = ops.sum(ops.square(x), axis=_axis(axis), keepdims=True)
    return x / ops.sqrt(ops.maximum(square_sum, 1e-12))


def switch(condition, then_expression, else_expression):
    """`then` where `condition` holds, else `else`. Callables are called first. A
    condition of lower rank is aligned with the leading axes of the expressions."""
    then_value = then_expression() if callable(then_expression) else then_expression
    else_value = else_expression() if callable(else_expression) else else_expression
    condition = ops.cast(_t(condition), "bool")
    then_value, else_value = _t(then_value), _t(else_value)
    expr_ndim = _builtin_max(len(then_value.shape), len(else_value.shape))
    cond_ndim = len(condition.shape)
    if cond_ndim > expr_ndim:
        raise ValueError(f"switch: the rank of the condition ({cond_ndim}) must not exceed "
                         f"the rank of the expressions ({expr_ndim}).")
    if 0 < cond_ndim < expr_ndim:
        condition = ops.expand_dims(condition, tuple(range(cond_ndim, expr_ndim)))
    return ops.where(condition, then_value, else_value)


# ------------------------------------------------------------------ shapes ----
def int_shape(x):
    """The static shape as a tuple of ints, None where unknown (e.g. the batch axis of a
    symbolic tensor)."""
    shape_ = getattr(x, "shape", None)
    if shape_ is None:
        return tuple(np.shape(x))
    try:
        return tuple(None if d is None else int(d) for d in shape_)
    except TypeError:  # a dimension that is not a concrete number
        return tuple(d if isinstance(d, int) else None for d in shape_)


def shape(x):
    """The shape as a tuple; under a compiled step every dimension is concrete, so this
    serves Keras 2's `K.shape(x)[0]` idiom."""
    return int_shape(x)


def ndim(x):
    return len(int_shape(x))


def dtype(x):
    return standardize_dtype(x.dtype)


def count_params(x):
    return int(np.prod(int_shape(x), dtype=np.int64))


def reshape(x, shape):
    return ops.reshape(_t(x), tuple(-1 if d is None else int(d) for d in shape))


def concatenate(tensors, axis=-1):
    return ops.concatenate(_ts(*tensors), axis=axis)


def stack(x, axis=0):
    return ops.stack(_ts(*x), axis=axis)


def transpose(x):
    """Reverses all axes (tf.transpose semantics)."""
    return ops.transpose(_t(x))


def permute_dimensions(x, pattern):
    return ops.transpose(_t(x), tuple(pattern))


def expand_dims(x, axis=-1):
    return ops.expand_dims(_t(x), axis)


def squeeze(x, axis):
    return ops.squeeze(_t(x), axis)


def flatten(x):
    return ops.reshape(_t(x), (-1,))


def batch_flatten(x):
    """(batch, ...) -> (batch, prod(...))."""
    x = _t(x)
    return ops.reshape(x, (-1, int(np.prod(x.shape[1:], dtype=np.int64))))


def repeat_elements(x, rep, axis):
    return ops.repeat(_t(x), rep, axis=axis)


def repeat(x, n):
    """(samples, dim) -> (samples, n, dim)."""
    x = _t(x)
    if len(x.shape) != 2:
        raise ValueError(f"K.repeat needs a 2-D tensor; received shape {tuple(x.shape)}.")
    return ops.tile(ops.expand_dims(x, 1), (1, n, 1))


def tile(x, n):
    if isinstance(n, int):
        n = (n,)
    return ops.tile(_t(x), tuple(n))


def gather(reference, indices):
    return ops.take(_t(reference), _t(indices), axis=0)


def one_hot(indices, num_classes):
    return ops.one_hot(_t(indices), num_classes)


def arange(start, stop=None, step=1, dtype="int32"):
    return ops.arange(start, stop, step, dtype=dtype)


def dot(x, y):
    """Keras 2's dot: numpy.dot for n-D inputs (x's last axis against y's second-to-last)."""
    x, y = _ts(x, y)
    if len(x.shape) <= 2 and len(y.shape) <= 2:
        return ops.matmul(x, y) if len(x.shape) == 2 and len(y.shape) == 2 else ops.dot(x, y)
    y_axis = len(y.shape) - 2 if len(y.shape) >= 2 else 0
    return ops.tensordot(x, y, axes=([len(x.shape) - 1], [y_axis]))


def batch_dot(x, y, axes=None):
    """Per-sample dot product of two batches along `axes`, with Keras 2's shape rules:
    x (b, n) . y (b, n) -> (b, 1); x (b, m, n) . y (b, n, k) -> (b, m, k)."""
    x, y = _t(x), _t(y)
    x_shape, y_shape = int_shape(x), int_shape(y)
    x_ndim, y_ndim = len(x_shape), len(y_shape)
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError(f"batch_dot needs inputs of rank >= 2; received shapes {x_shape} "
                         f"and {y_shape}.")
    if x_shape[0] is not None and y_shape[0] is not None and x_shape[0] != y_shape[0]:
        raise ValueError(f"batch_dot: the batch sizes differ: {x_shape} and {y_shape}.")
    if isinstance(axes, int):
        axes = (axes, axes)
    if axes is None:
        axes = (x_ndim - 1, y_ndim - 1) if y_ndim == 2 else (x_ndim - 1, y_ndim - 2)
    if _builtin_sum(isinstance(a, (list, tuple)) for a in axes):
        raise ValueError(f"batch_dot: each axis must be an int; received axes={axes}.")
    a0, a1 = axes[0] % x_ndim, axes[1] % y_ndim
    if a0 == 0 or a1 == 0:
        raise ValueError("batch_dot cannot contract the batch axis 0; received "
                         f"axes={tuple(axes)}.")
    if x_shape[a0] is not None and y_shape[a1] is not None and x_shape[a0] != y_shape[a1]:
        raise ValueError(f"batch_dot: cannot contract axis {a0} of shape {x_shape} with axis "
                         f"{a1} of shape {y_shape}: sizes {x_shape[a0]} and {y_shape[a1]}.")
    orig_x_ndim, orig_y_ndim = x_ndim, y_ndim
    if x_ndim == 2:
        x, a0, x_ndim = ops.expand_dims(x, 1), a0 + 1, 3
    if y_ndim == 2:
        y, y_ndim = ops.expand_dims(y, 2), 3
    # Bring x's contracted axis last and y's to position 1, then squash to 3-D.
    if a0 != x_ndim - 1:
        perm = [d for d in range(x_ndim) if d != a0] + [a0]
        x = ops.transpose(x, perm)
    if a1 != 1:
        perm = [0, a1] + [d for d in range(1, y_ndim) if d != a1]
        y = ops.transpose(y, perm)
    # A symbolic batch axis is unknown (None): reshape it as -1 and give the other axes.
    batch = -1 if x.shape[0] is None else x.shape[0]
    x_mid, y_trail = tuple(x.shape[1:-1]), tuple(y.shape[2:])
    x = ops.reshape(x, (batch, _product(x_mid), x.shape[-1]))
    y = ops.reshape(y, (batch, y.shape[1], _product(y_trail)))
    result = ops.matmul(x, y)
    result = ops.reshape(result, (batch,) + x_mid + y_trail)
    if orig_x_ndim == 2:
        result = ops.squeeze(result, 1)
    elif orig_y_ndim == 2:
        result = ops.squeeze(result, -1)
    return result


def _product(dims):
    if None in dims:
        raise ValueError(f"batch_dot: the axes other than the batch axis must have known "
                         f"sizes; received {dims}.")
    return int(np.prod(dims, dtype=np.int64))


# --------------------------------------------------- activations and losses ----
def softmax(x, axis=-1):
    return ops.softmax(_t(x), axis=axis)


def sigmoid(x):
    return ops.sigmoid(_t(x))


def tanh(x):
    return ops.tanh(_t(x))


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Keras 2's relu: `alpha` is the slope below `threshold`, `max_value` the cap."""
    from layerkit import activations
    return activations.relu(_t(x), negative_slope=alpha, max_value=max_value,
                            threshold=threshold)


def elu(x, alpha=1.0):
    return ops.elu(_t(x), alpha=alpha)


def softplus(x):
    return ops.softplus(_t(x))


def softsign(x):
    return ops.softsign(_t(x))


def hard_sigmoid(x):
    """Keras 2's piecewise-linear sigmoid: clip(0.2 x + 0.5, 0, 1)."""
    return activations.keras2_hard_sigmoid(x)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return ops.categorical_crossentropy(_t(target), _t(output), from_logits=from_logits,
                                        axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return ops.sparse_categorical_crossentropy(_t(target), _t(output),
                                               from_logits=from_logits, axis=axis)


def binary_crossentropy(target, output, from_logits=False):
    return ops.binary_crossentropy(_t(target), _t(output), from_logits=from_logits)


def in_top_k(predictions, targets, k):
    return ops.in_top_k(_t(targets), _t(predictions), k)


from layerkit.legacy.backend_state import *  # noqa: E402,F401,F403  (variables, random, session)
from layerkit.legacy.backend_graph import function, gradients, placeholder  # noqa: E402,F401
