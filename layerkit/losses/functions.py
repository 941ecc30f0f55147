"""Loss functions `f(y_true, y_pred)` returning one value per sample (the mean
over the last axis, as Keras does). y_true is cast to y_pred's dtype."""
import math
import warnings

from layerkit import config
from layerkit import ops
from layerkit.engine.common.dtypes import is_int
from layerkit.losses.loss_utils import (as_tensor, check_broadcastable, check_same_shape,
                                        shape_error, squeeze_or_expand_to_same_rank)

_LOG2 = math.log(2.0)


def _prepare(y_true, y_pred, name, exact=False, hint=""):
    """Tensors, y_true in y_pred's dtype, ranks lined up, shapes checked."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if exact:
        check_same_shape(name, y_true, y_pred, hint)
    else:
        check_broadcastable(name, y_true, y_pred)
    return y_true, y_pred


# --- regression ---------------------------------------------------------

def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred, "mean_squared_error")
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_error")
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_percentage_error")
    diff = ops.abs((y_true - y_pred) / ops.clip(ops.abs(y_true), config.epsilon(), None))
    return 100.0 * ops.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred, "mean_squared_logarithmic_error")
    eps = config.epsilon()
    first = ops.log1p(ops.clip(y_pred, eps, None))
    second = ops.log1p(ops.clip(y_true, eps, None))
    return ops.mean(ops.square(first - second), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    y_true, y_pred = _prepare(y_true, y_pred, "huber")
    delta = float(delta)
    error = y_pred - y_true
    abs_error = ops.abs(error)
    quadratic = 0.5 * ops.square(error)
    linear = delta * abs_error - 0.5 * delta * delta
    return ops.mean(ops.where(abs_error <= delta, quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred, "log_cosh")
    x = y_pred - y_true
    # log(cosh(x)) = x + softplus(-2x) - log(2), stable for large |x|.
    return ops.mean(x + ops.softplus(-2.0 * x) - _LOG2, axis=-1)


def _l2_normalize(x, axis):
    norm = ops.sqrt(ops.sum(ops.square(x), axis=axis, keepdims=True))
    return x / ops.clip(norm, config.epsilon(), None)


def cosine_similarity(y_true, y_pred, axis=-1):
    """The loss: minus the cosine similarity (so that minimising aligns them)."""
    y_true, y_pred = _prepare(y_true, y_pred, "cosine_similarity")
    return -ops.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


# --- probabilistic ------------------------------------------------------

def kl_divergence(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred, "kl_divergence")
    y_true = ops.clip(y_true, config.epsilon(), 1.0)
    y_pred = ops.clip(y_pred, config.epsilon(), 1.0)
    return ops.sum(y_true * ops.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred, "poisson")
    return ops.mean(y_pred - y_true * ops.log(y_pred + config.epsilon()), axis=-1)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0,
                             axis=-1):
    if isinstance(axis, bool):
        raise ValueError(f"categorical_crossentropy: `axis` must be an int, received {axis!r}.")
    y_true, y_pred = _prepare(
        y_true, y_pred, "categorical_crossentropy", exact=True,
        hint="categorical_crossentropy expects one-hot targets; for integer class indices "
             "use sparse_categorical_crossentropy (or convert the targets with "
             "to_categorical).")
    if y_pred.shape[axis] == 1:
        warnings.warn(
            "In loss categorical_crossentropy, expected y_pred.shape to be (batch_size, "
            f"num_classes) with num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. "
            "Consider using 'binary_crossentropy' if you only have 2 classes.", SyntaxWarning,
            stacklevel=2)
    if label_smoothing:
        num_classes = y_true.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return ops.nn.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true)
    rank = len(y_pred.shape)
    if len(y_true.shape) == rank and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    ax = axis % rank if rank else 0
    expected = tuple(y_pred.shape[:ax]) + tuple(y_pred.shape[ax + 1:])
    if (rank == 0 or len(y_true.shape) != len(expected)
            or not all(a is None or b is None or a == b for a, b in zip(y_true.shape, expected))):
        raise shape_error(
            "sparse_categorical_crossentropy",
            f"shape {expected} or {expected + (1,)} (integer class indices)", y_true, y_pred,
            "For one-hot targets use categorical_crossentropy.")
    if not is_int(y_true.dtype):
        y_true = ops.cast(y_true, "int32")
    if ignore_class is None:
        return _picked_crossentropy(y_true, y_pred, from_logits, ax)
    valid = y_true != ignore_class
    res = _picked_crossentropy(ops.where(valid, y_true, 0), y_pred, from_logits, ax)
    return ops.where(valid, res, 0.0)


def _picked_crossentropy(labels, y_pred, from_logits, axis):
    """-log p[label], picking each label's entry instead of multiplying by a one-hot
    (the same values as the one-hot form, in fewer ops)."""
    idx = ops.expand_dims(labels, axis)
    if from_logits:
        picked = ops.take_along_axis(ops.log_softmax(y_pred, axis=axis), idx, axis=axis)
        return -ops.squeeze(picked, axis)
    # As Keras: probabilities rescaled to sum to one, then clipped away from 0 and 1.
    picked = (ops.take_along_axis(y_pred, idx, axis=axis)
              / ops.sum(y_pred, axis=axis, keepdims=True))
    eps = config.epsilon()
    return -ops.squeeze(ops.log(ops.clip(picked, eps, 1.0 - eps)), axis)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = _prepare(y_true, y_pred, "binary_crossentropy", exact=True)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return ops.mean(ops.nn.binary_crossentropy(y_true, y_pred, from_logits=from_logits),
                    axis=axis)


# --- hinge --------------------------------------------------------------

def _to_signed_labels(y_true):
    """Labels in {0, 1} become {-1, 1}; other labels are left as they are.
    Decided on the device (no host read), for the whole batch at once."""
    is_binary = ops.all((y_true == 0) | (y_true == 1))
    return ops.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred, "hinge")
    y_true = _to_signed_labels(y_true)
    return ops.mean(ops.relu(1.0 - y_true * y_pred), axis=-1)


def squared_hinge(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred, "squared_hinge")
    y_true = _to_signed_labels(y_true)
    return ops.mean(ops.square(ops.relu(1.0 - y_true * y_pred)), axis=-1)


def categorical_hinge(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred, "categorical_hinge", exact=True)
    pos = ops.sum(y_true * y_pred, axis=-1)
    neg = ops.max((1.0 - y_true) * y_pred, axis=-1)
    return ops.relu(neg - pos + 1.0)


# --- Keras spellings ----------------------------------------------------
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh

# name -> function, every spelling `get` accepts.
LOSS_FUNCTIONS = {
    "mean_squared_error": mean_squared_error, "mse": mse, "MSE": MSE,
    "mean_absolute_error": mean_absolute_error, "mae": mae, "MAE": MAE,
    "mean_absolute_percentage_error": mean_absolute_percentage_error, "mape": mape,
    "MAPE": MAPE,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error, "msle": msle,
    "MSLE": MSLE,
    "huber": huber, "huber_loss": huber,
    "log_cosh": log_cosh, "logcosh": logcosh,
    "cosine_similarity": cosine_similarity, "cosine_proximity": cosine_similarity,
    "kl_divergence": kl_divergence, "kld": kld, "KLD": KLD,
    "kullback_leibler_divergence": kullback_leibler_divergence,
    "poisson": poisson,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "binary_crossentropy": binary_crossentropy,
    "hinge": hinge, "squared_hinge": squared_hinge, "categorical_hinge": categorical_hinge,
}
