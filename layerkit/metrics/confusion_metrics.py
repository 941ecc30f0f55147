"""Confusion-matrix metrics: counts at thresholds, Precision, Recall and AUC.

A prediction counts as positive at threshold t when it is > t; a label counts
as positive when it is non-zero. Counts are weighted by the sample weight.
"""
import numpy as np

from layerkit import config
from layerkit import ops
from layerkit.losses.loss_utils import (as_tensor, divide_no_nan,
                                        squeeze_or_expand_to_same_rank)
from layerkit.metrics.base_metric import Metric, add_to

_NEG_INF = -1e10


def _parse_thresholds(thresholds, default):
    """(thresholds as a list of floats, whether result() returns a scalar)."""
    if thresholds is None:
        return [float(default)], True
    if isinstance(thresholds, (int, float)):
        return [float(thresholds)], True
    values = [float(t) for t in np.asarray(thresholds).reshape(-1)]
    for t in values:
        if not (0.0 <= t <= 1.0):
            raise ValueError(f"Threshold values must be in [0, 1]; received {thresholds!r}.")
    return values, len(values) == 1


def _constant(values, dtype):
    return as_tensor(np.asarray(values, "float32").reshape(-1), dtype)


def _filter_top_k(x, k):
    """Keeps the k largest entries of the last axis; the others become -1e10."""
    _, idx = ops.top_k(x, k)
    keep = ops.sum(ops.one_hot(idx, x.shape[-1], dtype=x.dtype), axis=-2)
    return x * keep + _NEG_INF * (1.0 - keep)


def _match_sample_weight(sample_weight, y_true, dtype):
    """The weight with trailing axes added so it broadcasts against y_true."""
    sample_weight = as_tensor(sample_weight, dtype)
    diff = len(y_true.shape) - len(sample_weight.shape)
    if diff > 0 and len(sample_weight.shape) > 0:
        sample_weight = ops.reshape(sample_weight,
                                    tuple(sample_weight.shape) + (1,) * diff)
    elif diff < 0 and sample_weight.shape[-1] == 1:
        sample_weight = ops.squeeze(sample_weight, -1)
    return sample_weight


