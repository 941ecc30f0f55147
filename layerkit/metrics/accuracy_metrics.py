"""Accuracy metrics and their function forms (1.0 where right, 0.0 where wrong)."""
from layerkit import config
from layerkit import ops
from layerkit.losses.loss_utils import as_tensor, squeeze_or_expand_to_same_rank
from layerkit.metrics.reduction_metrics import _BuiltinWrapper


def accuracy(y_true, y_pred):
    """Elementwise equality of y_true and y_pred."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return ops.cast(y_true == y_pred, config.floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Elementwise: 1.0 where (y_pred > threshold) equals y_true."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    predicted = ops.cast(y_pred > threshold, y_true.dtype)
    return ops.cast(y_true == predicted, config.floatx())


def categorical_accuracy(y_true, y_pred):
    """Per sample: whether argmax(y_pred) is the one-hot y_true's class."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true)
    return ops.cast(ops.argmax(y_true, axis=-1) == ops.argmax(y_pred, axis=-1),
                    config.floatx())


def _squeeze_labels(y_true, y_pred):
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        return ops.squeeze(y_true, -1), True
    return y_true, False


def sparse_categorical_accuracy(y_true, y_pred):
    """Per sample: whether argmax(y_pred) is the class index y_true."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true)
    y_true, _ = _squeeze_labels(y_true, y_pred)
    return ops.cast(y_true == ops.argmax(y_pred, axis=-1), config.floatx())


def _in_top_k(labels, y_pred, k):
    """in_top_k over any leading shape: (..., classes) scores, (...) labels."""
    out_shape = tuple(labels.shape)
    if len(y_pred.shape) > 2:
        y_pred = ops.reshape(y_pred, (-1, y_pred.shape[-1]))
    if len(labels.shape) != 1:
        labels = ops.reshape(labels, (-1,))
    matches = ops.cast(ops.in_top_k(labels, y_pred, k), config.floatx())
    if len(out_shape) != 1:
        matches = ops.reshape(matches, out_shape)
    return matches


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Per sample: whether the one-hot y_true's class is among the k top scores."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true)
    return _in_top_k(ops.argmax(y_true, axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """Per sample: whether the class index y_true is among the k top scores (or,
    with from_sorted_ids, among the first k of y_pred's sorted class ids)."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true)
    if from_sorted_ids:
        labels = y_true if len(y_true.shape) == 1 else ops.reshape(y_true, (-1,))
        preds = ops.reshape(y_pred, (-1, y_pred.shape[-1]))[:, :k]
        matches = ops.cast(ops.any(ops.expand_dims(labels, 1) == preds, axis=1),
                           config.floatx())
        return matches if len(y_true.shape) == 1 else ops.reshape(matches, tuple(y_true.shape))
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        # (batch, 1) labels: flattened for the lookup, shaped back like y_true.
        return _in_top_k(ops.squeeze(y_true, -1), y_pred, k)[..., None]
    return _in_top_k(y_true, y_pred, k)


class Accuracy(_BuiltinWrapper):
    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(_BuiltinWrapper):
    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(_BuiltinWrapper):
    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(_BuiltinWrapper):
    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(_BuiltinWrapper):
    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(_BuiltinWrapper):
    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        kwargs = {"k": k}
        if from_sorted_ids:
            kwargs["from_sorted_ids"] = True
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, **kwargs)
