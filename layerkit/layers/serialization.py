"""serialize_keras_object / deserialize_keras_object for layers and models.

A config names a class; the class is looked up in custom_objects, the
registry, then layerkit's own layers and models (which register themselves in
utils/object_registry.py when imported). Nothing from the config is executed as
code, except a function stored as bytecode, which its layer rebuilds only outside
safe mode (function_code.py). Public as `layerkit.saving.serialize_keras_object` and friends.

Configs record Keras's public module names ("keras.layers", "keras"), never
layerkit's own modules, so a file written on one engine loads on the other and in
real Keras; a user class keeps its own module and registered name.
"""
from layerkit.utils.object_registry import (get_builtin_class, get_registered_name,
                                            get_registered_object)

# Keras's module for layerkit's classes whose module is not "keras.layers".
_KERAS_MODULES = {"Sequential": "keras", "Model": "keras",
                  "Functional": "keras.src.models.functional"}


def _is_builtin(cls):
    return cls.__module__.startswith("layerkit.") and \
        get_builtin_class(cls.__name__) is cls and not getattr(cls, "_registered_name", None)


def keras_module_of(cls):
    """The module name a config records for `cls`."""
    if not _is_builtin(cls):
        return cls.__module__
    if cls.__name__ in _KERAS_MODULES:
        return _KERAS_MODULES[cls.__name__]
    return "keras.models" if cls.__module__.startswith("layerkit.models") else "keras.layers"


def serialize_keras_object(obj):
    if obj is None:
        return None
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize {obj!r}: it has no get_config().")
    cls = type(obj)
    return {"module": keras_module_of(cls), "class_name": cls.__name__,
            "config": obj.get_config(),
            "registered_name": None if _is_builtin(cls) else get_registered_name(cls)}


def deserialize_keras_object(config, custom_objects=None):
    if config is None:
        return None
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"deserialize_keras_object: expected a dict with 'class_name' and "
                         f"'config', received {config!r:.120}")
    class_name = config["class_name"]
    cls = get_registered_object(config.get("registered_name") or class_name, custom_objects)
    if cls is None:
        cls = get_registered_object(class_name, custom_objects)
    if cls is None:
        cls = get_builtin_class(class_name)
    if cls is None:
        module = config.get("module")
        where = f" (module {module!r})" if module and not str(module).startswith("keras") \
            else ""
        hint = f"import {module} before loading, " if where and module != "__main__" else ""
        raise ValueError(f"Unknown layer or model class {class_name!r}{where} in the config. "
                         f"If it is your own class, {hint}pass it in "
                         f"custom_objects={{'{class_name}': {class_name}}} or decorate it with "
                         "@layerkit.saving.register_keras_serializable().")
    inner = config.get("config", {})
    from_config = getattr(cls, "from_config")
    try:
        return from_config(inner, custom_objects=custom_objects)
    except TypeError as e:
        if "custom_objects" not in str(e):
            raise
        return from_config(inner)