def update_confusion_variables(variables, y_true, y_pred, thresholds, sample_weight=None,
                               top_k=None, class_id=None, multi_label=False,
                               label_weights=None, dtype="float32"):
    """Adds this batch's weighted counts to `variables` ({'tp'|'fp'|'tn'|'fn': Variable}).

    thresholds: a (num_thresholds,) tensor. Without multi_label every entry of
    y_pred is one binary decision and each variable has shape (num_thresholds,);
    with multi_label the last axis holds labels and variables are (num_thresholds,
    num_labels).
    """
    y_pred = as_tensor(y_pred, dtype)
    y_true = as_tensor(y_true, dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = _match_sample_weight(sample_weight, y_true, dtype)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if len(y_pred.shape) < 2:
            raise ValueError("When class_id is given, y_pred must have shape (num_samples, "
                             f"num_classes); received y_pred.shape={tuple(y_pred.shape)}.")
        y_true = y_true[..., class_id:class_id + 1]
        y_pred = y_pred[..., class_id:class_id + 1]
        if sample_weight is not None and len(sample_weight.shape) == len(y_pred.shape) \
                and sample_weight.shape[-1] not in (1, None):
            sample_weight = sample_weight[..., class_id:class_id + 1]
    positive = ops.cast(y_true != 0, dtype)
    weights = sample_weight
    if label_weights is not None:
        weights = label_weights if weights is None else weights * label_weights
    if weights is not None:
        weights = ops.broadcast_to(weights, tuple(y_pred.shape))

    if multi_label:
        n_labels = y_pred.shape[-1]
        y_pred = ops.reshape(y_pred, (-1, n_labels))
        positive = ops.reshape(positive, (-1, n_labels))
        # (samples, thresholds, labels): prediction above each threshold.
        above = ops.cast(ops.expand_dims(y_pred, 1) > ops.reshape(thresholds, (1, -1, 1)),
                         dtype)
        if weights is not None:
            weights = ops.reshape(weights, (-1, n_labels))
    else:
        y_pred = ops.reshape(y_pred, (-1,))
        positive = ops.reshape(positive, (-1,))
        above = ops.cast(ops.expand_dims(y_pred, 1) > ops.reshape(thresholds, (1, -1)), dtype)
        if weights is not None:
            weights = ops.reshape(weights, (-1,))
    pos_w = positive if weights is None else positive * weights
    if "tp" in variables or "fn" in variables:
        tp = ops.sum(above * ops.expand_dims(pos_w, 1), axis=0)
        if "tp" in variables:
            add_to(variables["tp"], tp)
        if "fn" in variables:
            add_to(variables["fn"], ops.sum(pos_w, axis=0) - tp)
    if "fp" in variables or "tn" in variables:
        neg_w = (1.0 - positive) if weights is None else weights - pos_w
        fp = ops.sum(above * ops.expand_dims(neg_w, 1), axis=0)
        if "fp" in variables:
            add_to(variables["fp"], fp)
        if "tn" in variables:
            add_to(variables["tn"], ops.sum(neg_w, axis=0) - fp)


class _ConfusionCount(Metric):
    """The weighted count of one confusion-matrix cell at each threshold."""
    _kind = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds, self._single = _parse_thresholds(thresholds, 0.5)
        self._thresholds_tensor = _constant(self.thresholds, self.dtype)
        self.accumulator = self.add_variable(shape=(len(self.thresholds),),
                                             initializer="zeros", name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_variables({self._kind: self.accumulator}, y_true, y_pred,
                                   self._thresholds_tensor, sample_weight, dtype=self.dtype)

    def result(self):
        value = self.accumulator.value
        return value[0] if self._single else value

    def get_config(self):
        config_ = super().get_config()
        config_["thresholds"] = self.init_thresholds
        return config_


class TruePositives(_ConfusionCount):
    _kind = "tp"


class FalsePositives(_ConfusionCount):
    _kind = "fp"


class TrueNegatives(_ConfusionCount):
    _kind = "tn"


class FalseNegatives(_ConfusionCount):
    _kind = "fn"


class _PrecisionRecall(Metric):
    _kinds = ()

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        if thresholds is None and top_k is not None:
            # With top_k every kept prediction counts as positive.
            self.thresholds, self._single = [_NEG_INF], True
        else:
            self.thresholds, self._single = _parse_thresholds(thresholds, 0.5)
        self._thresholds_tensor = _constant(self.thresholds, self.dtype)
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,), name="true_positives")
        other = "false_positives" if "fp" in self._kinds else "false_negatives"
        self._other = self.add_variable(shape=(n,), name=other)
        setattr(self, other, self._other)

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_variables(
            {"tp": self.true_positives, self._kinds[1]: self._other}, y_true, y_pred,
            self._thresholds_tensor, sample_weight, top_k=self.top_k, class_id=self.class_id,
            dtype=self.dtype)

    def result(self):
        tp = self.true_positives.value
        value = divide_no_nan(tp, tp + self._other.value)
        return value[0] if self._single else value

    def get_config(self):
        config_ = super().get_config()
        config_.update({"thresholds": self.init_thresholds, "top_k": self.top_k,
                        "class_id": self.class_id})
        return config_


class Precision(_PrecisionRecall):
    """tp / (tp + fp) at each threshold (0.5 by default)."""
    _kinds = ("tp", "fp")


class Recall(_PrecisionRecall):
    """tp / (tp + fn) at each threshold (0.5 by default)."""
    _kinds = ("tp", "fn")


def _evenly_spaced(thresholds):
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=config.epsilon()))


