"""save_model / load_model / save_weights / load_weights: the format follows the file.

- `.keras`: Keras 3's zip (keras_zip.py).
- `.h5`, `.hdf5` (and `save_format="h5"`): Keras 2's HDF5 layout (legacy_h5.py).
- `.weights.h5`: Keras 3's weights file (weights_h5.py); `load_weights` also reads
  a Keras 2 `.h5` weights or model file (by position, or `by_name=True`).
What a file holds is checked from its first bytes, not only its name.
"""
import json
import os

from layerkit.saving import file_io, keras_zip, legacy_h5, weights_h5
from layerkit.saving.model_config import model_from_config_dict

_H5 = (".h5", ".hdf5")


def _ext(path):
    return os.fspath(path).lower()


def save_model(model, filepath, overwrite=True, include_optimizer=True, save_format=None,
               **kwargs):
    """Saves `model` whole. Keras 2's `save_format='h5'` picks HDF5 for any name;
    `save_format='tf'` (a TensorFlow SavedModel) is not available."""
    for ignored in ("signatures", "options", "save_traces"):
        # TensorFlow SavedModel settings: they only apply to save_format='tf'.
        if kwargs.pop(ignored, None) is not None:
            raise ValueError(f"save: `{ignored}` applies to TensorFlow SavedModels, which "
                             "layerkit does not write; save to a .keras or .h5 file.")
    if kwargs:
        raise TypeError(f"save: unrecognized keyword argument(s) {sorted(kwargs)}.")
    path = os.fspath(filepath)
    if save_format not in (None, "h5", "keras"):
        raise ValueError(f"save: save_format={save_format!r} is not available (TensorFlow "
                         "SavedModel); use a .keras or .h5/.hdf5 file name.")
    if save_format == "h5" or _ext(path).endswith(_H5) and not \
            _ext(path).endswith(".weights.h5"):
        legacy_h5.save_h5_model(model, path, overwrite, include_optimizer)
    elif _ext(path).endswith(".keras") or save_format == "keras":
        keras_zip.save_keras(model, path, overwrite, include_optimizer)
    else:
        raise ValueError(f"save: cannot tell the format of {path!r}. Name the file "
                         "'*.keras' (Keras 3's format) or '*.h5'/'*.hdf5' (Keras 2's HDF5); "
                         "for weights only, use save_weights('*.weights.h5').")


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """The model saved at `filepath` (.keras or .h5/.hdf5), compiled with its saved
    settings and optimizer state unless compile=False."""
    path = os.fspath(filepath)
    kind = file_io.file_kind(path)
    if kind == "zip":
        return keras_zip.load_keras(path, custom_objects, compile, safe_mode)
    if kind == "h5":
        return legacy_h5.load_h5_model(path, custom_objects, compile, safe_mode)
    raise file_io.ModelFileError(
        f"Cannot load {path}: it is neither a .keras zip nor an HDF5 file (it may be "
        "truncated or corrupted).")


def save_weights(model, filepath, overwrite=True, save_format=None, **kwargs):
    """Keras 3's layout for '*.weights.h5'; Keras 2's for other '*.h5'/'*.hdf5' names."""
    if kwargs:
        raise TypeError(f"save_weights: unrecognized keyword argument(s) {sorted(kwargs)}.")
    path = os.fspath(filepath)
    if _ext(path).endswith(".weights.h5") and save_format in (None, "keras"):
        import h5py
        with file_io.atomic_path(path, overwrite) as tmp:
            with h5py.File(tmp, "w") as h5:
                weights_h5.write_weights(h5, model)
    elif _ext(path).endswith(_H5) or save_format == "h5":
        legacy_h5.save_h5_weights(model, path, overwrite)
    else:
        raise ValueError(f"save_weights: the file name must end in '.weights.h5' (Keras 3) "
                         f"or '.h5'/'.hdf5' (Keras 2), received {path!r}.")


def load_weights(model, filepath, skip_mismatch=False, by_name=False, **kwargs):
    """Loads weights from a '.weights.h5', a Keras 2 '.h5', or a whole '.keras' file."""
    if kwargs:
        raise TypeError(f"load_weights: unrecognized keyword argument(s) {sorted(kwargs)}.")
    path = os.fspath(filepath)
    kind = file_io.file_kind(path)
    if kind == "zip":
        if by_name:
            raise ValueError("load_weights: by_name=True applies to Keras 2 .h5 files; a "
                             ".keras file is matched by the model's structure.")
        keras_zip.load_weights_from_keras(path, model, skip_mismatch)
        return
    if kind != "h5":
        raise file_io.ModelFileError(f"Cannot load weights from {path}: not an HDF5 or "
                                     ".keras file (truncated or corrupted?).")
    with file_io.open_h5(path) as h5:
        if legacy_h5.is_legacy(h5):
            legacy_h5.read_h5_weights(h5, model, by_name, skip_mismatch)
        else:
            if by_name:
                raise ValueError("load_weights: by_name=True applies to Keras 2 .h5 files; "
                                 f"{path} is in Keras 3's weights layout.")
            weights_h5.read_weights(h5, model, skip_mismatch=skip_mismatch)


def model_to_json(model, **kwargs):
    """The model's config as JSON (Keras 3's form, with Keras's module names)."""
    from layerkit.layers.serialization import serialize_keras_object
    return json.dumps(serialize_keras_object(model), default=keras_zip._json_default,
                      **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A model (not compiled, fresh weights) from to_json()'s string, or Keras 2's."""
    try:
        config = json.loads(json_string)
    except ValueError as e:
        raise ValueError(f"model_from_json: the string is not valid JSON ({e}).") from e
    return model_from_config_dict(config, custom_objects)[0]


def model_from_config(config, custom_objects=None):
    """A model from a {'class_name', 'config'} dict (Keras 2's `models.model_from_config`)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("model_from_config expects a dict {'class_name': ..., 'config': "
                         f"...}}, received {config!r:.120}.")
    return model_from_config_dict(config, custom_objects)[0]
