"""Global settings: the engine, floatx, epsilon and image data format.

The engine is chosen once, at import: `LAYERKIT_BACKEND`, else the "backend"
key of `~/.layerkit/layerkit.json`, else "jax".
"""
import json
import os
import threading

VALID_BACKENDS = ("jax", "torch")
_VALID_FLOATX = ("float16", "bfloat16", "float32", "float64")
_VALID_FORMATS = ("channels_last", "channels_first")


def _config_path():
    base = os.environ.get("LAYERKIT_HOME") or os.path.join(os.path.expanduser("~"), ".layerkit")
    return os.path.join(base, "layerkit.json")


def _read_config_file():
    path = _config_path()
    if not os.path.exists(path):
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise ValueError(f"Could not read the layerkit config file {path}: {e}") from e
    if not isinstance(data, dict):
        raise ValueError(f"The layerkit config file {path} must hold a JSON object, got {type(data).__name__}.")
    return data


def _choose_backend(file_config):
    name = os.environ.get("LAYERKIT_BACKEND")
    source = "the LAYERKIT_BACKEND environment variable"
    if not name:
        name = file_config.get("backend")
        source = f"the config file {_config_path()}"
    if not name:
        return "jax"
    name = str(name).strip().lower()
    if name == "pytorch":
        name = "torch"
    if name not in VALID_BACKENDS:
        raise ValueError(
            f"Unknown layerkit backend {name!r} (from {source}). "
            f"Valid backends are: {', '.join(VALID_BACKENDS)}.")
    return name


_FILE_CONFIG = _read_config_file()
_BACKEND = _choose_backend(_FILE_CONFIG)
_FLOATX = _FILE_CONFIG.get("floatx", "float32")
_EPSILON = float(_FILE_CONFIG.get("epsilon", 1e-7))
_IMAGE_DATA_FORMAT = _FILE_CONFIG.get("image_data_format", "channels_last")


def backend():
    """The name of the engine layerkit runs on: "jax" or "torch"."""
    return _BACKEND


def floatx():
    return _FLOATX


def set_floatx(value):
    global _FLOATX
    value = str(value)
    if value not in _VALID_FLOATX:
        raise ValueError(f"set_floatx: unknown float type {value!r}; expected one of {_VALID_FLOATX}.")
    _FLOATX = value


def epsilon():
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    global _IMAGE_DATA_FORMAT
    data_format = str(data_format).lower()
    if data_format not in _VALID_FORMATS:
        raise ValueError(
            f"set_image_data_format: expected one of {_VALID_FORMATS}, received {data_format!r}.")
    _IMAGE_DATA_FORMAT = data_format


def standardize_data_format(data_format):
    if data_format is None:
        return image_data_format()
    data_format = str(data_format).lower()
    if data_format not in _VALID_FORMATS:
        raise ValueError(f"data_format must be one of {_VALID_FORMATS}, received {data_format!r}.")
    return data_format


# --- safe mode (Keras 3's `keras.config.enable_unsafe_deserialization`) -----------
# enable_unsafe_deserialization() is process-wide, as in Keras 3; a SafeModeScope holds
# for its own thread only, so a clone_model (which opens SafeModeScope(False)) in one
# thread never lets a load in another rebuild a file's code.
_UNSAFE_EVERYWHERE = False


class _Scopes(threading.local):
    def __init__(self):
        self.safe_mode = None   # the innermost open SafeModeScope's, None outside one


_SCOPES = _Scopes()


def enable_unsafe_deserialization():
    """Lets every later load rebuild Python functions stored as bytecode (a Lambda's
    lambda, a control-flow op's function) without safe_mode=False, as Keras 3's does.
    Only do this for files you trust: loading them runs their code."""
    global _UNSAFE_EVERYWHERE
    _UNSAFE_EVERYWHERE = True


def in_safe_mode():
    """True/False while this thread's SafeModeScope (or enable_unsafe_deserialization)
    says so, None where nothing has (loading code then treats it as safe: it fails
    closed)."""
    if _SCOPES.safe_mode is not None:
        return _SCOPES.safe_mode
    return False if _UNSAFE_EVERYWHERE else None


class SafeModeScope:
    """`with SafeModeScope(False): Model.from_config(config)`: the safe mode that
    deserialization inside the block, in this thread, follows (Keras 3's
    serialization_lib scope)."""

    def __init__(self, safe_mode=True):
        if safe_mode not in (True, False, None):
            raise ValueError(f"SafeModeScope: safe_mode must be True, False or None, "
                             f"received {safe_mode!r}.")
        self.safe_mode = safe_mode

    def __enter__(self):
        self._outer = _SCOPES.safe_mode
        _SCOPES.safe_mode = self.safe_mode
        return self

    def __exit__(self, *exc):
        _SCOPES.safe_mode = self._outer
        return False
