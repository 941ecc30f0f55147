"""Integer class labels checked against the number of classes, on the host, before a
step: a sparse categorical loss or metric would otherwise train silently on a label
outside [0, num_classes) (JAX's gather clamps it, one_hot gives a zero row)."""
import numpy as np

from layerkit.utils.tree import flatten

# The functions behind sparse categorical losses and metrics (Keras's names).
_SPARSE = ("sparse_categorical_crossentropy", "sparse_categorical_accuracy",
           "sparse_top_k_categorical_accuracy")


def _sparse_name(obj):
    fn = getattr(obj, "fn", None)
    name = getattr(fn, "__name__", None) or getattr(obj, "__name__", None)
    return name if name in _SPARSE else None


def sparse_label_checks(model, y_pred_spec):
    """[(output index, output name, num_classes, what, ignore_class)] for every output
    that a sparse categorical loss or metric reads, with a known number of classes."""
    preds = flatten(y_pred_spec)
    names = model.compiled_metrics.output_names if model.compiled_metrics is not None \
        else [f"output_{i + 1}" for i in range(len(preds))]
    users = []
    if model.compiled_loss is not None:
        users += list(enumerate(model.compiled_loss.loss_fns))
    if model.compiled_metrics is not None:
        users += [(i, m) for i, m, _ in model.compiled_metrics.metrics]
    checks = []
    for i, obj in users:
        what = _sparse_name(obj)
        if what is None or i >= len(preds) or not preds[i].shape:
            continue
        classes = preds[i].shape[-1]
        if classes is None or classes < 2:
            continue
        kwargs = getattr(obj, "_fn_kwargs", None) or {}
        checks.append((i, names[i] if i < len(names) else f"output_{i + 1}", int(classes),
                       what, kwargs.get("ignore_class")))
    return checks


def check_labels(checks, y, output_names):
    """Raises a ValueError naming the offending label and the number of classes."""
    if not checks or y is None:
        return
    if isinstance(y, dict):
        targets = [y.get(n) for n in output_names]
    elif isinstance(y, (list, tuple)) and len(output_names) > 1:
        targets = list(y)
    else:
        targets = [y]
    for i, name, classes, what, ignore in checks:
        if i >= len(targets) or targets[i] is None:
            continue
        labels = np.asarray(targets[i])
        if labels.dtype.kind not in "iuf" or labels.size == 0:
            continue
        if ignore is not None:
            labels = labels[labels != ignore]
            if labels.size == 0:
                continue
        high, low = labels.max(), labels.min()
        if high >= classes:
            bad, which = high, "the largest"
        elif low < 0:
            bad, which = low, "the smallest"
        else:
            continue
        bad = int(bad) if float(bad).is_integer() else float(bad)
        raise ValueError(
            f'{what}: the targets for output "{name}" hold class label {bad} ({which} '
            f"label), but the output has {classes} classes, so labels must be "
            f"integers in [0, {classes}). Check the labels, or give the output layer more "
            "units.")
