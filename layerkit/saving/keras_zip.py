"""The `.keras` file: the zip Keras 3 writes, read and written the same way.

    metadata.json      {"keras_version", "date_saved"} (+ layerkit's version)
    config.json        the model's config with Keras's module names, plus
                       "build_config" and "compile_config"
    model.weights.h5   the Variables, in Keras 3's layout (weights_h5.py)

The archive is built under a temporary name and renamed (file_io.atomic_path).
"""
import datetime
import io
import json

from layerkit.saving import file_io, keras2_activations, weights_h5
from layerkit.saving.model_config import model_from_file_config, model_to_file_config

# The Keras release whose file layout this module writes (Keras reads it back).
KERAS_FORMAT_VERSION = "3.15.1"
_CONFIG, _METADATA, _WEIGHTS = "config.json", "metadata.json", "model.weights.h5"


def _json_default(value):
    import numpy as np
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"Cannot write {value!r} ({type(value).__name__}) into config.json.")


def weights_bytes(model, include_optimizer=True):
    import h5py
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        weights_h5.write_weights(h5, model, include_optimizer)
    return buffer.getvalue()


def save_keras(model, path, overwrite=True, include_optimizer=True):
    from layerkit import __version__
    config = model_to_file_config(model, include_optimizer)
    metadata = {"keras_version": KERAS_FORMAT_VERSION, "layerkit_version": __version__,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    weights = weights_bytes(model, include_optimizer)
    import zipfile
    with file_io.atomic_path(path, overwrite) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(_METADATA, json.dumps(metadata))
            archive.writestr(_CONFIG, json.dumps(config, default=_json_default))
            archive.writestr(_WEIGHTS, weights, compress_type=zipfile.ZIP_STORED)


def read_config(path):
    """The parsed config.json of a .keras file."""
    with file_io.open_zip(path) as archive:
        return _member_json(archive, path, _CONFIG)


def _member_json(archive, path, member):
    try:
        return json.loads(archive.read(member).decode("utf-8"))
    except KeyError:
        raise file_io.ModelFileError(f"{path} has no {member}: it is not a model file "
                                     "written by Keras 3 or layerkit.") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise file_io.ModelFileError(f"{path}: {member} is not valid JSON ({e}).") from e


def load_keras(path, custom_objects=None, compile=True, safe_mode=True):
    import h5py
    with file_io.open_zip(path) as archive:
        config = _member_json(archive, path, _CONFIG)
        if _WEIGHTS not in archive.namelist():
            raise file_io.ModelFileError(f"{path} has no {_WEIGHTS}.")
        weights = archive.read(_WEIGHTS)
        if _METADATA in archive.namelist():
            # tf_keras (Keras 2) writes .keras files too; they keep Keras 2's meanings.
            version = _member_json(archive, path, _METADATA).get("keras_version")
            if version is not None and keras2_activations.is_keras2_version(version):
                config = keras2_activations.from_keras2(config)
    model = model_from_file_config(config, custom_objects, compile, safe_mode)
    try:
        h5 = h5py.File(io.BytesIO(weights), "r")
    except OSError as e:
        raise file_io.ModelFileError(f"{path}: {_WEIGHTS} cannot be read ({e}).") from e
    with h5:
        weights_h5.read_weights(h5, model, load_optimizer=compile)
    return model


def load_weights_from_keras(path, model, skip_mismatch=False):
    """load_weights() given a whole .keras file: its weights only."""
    import h5py
    with file_io.open_zip(path) as archive:
        weights = archive.read(_WEIGHTS)
    with h5py.File(io.BytesIO(weights), "r") as h5:
        weights_h5.read_weights(h5, model, skip_mismatch=skip_mismatch)
