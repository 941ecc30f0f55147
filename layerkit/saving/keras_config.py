"""A model config read from a file, made ready for layerkit's from_config.

Files from Keras 3, Keras 2 (tf_keras) and layerkit differ in small ways that
carry no meaning for layerkit; this pass removes them before any class is built:
- a dtype policy dict ({"class_name": "DTypePolicy", "config": {"name": ...}}) is
  its name; `shared_object_id` bookkeeping goes;
- keywords that only Keras 3 has (`ragged`, `optional`, `quantization_config`,
  LoRA) go when they hold the value that means "off"; any other value stays, so
  the layer rejects it by name instead of layerkit silently ignoring it.

Functions stored as bytecode (a Lambda's lambda, a control-flow op's function) are
left for their layers, which rebuild them only outside safe mode
(layers/function_code.py); model_config.py sets the safe mode they follow.
"""

# Keras-only keywords and the value that leaves them without effect.
_INERT = {"ragged": False, "optional": False, "quantization_config": None,
          "lora_rank": None, "lora_alpha": None, "lora_enabled": False,
          # Keras 2's SeparableConv configs inherit Conv's `groups`, always 1.
          "groups": 1}
_POLICIES = ("DTypePolicy", "FloatDTypePolicy", "Policy")
# Keras 2 writes Conv's kernel settings into every SeparableConv config, where they
# have no effect; at their defaults they are dropped (the layer warns about others).
_SEPARABLE = ("SeparableConv1D", "SeparableConv2D")
_SEPARABLE_DEFAULTS = {"kernel_regularizer": None, "kernel_constraint": None}


def prepare_config(config):
    """The config ready for deserialize_keras_object."""
    return _walk(config)


def _walk(value):
    if isinstance(value, list):
        return [_walk(v) for v in value]
    if not isinstance(value, dict):
        return value
    if value.get("class_name") in _POLICIES and isinstance(value.get("config"), dict):
        return value["config"].get("name")
    out = {k: _walk(v) for k, v in value.items()
           if k != "shared_object_id"}
    inner = out.get("config")
    if isinstance(inner, dict) and isinstance(out.get("class_name"), str):
        out["config"] = {k: v for k, v in inner.items()
                         if not (k in _INERT and v == _INERT[k])}
        if out["class_name"] in _SEPARABLE:
            _drop_separable_kernel_defaults(out["config"])
    return out


def _drop_separable_kernel_defaults(config):
    for key, default in _SEPARABLE_DEFAULTS.items():
        if key in config and config[key] == default:
            del config[key]
    init = config.get("kernel_initializer")
    if isinstance(init, dict) and init.get("class_name") == "GlorotUniform" and \
            (init.get("config") or {}).get("seed") is None:
        del config["kernel_initializer"]
