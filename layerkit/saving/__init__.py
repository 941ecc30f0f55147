"""`layerkit.saving` (`keras.saving`): model files and the class registry.

Importing it registers the save/load functions with models/saving_hook.py, so
`model.save()` and friends reach them.
"""
from layerkit.config import SafeModeScope as SafeModeScope
from layerkit.layers.serialization import (deserialize_keras_object as deserialize_keras_object,
                                           serialize_keras_object as serialize_keras_object)
from layerkit.models.saving_hook import set_saving_hook as _set_saving_hook
from layerkit.saving.file_io import ModelFileError as ModelFileError
from layerkit.saving.saving_api import load_model as load_model
from layerkit.saving.saving_api import load_weights as load_weights
from layerkit.saving.saving_api import model_from_config as model_from_config
from layerkit.saving.saving_api import model_from_json as model_from_json
from layerkit.saving.saving_api import model_to_json as _model_to_json
from layerkit.saving.saving_api import save_model as save_model
from layerkit.saving.saving_api import save_weights as save_weights
from layerkit.utils.object_registry import (CustomObjectScope as CustomObjectScope,
                                            custom_object_scope as custom_object_scope,
                                            get_custom_objects as get_custom_objects,
                                            get_registered_name as get_registered_name,
                                            get_registered_object as get_registered_object,
                                            register_keras_serializable as register_keras_serializable)

_set_saving_hook(save_model=save_model, save_weights=save_weights, load_weights=load_weights,
                 model_to_json=_model_to_json, load_model=load_model,
                 model_from_json=model_from_json, model_from_config=model_from_config)
