"""Serializing a named object (loss, metric, …) to a name or a Keras 3 config dict,
and back, shared by the registries that look names up in their own tables."""
import inspect


def deserialize_named(config, lookup, unknown, kind, custom_objects=None):
    """`lookup(name, custom_objects)` finds a class or function; `unknown(name)`
    builds the error. Never runs code from the config."""
    if config is None:
        return None
    if isinstance(config, str):
        obj = lookup(config, custom_objects)
        if obj is None:
            raise unknown(config)
        return obj() if inspect.isclass(obj) else obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret {kind} config: {config!r}. Expected a name "
                         "or a dict with 'class_name' and 'config'.")
    class_name = config["class_name"]
    inner = config.get("config")
    if class_name == "function":
        name = inner if isinstance(inner, str) else config.get("registered_name")
        return deserialize_named(name, lookup, unknown, kind, custom_objects)
    obj = lookup(class_name, custom_objects)
    if obj is None and config.get("registered_name"):
        obj = lookup(config["registered_name"], custom_objects)
    if obj is None:
        raise unknown(class_name)
    if not inspect.isclass(obj):
        return obj
    if hasattr(obj, "from_config"):
        return obj.from_config(dict(inner or {}))
    return obj(**(inner or {}))


def serialize_named(obj, base_class, classes, module, kind):
    """A JSON-able description: a name stays a name; an instance of `base_class` gives
    a Keras 3 style dict (`classes`: the built-in ones by class name, living in
    `module`); a function gives its name."""
    if obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, base_class):
        cls = type(obj)
        builtin = classes.get(cls.__name__) is cls
        return {"module": module if builtin else cls.__module__,
                "class_name": cls.__name__, "config": obj.get_config(),
                "registered_name": None if builtin else cls.__name__}
    name = getattr(obj, "__name__", None)
    if callable(obj) and name:
        return {"module": module, "class_name": "function", "config": name,
                "registered_name": name}
    raise ValueError(f"Cannot serialize {kind} {obj!r}: expected a {base_class.__name__}, "
                     "a function or a name.")
