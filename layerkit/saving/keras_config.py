"""A model config read from a file, made ready for layerkit's from_config.

Files from Keras 3, Keras 2 (tf_keras) and layerkit differ in small ways that
carry no meaning for layerkit; this pass removes them before any class is built:
- a dtype policy dict ({"class_name": "DTypePolicy", "config": {"name": ...}}) is
  its name; `shared_object_id` bookkeeping goes;
- keywords that only Keras 3 has (`ragged`, `optional`, `quantization_config`,
  LoRA) go when they hold the value that means "off"; any other value stays, so
  the layer rejects it by name instead of layerkit silently ignoring it.

It also guards what loading may execute. A Lambda layer whose config holds Python
bytecode (Keras 3's "__lambda__" with "code", Keras 2's function_type "lambda") is
refused in safe mode; with safe_mode=False the code is turned back into a function
and handed to the Lambda layer through custom_objects, keyed by the layer's name
(layers/core.py reads it there).
"""
import base64
import marshal
import types

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


def prepare_config(config, custom_objects=None, safe_mode=True):
    """(config, custom_objects) ready for deserialize_keras_object."""
    custom = dict(custom_objects or {})
    return _walk(config, custom, safe_mode), custom


def _walk(value, custom, safe_mode):
    if isinstance(value, list):
        return [_walk(v, custom, safe_mode) for v in value]
    if not isinstance(value, dict):
        return value
    if value.get("class_name") in _POLICIES and isinstance(value.get("config"), dict):
        return value["config"].get("name")
    out = {k: _walk(v, custom, safe_mode) for k, v in value.items()
           if k != "shared_object_id"}
    inner = out.get("config")
    if isinstance(inner, dict) and isinstance(out.get("class_name"), str):
        out["config"] = {k: v for k, v in inner.items()
                         if not (k in _INERT and v == _INERT[k])}
        if out["class_name"] == "Lambda":
            _lambda_code(out["config"], custom, safe_mode)
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


def _lambda_code(config, custom, safe_mode):
    """Refuses (safe mode) or decodes the bytecode a Lambda config holds."""
    name = config.get("name", "lambda")
    for what in ("function", "output_shape", "mask"):
        code = _stored_code(config, what)
        if code is None:
            continue
        if safe_mode:
            raise ValueError(
                f'Lambda layer "{name}": its {what} is stored as Python bytecode, and loading '
                "it would execute code from the file. That is refused in safe mode. If you "
                "trust the file, load it with safe_mode=False; otherwise re-create the layer "
                f"in code and pass the function as custom_objects={{{name!r}: fn}}.")
        key = name if what == "function" else f"{name}.{what}"
        custom.setdefault(key, _load_function(*code))
        config[what] = {"class_name": "__lambda__", "config": None}
        config.pop(f"{what}_type" if what != "function" else "function_type", None)


def _stored_code(config, what):
    """(code, defaults, closure) when `what` is stored as bytecode, else None."""
    value = config.get(what)
    if isinstance(value, dict) and value.get("class_name") == "__lambda__" and \
            isinstance(value.get("config"), dict) and value["config"].get("code"):
        c = value["config"]
        return c["code"], c.get("defaults"), c.get("closure")
    kind_key = "function_type" if what == "function" else f"{what}_type"
    if config.get(kind_key) == "lambda" and value is not None:
        if isinstance(value, (list, tuple)):
            code, defaults, closure = (list(value) + [None, None])[:3]
            return code, defaults, closure
        return value, None, None
    return None


def _load_function(code, defaults=None, closure=None):
    """A function from base64 marshalled code (only reached with safe_mode=False)."""
    try:
        raw = marshal.loads(base64.b64decode(code.encode("ascii")))
    except (ValueError, EOFError, TypeError) as e:
        raise ValueError("A Lambda layer's stored bytecode cannot be read (it was written by "
                         f"another Python version or is damaged): {e}") from e
    cells = None
    if closure:
        cells = tuple(types.CellType(v) for v in closure)
    defaults = tuple(defaults) if isinstance(defaults, list) else defaults
    return types.FunctionType(raw, globals(), raw.co_name, defaults, cells)
