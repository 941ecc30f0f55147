"""Keras 2's backend (K) functions that make or touch state: variables, constants,
random tensors, get/set_value, the learning phase and the session. Re-exported by
`layerkit.legacy.backend_functions`; split from it to keep each file one idea."""
import warnings

import numpy as np

from layerkit import engine as _engine
from layerkit import config, ops
from layerkit.engine.common import naming
from layerkit.engine.common.dtypes import standardize_dtype
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.engine.common.variables import Variable as _Variable


def _t(x):
    """A tensor for `x` (a Variable gives its current value; a symbolic tensor stays
    symbolic)."""
    if isinstance(x, _Variable):
        return x.value
    return x if ops.is_tensor(x) or isinstance(x, SymbolicTensor) else ops.convert_to_tensor(x)


# ------------------------------------------------------ creation, variables ----
def _float_dtype(dtype_):
    return standardize_dtype(dtype_ or config.floatx())


def variable(value, dtype=None, name=None, constraint=None):
    """A trainable layerkit Variable holding `value` (floatx unless `dtype` is given)."""
    dtype_ = _float_dtype(dtype)
    if isinstance(value, _Variable) or ops.is_tensor(value):
        value = ops.convert_to_numpy(value)
    value = np.asarray(value)
    if dtype_ != "bfloat16":
        value = value.astype(dtype_)
    return _engine.Variable(value, dtype=dtype_, name=name, constraint=constraint)


def constant(value, dtype=None, shape=None, name=None):
    dtype_ = _float_dtype(dtype)
    if isinstance(value, _Variable) or ops.is_tensor(value):
        value = ops.convert_to_numpy(value)
    value = np.asarray(value)
    if shape is not None:
        value = np.broadcast_to(value, tuple(shape)) if value.ndim else np.full(tuple(shape), value)
    return ops.convert_to_tensor(np.array(value), dtype=dtype_)


def zeros(shape, dtype=None, name=None):
    return variable(np.zeros(_concrete_shape(shape)), dtype=dtype, name=name)


def ones(shape, dtype=None, name=None):
    return variable(np.ones(_concrete_shape(shape)), dtype=dtype, name=name)


def eye(size, dtype=None, name=None):
    if isinstance(size, (list, tuple)):
        n, m = size
    else:
        n = m = size
    return variable(np.eye(int(n), int(m)), dtype=dtype, name=name)


def zeros_like(x, dtype=None, name=None):
    return ops.zeros_like(_t(x), dtype=dtype)


def ones_like(x, dtype=None, name=None):
    return ops.ones_like(_t(x), dtype=dtype)


def is_keras_tensor(x):
    return isinstance(x, SymbolicTensor)


def is_variable(x):
    return isinstance(x, _Variable)


def _concrete_shape(shape_):
    if isinstance(shape_, (int, np.integer)):
        return (int(shape_),)
    return tuple(int(d) for d in shape_)


def _random():
    from layerkit import random as lk_random
    return lk_random


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return _random().uniform(_concrete_shape(shape), minval=minval, maxval=maxval,
                             dtype=_float_dtype(dtype), seed=seed)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _random().normal(_concrete_shape(shape), mean=mean, stddev=stddev,
                            dtype=_float_dtype(dtype), seed=seed)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _random().truncated_normal(_concrete_shape(shape), mean=mean, stddev=stddev,
                                      dtype=_float_dtype(dtype), seed=seed)


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """1 with probability p, else 0."""
    dtype_ = _float_dtype(dtype)
    u = random_uniform(shape, dtype=dtype_, seed=seed)
    return ops.cast(ops.less(u, p), dtype_)


random_bernoulli = random_binomial


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    from layerkit import initializers
    init = initializers.RandomUniform(low, high, seed=seed)
    return variable(init(_concrete_shape(shape), dtype="float64"), dtype=dtype, name=name)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    from layerkit import initializers
    init = initializers.RandomNormal(mean, scale, seed=seed)
    return variable(init(_concrete_shape(shape), dtype="float64"), dtype=dtype, name=name)


def dropout(x, level, noise_shape=None, seed=None):
    return _random().dropout(_t(x), level, noise_shape=noise_shape, seed=seed)


def get_value(x):
    """A numpy copy of a Variable's or tensor's value."""
    if isinstance(x, (int, float, np.ndarray, np.generic)):
        return np.asarray(x)
    return ops.convert_to_numpy(x.value if isinstance(x, _Variable) else x)


