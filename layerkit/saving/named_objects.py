"""Deserializing a named object (loss, metric, …) from a name or a config dict,
shared by the registries that look names up in their own tables."""
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
