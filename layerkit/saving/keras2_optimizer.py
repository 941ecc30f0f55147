"""Optimizer weights of a Keras 2 (tf.keras / tf_keras) .h5 file, matched by name.

Keras 2 names each slot after its variable and kind, in one of two spellings:
"Adam/m/dense/kernel:0" (tf_keras's optimizers since 2.11) or
"Adam/dense/kernel/m:0" (the legacy ones), and the legacy ones store all m slots
before all v slots. Position means nothing across these, so each slot is matched by
its variable's path and its kind, translated to layerkit's (Keras 3's) slot names.
The iteration counter is "iter:0" or "iteration:0"; the learning rate lives in the
optimizer's config, not among the weights.
"""
import warnings

import numpy as np

# Keras 2 slot kind -> layerkit slot name; per-optimizer exceptions below.
_KINDS = {"m": "momentum", "v": "velocity", "vhat": "velocity_hat", "momentum": "momentum",
          "rms": "velocity", "mg": "average_gradient", "accumulator": "accumulator",
          "accum_grad": "accumulated_grad", "accum_var": "accumulated_delta_var",
          "linear": "linear"}
_BY_OPTIMIZER = {"Adamax": {"v": "norm"}}
_ITERATIONS = ("iter", "iteration", "iterations")


def _parse(name):
    """(kind, variable path) of a Keras 2 slot name, ('iterations', None), or None."""
    parts = name[:-2].split("/") if name.endswith(":0") else name.split("/")
    if parts[-1] in _ITERATIONS:
        return "iterations", None
    rest = parts[1:] if len(parts) > 2 else parts
    if rest[0] in _KINDS:
        return rest[0], "/".join(rest[1:])
    if rest[-1] in _KINDS:
        return rest[-1], "/".join(rest[:-1])
    return None


def _owner(paths, stored_path):
    """The index of the trainable variable whose path is `stored_path` (or ends in it)."""
    for i, path in enumerate(paths):
        if path == stored_path or path.endswith("/" + stored_path):
            return i
    return None


def load_keras2_slots(optimizer, trainable_variables, names, values):
    """Assigns the file's slots to `optimizer` by name; returns how many matched."""
    kinds = dict(_KINDS, **_BY_OPTIMIZER.get(type(optimizer).__name__, {}))
    paths = [v.path for v in trainable_variables]
    slots = getattr(optimizer, "_slots", {})
    matched, unmatched = 0, []
    for name, value in zip(names, values):
        parsed = _parse(name)
        target = None
        if parsed is not None and parsed[0] == "iterations":
            target = optimizer.iterations
        elif parsed is not None:
            index = _owner(paths, parsed[1])
            column = slots.get(kinds[parsed[0]])
            if index is not None and column is not None and index < len(column):
                target = column[index]
        if target is None or tuple(np.shape(value)) != tuple(target.shape):
            unmatched.append(name)
            continue
        target.assign(np.asarray(value, dtype=target.dtype))
        matched += 1
    if unmatched:
        warnings.warn(f"{len(unmatched)} optimizer weight(s) of the file match no slot of "
                      f"the model's {type(optimizer).__name__} and were not loaded: "
                      f"{unmatched[:6]}{' …' if len(unmatched) > 6 else ''}", stacklevel=4)
    return matched
