"""Keras 2's `keras.wrappers.scikit_learn`: KerasClassifier and KerasRegressor.

`KerasClassifier(build_fn=fn, **sk_params)`: `fn(**params)` returns a compiled model;
sk_params are split by name between fn's arguments and those of Sequential.fit,
predict, predict_classes and evaluate (an argument none of them takes is an error at
construction, as in Keras 2). get_params/set_params expose them, so GridSearchCV and
cross_val_score can vary them. Behaviour follows Keras 2.2: the classifier maps any
labels to 0..n-1 (one-hot when the loss is categorical_crossentropy), predict returns
the labels, predict_proba two columns for one sigmoid unit, score the accuracy metric;
the regressor's score is minus the loss.
"""
import copy
import inspect

import numpy as np

from layerkit.wrappers.sklearn_base import (BaseEstimator, ClassifierMixin, RegressorMixin,
                                            check_compiled)


def _takes(fn, name):
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    p = params.get(name)
    return p is not None and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)


def _sequential_methods():
    from layerkit.models import Sequential
    return {"fit": Sequential.fit, "predict": Sequential.predict,
            "predict_classes": Sequential.predict_classes,
            "predict_proba": Sequential.predict_proba, "evaluate": Sequential.evaluate}


def _loss_name(model):
    loss = model.loss
    return getattr(loss, "__name__", loss)


class BaseWrapper(BaseEstimator):
    def __init__(self, build_fn=None, **sk_params):
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    def _build_target(self):
        if self.build_fn is None:
            return self.__call__
        if inspect.isfunction(self.build_fn) or inspect.ismethod(self.build_fn):
            return self.build_fn
        return self.build_fn.__call__

    def check_params(self, params):
        """Raises a ValueError for a parameter no wrapped function takes."""
        methods = _sequential_methods()
        targets = list(methods.values()) + [self._build_target()]
        for name in params:
            if not any(_takes(fn, name) for fn in targets):
                raise ValueError(f"{type(self).__name__}: {name!r} is not a legal parameter; "
                                 "it must be an argument of build_fn or of Sequential.fit, "
                                 "predict, predict_classes or evaluate.")

    def get_params(self, deep=True, **params):
        out = dict(self.sk_params)
        out["build_fn"] = self.build_fn
        return out

    def set_params(self, **params):
        self.check_params({k: v for k, v in params.items() if k != "build_fn"})
        if "build_fn" in params:
            self.build_fn = params.pop("build_fn")
        self.sk_params.update(params)
        return self

    def filter_sk_params(self, fn, override=None):
        """The sk_params that `fn` takes, updated with `override`."""
        out = {k: v for k, v in self.sk_params.items() if _takes(fn, k)}
        out.update(override or {})
        return out

    def fit(self, x, y, **kwargs):
        """Builds a new model with build_fn and fits it; returns the History."""
        builder = self.__call__ if self.build_fn is None else self.build_fn
        self.model = builder(**self.filter_sk_params(self._build_target()))
        check_compiled(self.model, type(self).__name__)
        y = self._targets_for_loss(np.asarray(y))
        fit_args = copy.deepcopy(self.filter_sk_params(_sequential_methods()["fit"]))
        fit_args.update(kwargs)
        return self.model.fit(x, y, **fit_args)

    def _targets_for_loss(self, y):
        if _loss_name(self.model) == "categorical_crossentropy" and y.ndim != 2:
            from layerkit.utils import to_categorical
            # As many columns as classes seen in fit, also for a fold that lacks one.
            return to_categorical(y, getattr(self, "n_classes_", None))
        return y

    def _check_fitted(self):
        if not hasattr(self, "model"):
            raise RuntimeError(f"{type(self).__name__}: call fit() before predicting or "
                               "scoring.")


class KerasClassifier(ClassifierMixin, BaseWrapper):
    """scikit-learn classifier around a Keras model (Keras 2's API)."""

    def fit(self, x, y, sample_weight=None, **kwargs):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1):
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, y)
        else:
            raise ValueError(f"KerasClassifier: invalid shape for y: {y.shape}; expected "
                             "labels (n,) or (n, 1), or one-hot targets (n, classes).")
        self.n_classes_ = len(self.classes_)
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        return super().fit(x, y, **kwargs)

    def predict(self, x, **kwargs):
        """The predicted labels (from classes_)."""
        self._check_fitted()
        kwargs = self.filter_sk_params(_sequential_methods()["predict_classes"], kwargs)
        proba = self.model.predict(x, **kwargs)
        if proba.shape[-1] > 1:
            classes = proba.argmax(axis=-1)
        else:
            classes = (proba > 0.5).astype("int32")
        return self.classes_[classes]

    def predict_proba(self, x, **kwargs):
        """Class probabilities, one column per class (two for one sigmoid unit)."""
        self._check_fitted()
        kwargs = self.filter_sk_params(_sequential_methods()["predict_proba"], kwargs)
        probs = self.model.predict(x, **kwargs)
        if probs.shape[1] == 1:
            probs = np.hstack([1 - probs, probs])
        return probs

    def score(self, x, y, **kwargs):
        """The model's accuracy metric on x, y (the model must be compiled with it)."""
        self._check_fitted()
        y = np.searchsorted(self.classes_, np.asarray(y))
        kwargs = self.filter_sk_params(_sequential_methods()["evaluate"], kwargs)
        y = self._targets_for_loss(y)
        outputs = self.model.evaluate(x, y, **kwargs)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        for name, value in zip(self.model.metrics_names, outputs):
            if name in ("accuracy", "acc"):
                return value
        raise ValueError("KerasClassifier.score: the model computes no accuracy; pass "
                         "`metrics=['accuracy']` to model.compile().")


class KerasRegressor(RegressorMixin, BaseWrapper):
    """scikit-learn regressor around a Keras model (Keras 2's API)."""

    def predict(self, x, **kwargs):
        self._check_fitted()
        kwargs = self.filter_sk_params(_sequential_methods()["predict"], kwargs)
        preds = np.asarray(self.model.predict(x, **kwargs))
        return np.squeeze(preds, axis=-1) if preds.shape[-1] == 1 else preds

    def score(self, x, y, **kwargs):
        """Minus the model's loss on x, y (larger is better, as scikit-learn wants)."""
        self._check_fitted()
        kwargs = self.filter_sk_params(_sequential_methods()["evaluate"], kwargs)
        loss = self.model.evaluate(x, y, **kwargs)
        return -loss[0] if isinstance(loss, list) else -loss
