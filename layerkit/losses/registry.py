"""`losses.get`, `serialize` and `deserialize`: names and configs to losses."""
import inspect

from layerkit.losses.classes import LOSS_CLASSES
from layerkit.losses.functions import LOSS_FUNCTIONS
from layerkit.losses.loss import Loss

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
    if loss is None or isinstance(loss, str):
        return loss
    if isinstance(loss, Loss):
        cls = type(loss)
        builtin = LOSS_CLASSES.get(cls.__name__) is cls
        return {"module": _MODULE if builtin else cls.__module__,
                "class_name": cls.__name__, "config": loss.get_config(),
                "registered_name": None if builtin else cls.__name__}
    name = getattr(loss, "__name__", None)
    if callable(loss) and name:
        return {"module": _MODULE, "class_name": "function", "config": name,
                "registered_name": name}
    raise ValueError(f"Cannot serialize loss {loss!r}: expected a Loss, a function or a name.")


def deserialize(config, custom_objects=None):
    """The loss described by `config` (a name, or a dict from `serialize` or Keras 2's
    {'class_name', 'config'}); never runs code from the config."""
    if config is None:
        return None
    if isinstance(config, str):
        obj = _lookup(config, custom_objects)
        if obj is None:
            raise _unknown(config)
        return obj() if inspect.isclass(obj) else obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret loss config: {config!r}. Expected a name or "
                         "a dict with 'class_name' and 'config'.")
    class_name = config["class_name"]
    inner = config.get("config")
    if class_name == "function":
        return deserialize(inner if isinstance(inner, str) else config.get("registered_name"),
                           custom_objects)
    obj = _lookup(class_name, custom_objects)
    if obj is None and config.get("registered_name"):
        obj = _lookup(config["registered_name"], custom_objects)
    if obj is None:
        raise _unknown(class_name)
    if not inspect.isclass(obj):
        return obj
    if hasattr(obj, "from_config"):
        return obj.from_config(dict(inner or {}))
    return obj(**(inner or {}))


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
