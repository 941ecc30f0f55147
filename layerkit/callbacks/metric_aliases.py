"""Keras 2's and Keras 3's accuracy names as aliases in callback arguments.

Keras 2 logged `acc`/`val_acc`, Keras 3 logs `accuracy`/`val_accuracy`; the log key
follows what the user passed to compile(). A callback's `monitor` or a checkpoint
file name written for either spelling finds the other: 'weights.{val_acc:.2f}.hdf5'
works with metrics=['accuracy'], and monitor='val_accuracy' with metrics=['acc'].
"""


def _other_spelling(key):
    if key.endswith("accuracy"):
        return key[:-len("accuracy")] + "acc"
    if key.endswith("acc"):
        return key + "uracy"
    return None


def with_aliases(logs):
    """`logs` plus the other spelling of each accuracy key (never overriding a key)."""
    out = dict(logs or {})
    for key, value in list(out.items()):
        other = _other_spelling(key)
        if other is not None and other not in out:
            out[other] = value
    return out


def lookup(logs, key):
    """logs[key], or the value under the other spelling of an accuracy key; None if absent."""
    logs = logs or {}
    if key in logs:
        return logs[key]
    other = _other_spelling(key)
    return logs.get(other) if other is not None else None


def maximizes(monitor):
    """Whether mode='auto' means 'max' for `monitor`: accuracy-like and other
    higher-is-better names (Keras 2's rule: 'acc' in the name, or fmeasure), AUC,
    precision and recall."""
    name = monitor[4:] if monitor.startswith("val_") else monitor
    return "acc" in name or name.startswith(("fmeasure", "auc", "precision", "recall"))
