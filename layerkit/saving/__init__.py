"""`layerkit.saving`: the class registry and config (de)serialization."""
from layerkit.layers.serialization import (deserialize_keras_object as deserialize_keras_object,
                                           serialize_keras_object as serialize_keras_object)
from layerkit.utils.object_registry import (CustomObjectScope as CustomObjectScope,
                                            custom_object_scope as custom_object_scope,
                                            get_custom_objects as get_custom_objects,
                                            get_registered_name as get_registered_name,
                                            get_registered_object as get_registered_object,
                                            register_keras_serializable as register_keras_serializable)
