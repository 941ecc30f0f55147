"""The built-in loss classes: each wraps one loss function with its settings."""
from layerkit import ops
from layerkit.losses import functions as F
from layerkit.losses.loss import Loss, LossFunctionWrapper

_DEFAULT = "sum_over_batch_size"


class _BuiltinLoss(LossFunctionWrapper):
    """A wrapper whose config holds its own settings rather than `fn`."""

    def get_config(self):
        config_ = Loss.get_config(self)
        config_.update(self._fn_kwargs)
        return config_

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)


class MeanSquaredError(_BuiltinLoss):
    def __init__(self, reduction=_DEFAULT, name="mean_squared_error", dtype=None):
        super().__init__(F.mean_squared_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsoluteError(_BuiltinLoss):
    def __init__(self, reduction=_DEFAULT, name="mean_absolute_error", dtype=None):
        super().__init__(F.mean_absolute_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsolutePercentageError(_BuiltinLoss):
    def __init__(self, reduction=_DEFAULT, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(F.mean_absolute_percentage_error, reduction=reduction, name=name,
                         dtype=dtype)


class MeanSquaredLogarithmicError(_BuiltinLoss):
    def __init__(self, reduction=_DEFAULT, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(F.mean_squared_logarithmic_error, reduction=reduction, name=name,
                         dtype=dtype)


class CosineSimilarity(_BuiltinLoss):
    def __init__(self, axis=-1, reduction=_DEFAULT, name="cosine_similarity", dtype=None):
        super().__init__(F.cosine_similarity, reduction=reduction, name=name, dtype=dtype,
                         axis=axis)


class Huber(_BuiltinLoss):
    def __init__(self, delta=1.0, reduction=_DEFAULT, name="huber_loss", dtype=None):
        super().__init__(F.huber, reduction=reduction, name=name, dtype=dtype, delta=delta)


class LogCosh(_BuiltinLoss):
    def __init__(self, reduction=_DEFAULT, name="log_cosh", dtype=None):
        super().__init__(F.log_cosh, reduction=reduction, name=name, dtype=dtype)


class Hinge(_BuiltinLoss):
    def __init__(self, reduction=_DEFAULT, name="hinge", dtype=None):
        super().__init__(F.hinge, reduction=reduction, name=name, dtype=dtype)


class SquaredHinge(_BuiltinLoss):
    def __init__(self, reduction=_DEFAULT, name="squared_hinge", dtype=None):
        super().__init__(F.squared_hinge, reduction=reduction, name=name, dtype=dtype)


class CategoricalHinge(_BuiltinLoss):
    def __init__(self, reduction=_DEFAULT, name="categorical_hinge", dtype=None):
        super().__init__(F.categorical_hinge, reduction=reduction, name=name, dtype=dtype)


class KLDivergence(_BuiltinLoss):
    def __init__(self, reduction=_DEFAULT, name="kl_divergence", dtype=None):
        super().__init__(F.kl_divergence, reduction=reduction, name=name, dtype=dtype)


class Poisson(_BuiltinLoss):
    def __init__(self, reduction=_DEFAULT, name="poisson", dtype=None):
        super().__init__(F.poisson, reduction=reduction, name=name, dtype=dtype)


class BinaryCrossentropy(_BuiltinLoss):
    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=_DEFAULT,
                 name="binary_crossentropy", dtype=None):
        super().__init__(F.binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class CategoricalCrossentropy(_BuiltinLoss):
    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=_DEFAULT,
                 name="categorical_crossentropy", dtype=None):
        super().__init__(F.categorical_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class SparseCategoricalCrossentropy(_BuiltinLoss):
    # Class indices stay integers: they only pick entries, never enter the arithmetic.
    _cast_y_true = False

    def __init__(self, from_logits=False, ignore_class=None, reduction=_DEFAULT,
                 name="sparse_categorical_crossentropy", dtype=None, axis=-1):
        kwargs = {"from_logits": from_logits, "ignore_class": ignore_class}
        if axis != -1:
            kwargs["axis"] = axis
        super().__init__(F.sparse_categorical_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, **kwargs)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def call(self, y_true, y_pred):
        # y_true (batch,) against y_pred (batch, classes) must stay as it is.
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def _loss_mask(self, y_true, y_pred):
        if self.ignore_class is None:
            return None
        if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
            y_true = ops.squeeze(y_true, -1)
        return y_true != self.ignore_class


LOSS_CLASSES = {cls.__name__: cls for cls in (
    Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity, Huber,
    LogCosh, Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson,
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy)}
