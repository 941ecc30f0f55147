"""Name lookup and (de)serialization shared by initializers, regularizers and
constraints."""
import inspect

from layerkit.utils.object_registry import get_registered_object


class Registry:
    """Name lookup and (de)serialization for one family of objects.

    Shared by initializers, regularizers and constraints: `find` resolves a name
    (custom objects, a custom_object_scope or a registered object first, then the
    built-ins); `serialize` gives Keras 3's dict form; `deserialize` reads Keras 2
    and 3 forms.
    """

    def __init__(self, kind, module, lookup, base, get_hint=""):
        self.kind, self.module, self.lookup, self.base = kind, module, lookup, base
        self.get_hint = get_hint    # what `get` adds to its error

    def get(self, identifier):
        """An object from None, a name, a config dict, a class (instantiated), an
        instance or a callable."""
        if identifier is None:
            return None
        if isinstance(identifier, (dict, str)):
            return self.deserialize(identifier)
        if inspect.isclass(identifier):
            return identifier()
        if callable(identifier):
            return identifier
        raise ValueError(f"Could not interpret {self.kind} identifier: {identifier!r}."
                         + (f" {self.get_hint}" if self.get_hint else ""))

    def find(self, name, custom_objects=None):
        obj = _registered_custom_object(name, custom_objects)
        if obj is None:
            obj = self.lookup.get(name)
        if obj is None:
            raise ValueError(
                f"Unknown {self.kind}: {name!r}. Valid {self.kind}s are: "
                f"{', '.join(sorted(self.lookup))}. A custom {self.kind} can be passed as "
                f"an instance, a callable, or through `custom_objects`.")
        return obj

    def serialize(self, obj):
        if obj is None:
            return None
        if isinstance(obj, self.base):
            cls = type(obj)
            builtin = self.lookup.get(cls.__name__) is cls
            return {"module": self.module if builtin else cls.__module__,
                    "class_name": cls.__name__, "config": obj.get_config(),
                    "registered_name": None if builtin else _registered_name(cls)}
        if callable(obj):
            return _registered_name(obj)
        raise ValueError(f"Cannot serialize {obj!r}: it is not a {self.kind}.")

    def deserialize(self, config, custom_objects=None):
        if config is None:
            return None
        if isinstance(config, str):
            obj = self.find(config, custom_objects)
            return obj() if inspect.isclass(obj) else obj
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(f"Cannot deserialize a {self.kind} from {config!r}: expected a "
                             f"name or a dict with 'class_name' and 'config'.")
        try:
            obj = self.find(config.get("registered_name") or config["class_name"], custom_objects)
        except ValueError:
            obj = self.find(config["class_name"], custom_objects)
        if not inspect.isclass(obj):
            return obj
        kwargs = dict(config.get("config") or {})
        return obj.from_config(kwargs) if hasattr(obj, "from_config") else obj(**kwargs)


def _registered_custom_object(name, custom_objects=None):
    """`name` in custom_objects, an active custom_object_scope, or the objects
    registered with `register_keras_serializable` ('package>name' or bare name)."""
    return get_registered_object(name, custom_objects)


def _registered_name(obj):
    name = getattr(obj, "_registered_name", None)
    return name or getattr(obj, "__name__", None) or type(obj).__name__
