"""Keras 1 keyword spellings that Keras 2 still accepted with a warning (`nb_epoch` in
fit; `samples_per_epoch`, `nb_val_samples`, `nb_worker`, `pickle_safe`, `max_q_size`
in the generator methods), kept beside the loop that takes them: training/ sits below
legacy/, so it cannot import from there."""
import warnings

# Keras 1 generator-method keyword -> Keras 2 name, as Keras 2 converted them.
_GENERATOR_RENAMES = {"samples_per_epoch": "steps_per_epoch", "nb_epoch": "epochs",
                      "nb_val_samples": "validation_steps", "nb_worker": "workers",
                      "pickle_safe": "use_multiprocessing", "max_q_size": "max_queue_size"}


def fit_legacy_keywords(kwargs, epochs):
    """Handles `nb_epoch` (Keras 1/2) and rejects anything else unknown."""
    if "nb_epoch" in kwargs:
        warnings.warn("fit: `nb_epoch` is the Keras 1 spelling of `epochs`; using it.")
        epochs = kwargs.pop("nb_epoch")
    if kwargs:
        raise TypeError(f"fit: unrecognized keyword argument(s) {sorted(kwargs)}.")
    return epochs


def generator_legacy_keywords(method, kwargs, accepted):
    """Keras 1 names of a generator method's arguments renamed to Keras 2's, with
    Keras 2's warning; `samples_per_epoch` keeps its value, as Keras 2 did, which now
    counts batches. Anything else unknown is rejected."""
    renamed = {}
    for key in list(kwargs):
        new = _GENERATOR_RENAMES.get(key)
        if new is None or new not in accepted:
            continue
        note = " (it now counts batches, not samples)" if key == "samples_per_epoch" else ""
        warnings.warn(f"{method}: `{key}` is the Keras 1 name of `{new}`; using it{note}.")
        renamed[new] = kwargs.pop(key)
    if kwargs:
        raise TypeError(f"{method}: unrecognized keyword argument(s) {sorted(kwargs)}.")
    return renamed
