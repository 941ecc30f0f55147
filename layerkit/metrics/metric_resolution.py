"""Which accuracy (or crossentropy) the strings 'accuracy'/'acc'/'crossentropy'/'ce'
mean for a given loss and output, as Keras decides it in compile()."""
from layerkit.losses import functions as loss_functions
from layerkit.metrics import accuracy_metrics as acc

ACCURACY_NAMES = ("accuracy", "acc")
CROSSENTROPY_NAMES = ("crossentropy", "ce")


def _loss_kind(loss_fn):
    """'binary', 'sparse' or None for a loss given as a name, function or Loss."""
    if loss_fn is None:
        return None
    if isinstance(loss_fn, str):
        from layerkit.losses import registry
        try:
            loss_fn = registry.get(loss_fn)
        except ValueError:
            return None
    from layerkit.losses import classes
    if isinstance(loss_fn, classes.BinaryCrossentropy):
        return "binary"
    if isinstance(loss_fn, classes.SparseCategoricalCrossentropy):
        return "sparse"
    fn = getattr(loss_fn, "fn", loss_fn)
    if fn is loss_functions.binary_crossentropy:
        return "binary"
    if fn is loss_functions.sparse_categorical_crossentropy:
        return "sparse"
    return None


def _kind(loss_fn, y_true_shape, y_pred_shape):
    kind = _loss_kind(loss_fn)
    if kind == "binary":
        return "binary"
    y_pred_shape = tuple(y_pred_shape) if y_pred_shape is not None else None
    y_true_shape = tuple(y_true_shape) if y_true_shape is not None else None
    p_last = y_pred_shape[-1] if y_pred_shape else None
    if p_last == 1:
        return "binary"
    if kind == "sparse":
        return "sparse"
    if y_true_shape is not None and y_pred_shape is not None:
        if len(y_true_shape) < len(y_pred_shape):
            return "sparse"
        t_last = y_true_shape[-1] if y_true_shape else None
        if len(y_true_shape) == len(y_pred_shape) and t_last == 1 and (
                p_last is None or p_last > 1):
            return "sparse"
    return "categorical"


def resolve_accuracy(name, loss_fn=None, y_true_shape=None, y_pred_shape=None):
    """The function a metric string stands for.

    'accuracy'/'acc' -> binary_accuracy if the loss is binary_crossentropy or the
    output's last dim is 1; sparse_categorical_accuracy if the loss is
    sparse_categorical_crossentropy or y_true has a lower rank than y_pred (or a
    last dim of 1 where y_pred's is > 1); else categorical_accuracy.
    'crossentropy'/'ce' -> the matching crossentropy the same way. Any other name
    resolves through `metrics.get`.
    """
    key = str(name).lower() if isinstance(name, str) else name
    if key in ACCURACY_NAMES:
        return {"binary": acc.binary_accuracy, "sparse": acc.sparse_categorical_accuracy,
                "categorical": acc.categorical_accuracy}[
                    _kind(loss_fn, y_true_shape, y_pred_shape)]
    if key in CROSSENTROPY_NAMES:
        return {"binary": loss_functions.binary_crossentropy,
                "sparse": loss_functions.sparse_categorical_crossentropy,
                "categorical": loss_functions.categorical_crossentropy}[
                    _kind(loss_fn, y_true_shape, y_pred_shape)]
    from layerkit.metrics.registry import get
    return get(name)