class AUC(Metric):
    """Area under the ROC or PR curve, from counts at `num_thresholds` thresholds
    (Riemann sums with 'interpolation', 'minoring' or 'majoring' heights; PR with
    interpolation uses the Davis & Goadrich interpolation)."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(name=name, dtype=dtype)
        curve = str(curve).upper()
        if curve not in ("ROC", "PR"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR'; received {curve!r}.")
        summation_method = str(summation_method).lower()
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError("AUC: summation_method must be 'interpolation', 'minoring' or "
                             f"'majoring'; received {summation_method!r}.")
        self.curve = curve
        self.summation_method = summation_method
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        self._from_logits = from_logits
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(float(t) for t in np.asarray(thresholds).reshape(-1))
            self.num_thresholds = len(inner) + 2
            self._evenly = _evenly_spaced([0.0] + inner + [1.0])
        else:
            if num_thresholds <= 1:
                raise ValueError(f"AUC: num_thresholds must be > 1; received {num_thresholds}.")
            self.num_thresholds = int(num_thresholds)
            inner = [(i + 1) / (self.num_thresholds - 1)
                     for i in range(self.num_thresholds - 2)]
            self._evenly = True
        eps = config.epsilon()
        self._threshold_values = [0.0 - eps] + inner + [1.0 + eps]
        # Constants are made here, eagerly: made inside a traced step they
        # would be that trace's values.
        self._thresholds_tensor = _constant(self._threshold_values, self.dtype)
        self.label_weights = (None if label_weights is None
                              else _constant(label_weights, self.dtype))
        self._built = False
        if not self.multi_label or num_labels is not None:
            self._build(num_labels)

    @property
    def thresholds(self):
        return list(self._threshold_values)

    def _build(self, num_labels):
        shape = (self.num_thresholds,) if not self.multi_label else (
            self.num_thresholds, int(num_labels))
        self.num_labels = num_labels
        self.true_positives = self.add_variable(shape=shape, name="true_positives")
        self.false_positives = self.add_variable(shape=shape, name="false_positives")
        self.true_negatives = self.add_variable(shape=shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape=shape, name="false_negatives")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = as_tensor(y_pred, self.dtype)
        if not self._built:
            # multi_label without num_labels: sized by the first batch (build
            # the metric eagerly before tracing a step with it).
            self._build(y_pred.shape[-1])
        if self._from_logits:
            y_pred = ops.sigmoid(y_pred)
        if self._evenly:
            # As Keras's bucketed update: predictions are taken in [0, 1].
            y_pred = ops.clip(y_pred, 0.0, 1.0)
        update_confusion_variables(
            {"tp": self.true_positives, "fp": self.false_positives,
             "tn": self.true_negatives, "fn": self.false_negatives},
            y_true, y_pred, self._thresholds_tensor, sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights, dtype=self.dtype)

    def _by_label(self, values):
        if not self.multi_label:
            return ops.sum(values)
        per_label = ops.sum(values, axis=0)
        if self.label_weights is None:
            return ops.mean(per_label)
        return divide_no_nan(ops.sum(per_label * self.label_weights),
                             ops.sum(self.label_weights))

    def _interpolated_pr_auc(self, tp, fp, fn):
        # Precision is interpolated linearly in the count of predicted positives
        # between neighbouring thresholds, then integrated over recall.
        n = self.num_thresholds
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        slope = divide_no_nan(dtp, ops.relu(dp))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:n - 1] > 0) & (p[1:] > 0)
        ratio = ops.where(both, divide_no_nan(p[:n - 1], ops.relu(p[1:])), 1.0)
        increments = divide_no_nan(slope * (dtp + intercept * ops.log(ratio)),
                                   ops.relu(tp[1:] + fn[1:]))
        return self._by_label(increments)

    def result(self):
        if not self._built:
            return ops.zeros((), dtype=self.dtype)
        tp = self.true_positives.value
        fp = self.false_positives.value
        tn = self.true_negatives.value
        fn = self.false_negatives.value
        n = self.num_thresholds
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolated_pr_auc(tp, fp, fn)
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x = divide_no_nan(fp, fp + tn)
            y = recall
        else:
            x = recall
            y = divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = ops.minimum(y[:n - 1], y[1:])
        else:
            heights = ops.maximum(y[:n - 1], y[1:])
        return self._by_label((x[:n - 1] - x[1:]) * heights)

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        config_ = super().get_config()
        config_.update({
            "num_thresholds": self.num_thresholds, "curve": self.curve,
            "summation_method": self.summation_method, "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": (None if self.label_weights is None
                              else ops.convert_to_numpy(self.label_weights).tolist()),
            "from_logits": self._from_logits})
        if self._init_from_thresholds:
            # Generated thresholds are left out: they follow from num_thresholds.
            config_["thresholds"] = self._threshold_values[1:-1]
        return config_
