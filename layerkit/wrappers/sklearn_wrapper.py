"""Keras 3's scikit-learn wrappers: SKLearnClassifier, SKLearnRegressor and
SKLearnTransformer, estimators usable in Pipeline, GridSearchCV and cross_val_score.

`model` is a compiled Model (cloned with fresh weights for each fit unless
warm_start=True) or a callable `model(X=..., y=..., **model_kwargs)` returning one.
The classifier one-hot encodes the labels (any labels: strings, ints) for training and
maps the outputs' argmax back to them; the regressor squeezes a target of one column
back to 1-D as it came."""
import numpy as np

from layerkit.wrappers.sklearn_base import (BaseEstimator, ClassifierMixin, RegressorMixin,
                                            TransformerMixin, check_compiled,
                                            clone_compiled_model, require_sklearn, sklearn)


def _validate(estimator, X, y=None, reset=True):
    try:
        from sklearn.utils.validation import validate_data
    except ImportError:  # scikit-learn < 1.6
        validate_data = type(estimator)._validate_data
    if y is None:
        return validate_data(estimator, X, reset=reset)
    return validate_data(estimator, X, y, reset=reset)


class SKLBase(BaseEstimator):
    """The shared estimator: fit, predict and the fitted `model_` and `history_`."""

    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None):
        require_sklearn(type(self).__name__)
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags

    def _get_model(self, X, y):
        if self.warm_start and hasattr(self, "model_"):
            return self.model_
        if callable(self.model) and not hasattr(self.model, "fit"):
            return self.model(X=X, y=y, **(self.model_kwargs or {}))
        if hasattr(self.model, "fit") and hasattr(self.model, "get_config"):
            return self.model if self.warm_start else clone_compiled_model(self.model)
        raise TypeError(f"{type(self).__name__}: `model` must be a compiled Model or a "
                        f"function returning one; received {type(self.model).__name__}.")

    def fit(self, X, y, **kwargs):
        """Fits a (new) model on X, y; kwargs go to model.fit over `fit_kwargs`."""
        X, y = _validate(self, X, y)
        y = self._process_target(y, reset=True)
        model = self._get_model(X, y)
        check_compiled(model, type(self).__name__)
        fit_kwargs = dict(self.fit_kwargs or {})
        fit_kwargs.update(kwargs)
        self.history_ = model.fit(X, y, **fit_kwargs)
        self.model_ = model
        return self

    def _raw_predict(self, X):
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self)
        X = _validate(self, X, reset=False)
        return self.model_.predict(X)

    def predict(self, X):
        return self._reverse_process_target(self._raw_predict(X))

    def _process_target(self, y, reset=False):
        y = np.asarray(y)
        if reset:
            self.target_ndim_ = y.ndim
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def _reverse_process_target(self, y):
        if self.target_ndim_ == 1 and y.ndim == 2 and y.shape[1] == 1:
            return y[:, 0]
        return y


class SKLearnClassifier(ClassifierMixin, SKLBase):
    """A classifier: `classes_` holds the labels seen in fit, predict returns them."""

    def _process_target(self, y, reset=False):
        from sklearn.utils.multiclass import type_of_target
        kind = type_of_target(y)
        if kind not in ("binary", "multiclass"):
            raise ValueError(f"SKLearnClassifier: only binary and multiclass targets are "
                             f"supported; received a {kind!r} target.")
        y = np.asarray(y)
        if reset:
            self.target_ndim_ = y.ndim
            self.classes_ = np.unique(y)
            if len(self.classes_) == 1:
                raise ValueError("SKLearnClassifier: the target holds one class only; a "
                                 "classifier needs at least two.")
        flat = y.reshape(-1)
        index = np.searchsorted(self.classes_, flat)
        index = np.clip(index, 0, len(self.classes_) - 1)
        if np.any(self.classes_[index] != flat):
            raise ValueError(f"SKLearnClassifier: labels {sorted(set(flat) - set(self.classes_))} "
                             "were not seen in fit.")
        return np.eye(len(self.classes_), dtype="float32")[index]

    def _reverse_process_target(self, y):
        return self.classes_[np.asarray(y).argmax(axis=-1)]

    def decision_function(self, X):
        """The model's raw outputs (one column per class)."""
        return self._raw_predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags


class SKLearnRegressor(RegressorMixin, SKLBase):
    """A regressor: predict returns the model's outputs (1-D for a 1-D target)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        return tags


class SKLearnTransformer(TransformerMixin, SKLBase):
    """A transformer: transform(X) is the model's output (an embedding, say)."""

    def transform(self, X):
        return self._raw_predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags


__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer", "sklearn"]
