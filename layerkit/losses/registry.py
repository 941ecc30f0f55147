"""`losses.get`, `serialize` and `deserialize`: names and configs to losses."""
import inspect

from layerkit.losses.classes import LOSS_CLASSES
from layerkit.losses.functions import LOSS_FUNCTIONS
from layerkit.losses.loss import Loss
from layerkit.utils.named_objects import deserialize_named, serialize_named

_MODULE = "keras.losses"


def _valid_names():
    return sorted(set(LOSS_FUNCTIONS) | (set(LOSS_CLASSES) - {"Loss", "LossFunctionWrapper"}))


def _unknown(identifier):
    return ValueError(
        f"Unknown loss function: {identifier!r}. Valid names are: "
        f"{', '.join(_valid_names())}; or pass a Loss instance or a callable "
        "f(y_true, y_pred).")


def _lookup(name, custom_objects=None):
    """A function, a class, or None for a name."""
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name in LOSS_FUNCTIONS:
        return LOSS_FUNCTIONS[name]
    return LOSS_CLASSES.get(name)


def serialize(loss):
    """A JSON-able description: a Keras 3 style dict for Loss objects and functions."""
    return serialize_named(loss, Loss, LOSS_CLASSES, _MODULE, "loss")


def deserialize(config, custom_objects=None):
    """The loss described by `config` (a name, or a dict from `serialize` or Keras 2's
    {'class_name', 'config'}); never runs code from the config."""
    return deserialize_named(config, _lookup, _unknown, "loss", custom_objects)


def get(identifier):
    """A loss from None, a name (function, alias or class name), a config dict, a
    Loss object or a callable. Class names give a default-configured instance."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")
