"""Regression metrics: the regression losses averaged over samples, plus RMSE
and the (positive) cosine similarity."""
from layerkit import config
from layerkit import ops
from layerkit.losses import functions as F
from layerkit.losses.loss_utils import as_tensor, divide_no_nan, squeeze_or_expand_to_same_rank
from layerkit.metrics.reduction_metrics import Mean, _BuiltinWrapper


def cosine_similarity(y_true, y_pred, axis=-1):
    """The metric: sum(l2_normalize(y_true) * l2_normalize(y_pred)) along `axis`."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    eps = config.epsilon()
    true_norm = ops.sqrt(ops.sum(ops.square(y_true), axis=axis, keepdims=True))
    pred_norm = ops.sqrt(ops.sum(ops.square(y_pred), axis=axis, keepdims=True))
    return ops.sum((y_true / ops.clip(true_norm, eps, None))
                   * (y_pred / ops.clip(pred_norm, eps, None)), axis=axis)


class MeanSquaredError(_BuiltinWrapper):
    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(F.mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(_BuiltinWrapper):
    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(F.mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(_BuiltinWrapper):
    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(F.mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(_BuiltinWrapper):
    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(F.mean_squared_logarithmic_error, name=name, dtype=dtype)


class LogCoshError(_BuiltinWrapper):
    def __init__(self, name="logcosh", dtype=None):
        super().__init__(F.log_cosh, name=name, dtype=dtype)


class CosineSimilarity(_BuiltinWrapper):
    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)


class RootMeanSquaredError(Mean):
    """sqrt of the (weighted) mean of the squared errors."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = as_tensor(y_pred, self.dtype)
        y_true = as_tensor(y_true, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return super().update_state(ops.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return ops.sqrt(divide_no_nan(self.total.value, self.count.value))
