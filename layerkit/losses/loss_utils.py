"""Shape matching, sample weighting and reduction shared by losses and metrics.

Everything here reads shapes statically (`x.shape`), so it costs no engine op
unless a reshape is really needed, and works eagerly and under jit tracing.
"""
import math

from layerkit import engine
from layerkit import ops

REDUCTIONS = ("sum_over_batch_size", "sum", "none", None, "mean",
              "mean_with_sample_weight", "auto")


class Reduction:
    """Keras 2's `losses.Reduction` names."""
    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        standardize_reduction(key)


def standardize_reduction(reduction):
    """Returns the reduction's canonical name; Keras 2's 'auto' is 'sum_over_batch_size'."""
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`: {reduction!r}. Expected one of "
            f"{list(REDUCTIONS)}.")
    if reduction == "auto":
        return "sum_over_batch_size"
    return reduction


def as_tensor(x, dtype=None):
    """`convert_to_tensor`, free when `x` is already a tensor of that dtype."""
    return engine.convert_to_tensor(x, dtype=dtype)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Where ranks differ by one and the longer has a trailing 1, drop it
    (or, for a rank-1 partner, add one to the partner instead)."""
    r1 = len(x1.shape)
    r2 = len(x2.shape)
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, -1)
        else:
            x1 = ops.squeeze(x1, -1)
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, -1)
        else:
            x2 = ops.squeeze(x2, -1)
    return x1, x2


def match_weight_rank(values, sample_weight):
    """Lines `sample_weight` up with `values` as Keras does: squeeze/expand a
    trailing 1, then (Keras 2) give a lower-rank weight trailing axes so that
    a (batch,) weight scales every entry of its sample."""
    if len(values.shape) == len(sample_weight.shape):
        return values, sample_weight
    values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
    diff = len(values.shape) - len(sample_weight.shape)
    if diff > 0 and len(sample_weight.shape) > 0:
        sample_weight = ops.reshape(
            sample_weight, tuple(sample_weight.shape) + (1,) * diff)
    return values, sample_weight


def num_elements(shape):
    return math.prod(int(d) for d in shape)


def divide_no_nan(x, y):
    """x / y, and 0 where y == 0."""
    zero = y == 0
    return ops.where(zero, 0.0, x / ops.where(zero, 1.0, y))


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size"):
    """Weights per-sample `values` and reduces them to the loss."""
    if mask is not None:
        float_mask = ops.cast(mask, values.dtype)
        if reduction in ("sum_over_batch_size", "mean"):
            # Valid entries get weight total/valid so that the mean runs over
            # the valid entries only.
            total = float(num_elements(mask.shape))
            float_mask = float_mask * divide_no_nan(total, ops.sum(float_mask))
        if sample_weight is None:
            sample_weight = float_mask
        else:
            sample_weight = as_tensor(sample_weight, values.dtype)
            float_mask, sample_weight = match_weight_rank(float_mask, sample_weight)
            sample_weight = sample_weight * float_mask
    if sample_weight is not None:
        sample_weight = as_tensor(sample_weight, values.dtype)
        values, sample_weight = match_weight_rank(values, sample_weight)
        values = values * sample_weight
    if reduction is None or reduction == "none" or len(values.shape) == 0:
        return values
    if reduction == "sum":
        return ops.sum(values)
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return divide_no_nan(ops.sum(values), ops.sum(sample_weight))
    if num_elements(values.shape) == 0:
        return ops.sum(values)
    # sum / number of entries, in one op.
    return ops.mean(values)


def _dims_compatible(a, b):
    return a is None or b is None or a == b


def same_shape(a, b):
    if len(a) != len(b):
        return False
    return all(_dims_compatible(x, y) for x, y in zip(a, b))


def broadcastable(a, b):
    for x, y in zip(reversed(tuple(a)), reversed(tuple(b))):
        if not (x == 1 or y == 1 or _dims_compatible(x, y)):
            return False
    return True


def shape_error(loss_name, expected, y_true, y_pred, hint=""):
    return ValueError(
        f"{loss_name}: expected y_true of {expected}; received y_true.shape="
        f"{tuple(y_true.shape)} with y_pred.shape={tuple(y_pred.shape)}."
        + (f" {hint}" if hint else ""))


def check_same_shape(loss_name, y_true, y_pred, hint=""):
    if tuple(y_true.shape) != tuple(y_pred.shape) and not same_shape(y_true.shape, y_pred.shape):
        raise shape_error(loss_name, f"shape {tuple(y_pred.shape)} (the same as y_pred)",
                          y_true, y_pred, hint)


def check_broadcastable(loss_name, y_true, y_pred):
    if tuple(y_true.shape) != tuple(y_pred.shape) and not broadcastable(y_true.shape,
                                                                       y_pred.shape):
        raise shape_error(loss_name, f"a shape broadcastable to {tuple(y_pred.shape)}",
                          y_true, y_pred)
