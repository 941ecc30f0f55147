"""The whole-model config a file stores (Keras 3's config.json), and the model back.

The config is serialize_keras_object(model) (Keras's module names) plus
"build_config" (the input shape a subclassed model is built with before its
weights load) and "compile_config". Reading it goes through keras_config.py
(dtype policies, Keras-only keywords) first, and runs in a SafeModeScope: a layer
holding a function's bytecode rebuilds it only with safe_mode=False (or where
layerkit.config.enable_unsafe_deserialization() or an outer SafeModeScope(False) has
turned safe mode off, which wins over the argument, as in Keras 3's .keras loading).
"""
from layerkit import config as lk_config
from layerkit.layers.serialization import deserialize_keras_object, serialize_keras_object
from layerkit.saving.compile_config import compile_from_config, get_compile_config
from layerkit.saving.keras_config import prepare_config


def build_input_shape(model):
    """The input shape a model was built for (None for a graph model: it knows it)."""
    shape = getattr(model, "_build_input_shape", None)
    if shape is None:
        return None
    return [list(s) if isinstance(s, tuple) else s for s in shape] \
        if isinstance(shape, list) else list(shape)


def model_to_file_config(model, include_optimizer=True):
    config = serialize_keras_object(model)
    config["build_config"] = {"input_shape": build_input_shape(model)}
    compile_config = get_compile_config(model) if include_optimizer else None
    if compile_config is not None:
        config["compile_config"] = compile_config
    return config


def model_from_config_dict(config, custom_objects=None, safe_mode=True):
    """A model (or layer) from a serialized config, without compiling."""
    config, custom = prepare_config(config), dict(custom_objects or {})
    if lk_config.in_safe_mode() is False:
        safe_mode = False
    from layerkit.utils.object_registry import custom_object_scope
    with custom_object_scope(custom), lk_config.SafeModeScope(bool(safe_mode)):
        model = deserialize_keras_object(config, custom_objects=custom)
    build = config.get("build_config") or {}
    if not getattr(model, "built", True) and build.get("input_shape") is not None:
        shape = build["input_shape"]
        model.build(tuple(shape) if shape and not isinstance(shape[0], list) else shape)
    return model, custom


def model_from_file_config(config, custom_objects=None, compile=True, safe_mode=True):
    model, custom = model_from_config_dict(config, custom_objects, safe_mode)
    compile_config = config.get("compile_config")
    if compile and compile_config:
        compile_from_config(model, compile_config, custom)
    return model
