"""Sum, Mean and MeanMetricWrapper (a function's per-sample values, averaged)."""
from layerkit import ops
from layerkit.engine.common.masking import get_keras_mask
from layerkit.losses.loss_utils import as_tensor, divide_no_nan, match_weight_rank
from layerkit.metrics.base_metric import Metric, add_to


def _per_sample_totals(values, sample_weight):
    """(weighted total, weight total) of one batch, as Keras's Mean counts them.

    Values are averaged over their non-batch axes (those the weight does not
    cover first), so each sample counts once with its weight.  The weight total
    is a Python number when there is no weight.
    """
    shape = tuple(values.shape)
    if sample_weight is None:
        if not shape:
            return values, 1
        per_sample = 1
        for d in shape[1:]:
            per_sample *= d
        total = ops.sum(values)
        return (total / per_sample if per_sample != 1 else total), shape[0]
    sample_weight = as_tensor(sample_weight, values.dtype)
    values, sample_weight = match_weight_rank(values, sample_weight)
    w_rank = len(sample_weight.shape)
    if len(values.shape) > w_rank:
        values = ops.mean(values, axis=tuple(range(w_rank, len(values.shape))))
    weighted = values * sample_weight
    out_shape = tuple(weighted.shape)
    per_sample = 1
    for d in out_shape[1:]:
        per_sample *= d
    # The weight, broadcast to the values' shape, summed and averaged per sample.
    w_size = 1
    for d in sample_weight.shape:
        w_size *= d
    out_size = per_sample * (out_shape[0] if out_shape else 1)
    scale_w = (out_size / w_size if w_size else 0.0) / per_sample
    total = ops.sum(weighted)
    if per_sample != 1:
        total = total / per_sample
    count = ops.sum(sample_weight)
    if scale_w != 1:
        count = count * scale_w
    return total, count


def _mask_weight(mask, sample_weight, dtype):
    """The sample weight times the 0/1 mask (lined up as losses line them up)."""
    float_mask = ops.cast(mask, dtype)
    if sample_weight is None:
        return float_mask
    float_mask, sample_weight = match_weight_rank(float_mask, as_tensor(sample_weight, dtype))
    return sample_weight * float_mask


class Sum(Metric):
    """The (weighted) sum of the values seen."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")

    def update_state(self, values, sample_weight=None):
        values = as_tensor(values, self.dtype)
        if sample_weight is not None:
            sample_weight = as_tensor(sample_weight, self.dtype)
            values, sample_weight = match_weight_rank(values, sample_weight)
            w_rank = len(sample_weight.shape)
            if len(values.shape) > w_rank:
                values = ops.sum(values, axis=tuple(range(w_rank, len(values.shape))))
            values = values * sample_weight
        add_to(self.total, ops.sum(values))

    def result(self):
        return self.total.value


class Mean(Metric):
    """The (weighted) mean of the values seen: total / count."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, values, sample_weight=None):
        values = as_tensor(values, self.dtype)
        total, count = _per_sample_totals(values, sample_weight)
        add_to(self.total, total)
        add_to(self.count, count)

    def result(self):
        # total / count, and 0 before any update. Counts are sums of non-negative
        # weights, so clamping at the smallest normal float equals divide_no_nan
        # with two ops instead of four (this runs every training step).
        return self.total.value / ops.maximum(self.count.value, _TINY)


_TINY = 1.1754944e-38


class MeanMetricWrapper(Mean):
    """Averages `fn(y_true, y_pred, **kwargs)` over the samples seen."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        if isinstance(fn, str):
            from layerkit.metrics.registry import get as _get
            fn = _get(fn)
        super().__init__(name=name or getattr(fn, "__name__", None), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    @property
    def fn(self):
        return self._fn

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = get_keras_mask(y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if mask is not None:
            # Masked entries of the model output carry no weight (Keras 3).
            sample_weight = _mask_weight(mask, sample_weight, values.dtype)
        return Mean.update_state(self, values, sample_weight=sample_weight)

    def get_config(self):
        config_ = super().get_config()
        config_["fn"] = getattr(self._fn, "__name__", str(self._fn))
        config_.update(self._fn_kwargs)
        return config_

    @classmethod
    def from_config(cls, config_):
        config_ = dict(config_)
        if isinstance(config_.get("fn"), (str, dict)):
            from layerkit.metrics.registry import get_function
            config_["fn"] = get_function(config_["fn"])
        return cls(**config_)


class _BuiltinWrapper(MeanMetricWrapper):
    """A wrapper whose config holds its own settings rather than `fn`."""

    def get_config(self):
        config_ = Metric.get_config(self)
        config_.update(self._fn_kwargs)
        return config_

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)
