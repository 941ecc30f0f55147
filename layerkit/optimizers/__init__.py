"""`layerkit.optimizers`: Keras's optimizers, `get`, `serialize`, `deserialize`."""
from layerkit.optimizers import schedules as schedules
from layerkit.optimizers.adadelta import Adadelta as Adadelta
from layerkit.optimizers.adagrad import Adagrad as Adagrad
from layerkit.optimizers.adam import Adam as Adam
from layerkit.optimizers.adam import AdamW as AdamW
from layerkit.optimizers.adamax import Adamax as Adamax
from layerkit.optimizers.base_optimizer import Optimizer as Optimizer
from layerkit.optimizers.ftrl import Ftrl as Ftrl
from layerkit.optimizers.lion import Lion as Lion
from layerkit.optimizers.loss_scale_optimizer import LossScaleOptimizer as LossScaleOptimizer
from layerkit.optimizers.nadam import Nadam as Nadam
from layerkit.optimizers.rmsprop import RMSprop as RMSprop
from layerkit.optimizers.sgd import SGD as SGD

# Keras 2's lowercase aliases (`keras.optimizers.adam(lr=...)`).
sgd, rmsprop, adam, adamax, nadam, adagrad, adadelta = (
    SGD, RMSprop, Adam, Adamax, Nadam, Adagrad, Adadelta)

_BY_NAME = {cls.__name__.lower(): cls for cls in (
    SGD, RMSprop, Adam, AdamW, Adamax, Nadam, Adagrad, Adadelta, Ftrl, Lion)}


def _valid_names():
    return ", ".join(repr(n) for n in _BY_NAME)


def serialize(optimizer):
    """A JSON-ready dict for an optimizer, in Keras 3's layout."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"serialize expects an Optimizer, received {optimizer!r}.")
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """An optimizer from `serialize`'s dict (Keras 2's {'class_name', 'config'} too)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not deserialize an optimizer from {config!r}: expected a "
                         "dict with 'class_name' and 'config'.")
    name = config["class_name"]
    cls = None
    for key in (config.get("registered_name"), name):
        if key and custom_objects and key in custom_objects:
            cls = custom_objects[key]
            break
    if cls is None:
        cls = _BY_NAME.get(str(name).lower())
    if cls is None and name == "LossScaleOptimizer":
        cls = LossScaleOptimizer
    if cls is None:
        raise ValueError(f"Unknown optimizer {name!r}. Valid names: {_valid_names()}; pass "
                         "custom optimizers in `custom_objects`.")
    return cls.from_config(dict(config.get("config") or {}), custom_objects=custom_objects) \
        if issubclass(cls, Optimizer) else cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """An optimizer from a name ('sgd', 'Adam' …), a config dict or an instance."""
    if identifier is None:
        return None
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Unknown optimizer: {identifier!r}. Valid names: "
                             f"{_valid_names()}.")
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. Pass an "
                     f"Optimizer instance, a config dict or one of {_valid_names()}.")


__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adamax", "Nadam", "Adagrad",
           "Adadelta", "Ftrl", "Lion", "LossScaleOptimizer", "schedules", "get", "serialize",
           "deserialize"]
