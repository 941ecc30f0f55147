"""What both scikit-learn wrapper families share: scikit-learn's base classes when it
is installed (plain stand-ins when it is not, so importing never fails) and a clone
of a compiled model."""
try:
    import sklearn
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
except ImportError:  # scikit-learn is an optional extra
    sklearn = None

    class BaseEstimator:
        pass

    class ClassifierMixin:
        pass

    class RegressorMixin:
        pass

    class TransformerMixin:
        pass


def require_sklearn(who):
    if sklearn is None:
        raise ImportError(f"{who} needs scikit-learn: pip install scikit-learn "
                          "(or layerkit's `sklearn` extra).")


def clone_compiled_model(model):
    """A new model with `model`'s architecture and fresh weights, compiled as `model`
    was (optimizer from its config, same loss and metrics)."""
    from layerkit import optimizers
    from layerkit.config import SafeModeScope
    with SafeModeScope(False):      # a live model's config: its lambdas may be rebuilt
        clone = type(model).from_config(model.get_config())
    if getattr(model, "compiled", False):
        args = model._compile_args
        optimizer = optimizers.deserialize(optimizers.serialize(model.optimizer))
        clone.compile(optimizer=optimizer, loss=args["loss"], metrics=args["metrics"],
                      loss_weights=args["loss_weights"],
                      weighted_metrics=args["weighted_metrics"])
    return clone


def check_compiled(model, who):
    if not getattr(model, "compiled", False) or model.loss is None or model.optimizer is None:
        raise RuntimeError(f"{who}: the model must be compiled with a loss and an optimizer "
                           "before fitting (call model.compile(optimizer, loss) in the "
                           "function that builds it).")
