"""Keras 2 keyword spellings of fit() (`nb_epoch`), kept beside the loop that takes
them: training/ sits below legacy/, so it cannot import from there."""
import warnings


def fit_legacy_keywords(kwargs, epochs):
    """Handles `nb_epoch` (Keras 1/2) and rejects anything else unknown."""
    if "nb_epoch" in kwargs:
        warnings.warn("fit: `nb_epoch` is the Keras 1 spelling of `epochs`; using it.")
        epochs = kwargs.pop("nb_epoch")
    if kwargs:
        raise TypeError(f"fit: unrecognized keyword argument(s) {sorted(kwargs)}.")
    return epochs
