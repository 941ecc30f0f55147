"""Log keys as a user names them: Keras 2's `acc`/`val_acc` and Keras 3's
`accuracy`/`val_accuracy` are the same quantity, whichever spelling the model logs.

`find_log_key` is what `monitor=` of EarlyStopping, ReduceLROnPlateau and
ModelCheckpoint (and its file-name fields) use to find a value in the epoch logs.
"""
__all__ = ["aliases_of", "find_log_key", "lookup", "with_aliases", "direction_of"]

# Name endings that mean "higher is better" (Keras 2 tested for 'acc' in the name;
# Keras 3 asks the metric object; these are the metrics Keras 3 marks "up").
_UP_ENDINGS = ("acc", "accuracy", "auc", "precision", "recall", "f1_score", "fbeta_score",
               "iou", "r2_score", "true_positives", "true_negatives", "at_recall",
               "at_precision", "at_sensitivity", "at_specificity", "fmeasure",
               "cosine_similarity")
# Endings that mean "lower is better"; anything else is unknown.
_DOWN_ENDINGS = ("loss", "error", "crossentropy", "hinge", "divergence", "poisson",
                 "cosine_similarity_loss", "logcosh", "log_cosh", "mae", "mse", "mape",
                 "msle", "false_positives", "false_negatives", "squared_hinge", "huber")


def aliases_of(key):
    """The spellings of `key` to try, `key` first: 'val_acc' -> ['val_acc',
    'val_accuracy']; 'out_accuracy' -> ['out_accuracy', 'out_acc']."""
    names = [key]
    if key == "acc" or key.endswith("_acc"):
        names.append(key + "uracy")
    elif key == "accuracy" or key.endswith("_accuracy"):
        names.append(key[: -len("uracy")])
    return names


def find_log_key(logs, key):
    """The key under which `logs` holds the quantity named `key`, or None."""
    if not logs:
        return None
    for name in aliases_of(key):
        if name in logs:
            return name
    return None


def lookup(logs, key):
    """The value `logs` holds for `key` under either spelling, or None."""
    name = find_log_key(logs, key)
    return None if name is None else logs[name]


def with_aliases(logs):
    """`logs` plus the other spelling of each accuracy key (never overriding a key), so
    a file name written with either spelling formats ('weights.{val_acc:.2f}.hdf5')."""
    out = dict(logs or {})
    for key, value in list(out.items()):
        for other in aliases_of(key)[1:]:
            out.setdefault(other, value)
    return out


def direction_of(key):
    """'max', 'min' or None (unknown) for a log key, from its name."""
    name = key[4:] if key.startswith("val_") else key
    if name.endswith(_DOWN_ENDINGS):
        return "min"
    if name.endswith(_UP_ENDINGS):
        return "max"
    return None
