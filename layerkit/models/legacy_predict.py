"""Keras 2's Sequential.predict_classes and predict_proba (Keras 3 removed them).

predict_classes: the argmax of the last axis, or `> 0.5` (int32, shape kept) when the
model ends in one unit (a sigmoid). predict_proba: predict, with a warning when a value
is outside [0, 1]. Both default to batch_size=32 and verbose=0, as in Keras 2."""
import warnings

import numpy as np


class LegacyPredictMethods:
    def predict_proba(self, x, batch_size=32, verbose=0):
        """The model's output read as probabilities (Keras 2)."""
        preds = self.predict(x, batch_size=batch_size, verbose=verbose)
        for array in (preds if isinstance(preds, list) else [preds]):
            if array.size and (array.min() < 0.0 or array.max() > 1.0):
                warnings.warn(f'predict_proba: model "{self.name}" returned values outside '
                              "[0, 1]; its last layer is probably not a softmax or sigmoid.")
        return preds

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Class indices: argmax over the last axis, or (p > 0.5) for one output unit."""
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if isinstance(proba, (list, dict)):
            raise ValueError(f'predict_classes: model "{self.name}" has several outputs; '
                             "call predict() and take the argmax of the output you mean.")
        if proba.ndim >= 2 and proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype(np.int32)
