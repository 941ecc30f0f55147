"""The registry of the classes and functions that configs may name.

User objects (`register_keras_serializable`, `custom_object_scope`, custom_objects)
and layerkit's own classes: the upper floors (layers, models) register theirs at
import, so a lower floor (activations, initializers) can resolve a class name in a
config without importing the floors above it.

Public as `layerkit.saving.register_keras_serializable` and friends.
"""
import threading

_GLOBAL_CUSTOM_OBJECTS = {}
_SCOPE = threading.local()


def register_keras_serializable(package="Custom", name=None):
    """Decorator: lets configs refer to a user class or function as 'package>name'."""
    def decorator(obj):
        key = f"{package}>{name or obj.__name__}"
        if not callable(obj):
            raise ValueError(f"register_keras_serializable: {obj!r} is not a class or function.")
        _GLOBAL_CUSTOM_OBJECTS[key] = obj
        obj._registered_name = key
        return obj
    return decorator


def get_registered_name(obj):
    return getattr(obj, "_registered_name", None) or getattr(obj, "__name__", type(obj).__name__)


def _scoped():
    return getattr(_SCOPE, "stack", [])


def get_registered_object(name, custom_objects=None, module_objects=None):
    for table in [custom_objects or {}] + list(reversed(_scoped())) + [_GLOBAL_CUSTOM_OBJECTS]:
        if name in table:
            return table[name]
    # A bare name also finds 'package>name'.
    for key, obj in _GLOBAL_CUSTOM_OBJECTS.items():
        if key.split(">", 1)[-1] == name:
            return obj
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


def get_custom_objects():
    return _GLOBAL_CUSTOM_OBJECTS


class CustomObjectScope:
    """`with custom_object_scope({'MyLayer': MyLayer}):` makes names resolvable inside."""

    def __init__(self, *tables):
        self.table = {}
        for t in tables:
            self.table.update(t or {})

    def __enter__(self):
        if not hasattr(_SCOPE, "stack"):
            _SCOPE.stack = []
        _SCOPE.stack.append(self.table)
        return self

    def __exit__(self, *exc):
        _SCOPE.stack.pop()
        return False


custom_object_scope = CustomObjectScope


# layerkit's own classes by name (layers, models), registered by their packages.
_BUILTIN_CLASSES = {}


def register_builtin_classes(namespace):
    """Makes every class in `namespace` (a module's or a dict's items) resolvable by its
    name in configs; later registrations win (models' `Model` over layers')."""
    items = namespace.items() if isinstance(namespace, dict) else vars(namespace).items()
    for name, value in items:
        if isinstance(value, type) and not name.startswith("_"):
            _BUILTIN_CLASSES[name] = value


def get_builtin_class(name):
    """The layerkit class registered under `name`, or None."""
    return _BUILTIN_CLASSES.get(name)
