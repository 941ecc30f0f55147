"""`metrics.get`, `serialize` and `deserialize`: names and configs to metrics."""
import inspect

from layerkit.losses import functions as loss_functions
from layerkit.metrics import accuracy_metrics as acc
from layerkit.metrics import confusion_metrics as conf
from layerkit.metrics import hinge_metrics as hinge
from layerkit.metrics import probabilistic_metrics as prob
from layerkit.metrics import reduction_metrics as red
from layerkit.metrics import regression_metrics as reg
from layerkit.metrics.base_metric import Metric
from layerkit.utils.named_objects import deserialize_named, serialize_named

_MODULE = "keras.metrics"

# name -> function. The loss spellings (mse, mae, ...) give the loss functions,
# except cosine_similarity, which as a metric is positive.
METRIC_FUNCTIONS = dict(loss_functions.LOSS_FUNCTIONS)
METRIC_FUNCTIONS.update({
    "accuracy": acc.accuracy, "acc": acc.accuracy,
    "binary_accuracy": acc.binary_accuracy,
    "categorical_accuracy": acc.categorical_accuracy,
    "sparse_categorical_accuracy": acc.sparse_categorical_accuracy,
    "top_k_categorical_accuracy": acc.top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": acc.sparse_top_k_categorical_accuracy,
    "cosine_similarity": reg.cosine_similarity,
})

METRIC_CLASSES = {cls.__name__: cls for cls in (
    Metric, red.Mean, red.Sum, red.MeanMetricWrapper,
    acc.Accuracy, acc.BinaryAccuracy, acc.CategoricalAccuracy, acc.SparseCategoricalAccuracy,
    acc.TopKCategoricalAccuracy, acc.SparseTopKCategoricalAccuracy,
    conf.AUC, conf.Precision, conf.Recall, conf.TruePositives, conf.FalsePositives,
    conf.TrueNegatives, conf.FalseNegatives,
    reg.MeanSquaredError, reg.MeanAbsoluteError, reg.MeanAbsolutePercentageError,
    reg.MeanSquaredLogarithmicError, reg.RootMeanSquaredError, reg.CosineSimilarity,
    reg.LogCoshError,
    prob.BinaryCrossentropy, prob.CategoricalCrossentropy, prob.SparseCategoricalCrossentropy,
    prob.KLDivergence, prob.Poisson,
    hinge.Hinge, hinge.SquaredHinge, hinge.CategoricalHinge)}
_ABSTRACT = {"Metric", "MeanMetricWrapper"}


def _valid_names():
    return sorted(set(METRIC_FUNCTIONS) | (set(METRIC_CLASSES) - _ABSTRACT))


def _unknown(identifier):
    return ValueError(
        f"Unknown metric: {identifier!r}. Valid names are: {', '.join(_valid_names())} "
        "('accuracy'/'acc' and 'crossentropy'/'ce' in compile() follow the loss and the "
        "output shape); or pass a Metric instance or a callable f(y_true, y_pred).")


def _lookup(name, custom_objects=None):
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name in METRIC_FUNCTIONS:
        return METRIC_FUNCTIONS[name]
    return METRIC_CLASSES.get(name)


def get_function(identifier):
    """The function a name or a serialized function names (for MeanMetricWrapper)."""
    if isinstance(identifier, dict):
        identifier = identifier.get("config") if isinstance(identifier.get("config"), str) \
            else identifier.get("registered_name")
    fn = METRIC_FUNCTIONS.get(identifier)
    if fn is None:
        raise _unknown(identifier)
    return fn


def serialize(metric):
    """A JSON-able description: a Keras 3 style dict for Metric objects and functions."""
    return serialize_named(metric, Metric, METRIC_CLASSES, _MODULE, "metric")


def deserialize(config, custom_objects=None):
    """The metric described by `config` (a name or a config dict); never runs code
    from the config. Class names give instances, function names functions."""
    return deserialize_named(config, _lookup, _unknown, "metric", custom_objects)


def get(identifier):
    """A metric from None, a name, a config dict, a Metric or a callable: a function
    name gives the function, a class name a default-configured instance."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")