def eval(x):  # noqa: A001 - Keras 2's name
    """K.eval: a Variable's or tensor's value as numpy (a symbolic tensor has none: it
    is evaluated with K.function)."""
    if isinstance(x, SymbolicTensor):
        raise TypeError(f"K.eval: {x!r} is symbolic (an Input or a layer's output) and has "
                        "no value; evaluate it with K.function([inputs], [tensor]).")
    return get_value(x)


def batch_get_value(tensors):
    return [get_value(x) for x in tensors]


def set_value(x, value):
    if not isinstance(x, _Variable):
        raise TypeError(f"set_value needs a Variable; received {type(x).__name__}.")
    x.assign(np.asarray(value))


def batch_set_value(tuples):
    for x, value in tuples:
        set_value(x, value)


def update(x, new_x):
    return x.assign(new_x)


def update_add(x, increment):
    return x.assign_add(increment)


def update_sub(x, decrement):
    return x.assign_sub(decrement)


def moving_average_update(x, value, momentum):
    """x <- x * momentum + value * (1 - momentum)."""
    return x.assign(x.value * momentum + _t(value) * (1.0 - momentum))


def print_tensor(x, message=""):
    print(message, get_value(x))
    return x


# ------------------------------------------------------- graph and session ----
def stop_gradient(variables):
    if isinstance(variables, (list, tuple)):
        return [ops.stop_gradient(_t(v)) for v in variables]
    return ops.stop_gradient(_t(variables))


def clear_session():
    """Resets the automatic layer-name counters (dense, dense_1, … start over) and, as
    Keras 3 does, the global dtype policy (back to floatx())."""
    naming.reset_uids()
    from layerkit.dtype_policies import reset_dtype_policy
    reset_dtype_policy()


_LEARNING_PHASE = {"value": 0}


class LearningPhase(int):
    """What K.learning_phase() returns: the current phase (0 or 1) as an int that
    K.function also recognizes among its inputs, where it means "the value fed here
    is the phase" (Keras 2's `K.function([model.input, K.learning_phase()], ...)`)."""

    def __repr__(self):
        return f"<learning phase {int(self)}>"


def learning_phase():
    """The phase K.function runs in: as an input of K.function it is fed 0 or 1 per call
    (Keras 2's idiom, so no warning); elsewhere it equals the set phase."""
    return LearningPhase(_LEARNING_PHASE["value"])


def in_train_phase(x, alt, training=None):
    """`x` in training, `alt` otherwise (either may be a callable, called only when
    chosen). `training` None means the enclosing layer call's `training`, else the
    learning phase; a tensor `training` selects elementwise (K.switch)."""
    if training is None:
        from layerkit.layers.call_context import current_training
        training = current_training(_LEARNING_PHASE["value"])
    if isinstance(training, (bool, int, np.integer, np.bool_)):
        chosen = x if training else alt
        return chosen() if callable(chosen) else chosen
    from layerkit.legacy.backend_functions import switch
    return switch(training, x() if callable(x) else x, alt() if callable(alt) else alt)


def in_test_phase(x, alt, training=None):
    """`x` at inference, `alt` in training: in_train_phase with the roles swapped."""
    return in_train_phase(alt, x, training=training)


def set_learning_phase(value):
    warnings.warn("K.set_learning_phase() is deprecated: pass `training=True/False` when "
                  "calling a model or layer. In layerkit it only sets the phase of "
                  "K.function calls that are not fed K.learning_phase().",
                  DeprecationWarning, stacklevel=2)
    if value not in (0, 1):
        raise ValueError(f"set_learning_phase: expected 0 or 1, received {value!r}.")
    _LEARNING_PHASE["value"] = int(value)


# Keras 1/2's names of the image data format: 'th' (Theano) is channels_first, 'tf'
# (TensorFlow) channels_last. Layers made afterwards take it as their default.
_DIM_ORDERINGS = {"th": "channels_first", "tf": "channels_last"}


def image_dim_ordering():
    """'th' when the image data format is channels_first, else 'tf'."""
    return "th" if config.image_data_format() == "channels_first" else "tf"


def set_image_dim_ordering(dim_ordering):
    """Sets the image data format by its Keras 1 name ('th' or 'tf')."""
    if dim_ordering not in _DIM_ORDERINGS:
        raise ValueError(f"set_image_dim_ordering: expected 'th' (channels_first) or 'tf' "
                         f"(channels_last), received {dim_ordering!r}.")
    config.set_image_data_format(_DIM_ORDERINGS[dim_ordering])
