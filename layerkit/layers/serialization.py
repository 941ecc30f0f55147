"""serialize_keras_object / deserialize_keras_object for layers and models.

A config names a class; the class is looked up in custom_objects, the
registry, then layerkit's own layers and models (which register themselves in
utils/object_registry.py when imported). Nothing from the config is ever executed
as code. Public as `layerkit.saving.serialize_keras_object` and friends.
"""
from layerkit.utils.object_registry import (get_builtin_class, get_registered_name,
                                            get_registered_object)


def serialize_keras_object(obj):
    if obj is None:
        return None
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize {obj!r}: it has no get_config().")
    return {"module": type(obj).__module__, "class_name": type(obj).__name__,
            "config": obj.get_config(), "registered_name": get_registered_name(type(obj))}


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
        raise ValueError(f"Unknown layer or model class {class_name!r} in the config. If it is "
                         "your own class, pass it in custom_objects or decorate it with "
                         "@layerkit.saving.register_keras_serializable().")
    inner = config.get("config", {})
    from_config = getattr(cls, "from_config")
    try:
        return from_config(inner, custom_objects=custom_objects)
    except TypeError as e:
        if "custom_objects" not in str(e):
            raise
        return from_config(inner)
