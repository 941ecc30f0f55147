"""`layerkit.models`: Model, Sequential and the functional API."""
from layerkit.models.model import Model
from layerkit.models.functional import Functional
from layerkit.models.sequential import Sequential
from layerkit.models.cloning import clone_model
from layerkit.models.saving_hook import (load_model, model_from_config, model_from_json,
                                         save_model)
from layerkit.utils.object_registry import register_builtin_classes as _register

# A config naming "Model" is a functional graph.
_register({"Model": Functional})

__all__ = ["Model", "Functional", "Sequential", "clone_model", "load_model", "save_model",
           "model_from_json", "model_from_config"]
