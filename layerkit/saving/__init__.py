"""`layerkit.saving`: the class registry and config (de)serialization."""
from layerkit.saving.registry import (CustomObjectScope, custom_object_scope,
                                      get_custom_objects, get_registered_name,
                                      get_registered_object, register_keras_serializable)
from layerkit.saving.serialization import deserialize_keras_object, serialize_keras_object
