"""Keras 2's HDF5 files (`.h5`/`.hdf5`): whole models and weights.

    attrs   keras_version, backend, model_config (JSON {"class_name", "config"}),
            training_config (JSON: loss, metrics, loss_weights, weighted_metrics,
            optimizer_config)
    model_weights/        attrs layer_names, backend, keras_version
        <layer name>/     attrs weight_names ("dense/kernel:0" …)
            <weight name> one dataset per weight, in Keras 2's order
                          (trainable weights, then non-trainable)
    optimizer_weights/    attrs weight_names; one dataset per optimizer Variable

A weights-only `.h5` file is the `model_weights` group at the top level. Weights
load by position (layers with weights, in order) or, with by_name=True, by layer
name. Functional graphs are written with Keras 2's node lists, which Keras 2 and
Keras 3 both read.
"""
import json
import warnings

import numpy as np

from layerkit import engine
from layerkit.layers.serialization import serialize_keras_object
from layerkit.saving import file_io, keras2_activations
from layerkit.saving.keras2_optimizer import _parse, load_keras2_slots
from layerkit.saving.compile_config import compile_from_config, get_compile_config
from layerkit.saving.model_config import model_from_config_dict
from layerkit.saving.weights_h5 import (_assign, check_built, optimizer_variables, read_seeds,
                                        sync, write_seeds)

# The Keras release whose HDF5 layout this module writes.
KERAS2_FORMAT_VERSION = "2.15.0"


def _decode(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _names_attr(names):
    # Keras 2 stores name lists as fixed-length byte strings (numpy "S").
    return np.array([n.encode("utf8") for n in names], dtype="S")


def is_legacy(h5):
    """Whether an open h5py File holds Keras 2's layout (model or weights)."""
    return "layer_names" in h5.attrs or "model_weights" in h5 or "model_config" in h5.attrs


# --- writing ------------------------------------------------------------------
def _legacy_weights(layer):
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _weight_name(model, v):
    path = v.path
    if path.startswith(model.name + "/"):
        path = path[len(model.name) + 1:]
    return path + ":0"


def write_weights_group(group, model):
    sync(model)
    layers = list(model.layers)
    group.attrs["layer_names"] = _names_attr([l.name for l in layers])
    group.attrs["backend"] = engine.backend().encode("utf8")
    group.attrs["keras_version"] = KERAS2_FORMAT_VERSION.encode("utf8")
    for layer in layers:
        layer_group = group.create_group(layer.name)
        weights = _legacy_weights(layer)
        names, seen = [], set()
        for i, v in enumerate(weights):
            name = _weight_name(model, v)
            if name in seen:
                name = f"{name[:-2]}_{i}:0"
            seen.add(name)
            names.append(name)
        layer_group.attrs["weight_names"] = _names_attr(names)
        for name, v in zip(names, weights):
            layer_group.create_dataset(name, data=np.asarray(v.numpy()))


def _keras2_nodes(config):
    """A functional config with Keras 2's node lists where a call takes only tensors."""
    for entry in config.get("layers", []):
        nodes = []
        for node in entry.get("inbound_nodes", []):
            args, kwargs = node.get("args", []), node.get("kwargs", {})
            refs = args[0] if len(args) == 1 else None
            refs = refs if isinstance(refs, list) else [refs]
            if len(args) != 1 or not all(isinstance(r, dict) and r.get("class_name") ==
                                         "__keras_tensor__" for r in refs) or \
                    "__keras_tensor__" in json.dumps(kwargs):
                return config
            nodes.append([list(r["config"]["keras_history"]) + [dict(kwargs)] for r in refs])
        entry["inbound_nodes"] = nodes
    return config


def _keras2_input_layers(config):
    """InputLayer configs with Keras 2's `batch_input_shape` (Keras 3 reads it too)."""
    for entry in config.get("layers", []):
        if entry.get("class_name") == "InputLayer" and "batch_shape" in entry["config"]:
            inner = dict(entry["config"])
            inner["batch_input_shape"] = inner.pop("batch_shape")
            entry["config"] = inner
        elif isinstance(entry.get("config"), dict) and "layers" in entry["config"]:
            _keras2_input_layers(entry["config"])
    return config


# Keywords only Keras 3 knows, left out of Keras 2 files when they hold their "off"
# value (tf_keras rejects them; layerkit and Keras 3 read their absence as that value).
_KERAS3_ONLY = {"input_axes": None, "output_axes": None, "quantization_config": None,
                "optional": False}


def _without_keras3_only(value):
    if isinstance(value, list):
        return [_without_keras3_only(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {k: _without_keras3_only(v) for k, v in value.items()
            if not (k in _KERAS3_ONLY and v == _KERAS3_ONLY[k])}


def model_config_json(model):
    config = _without_keras3_only(serialize_keras_object(model))
    if "input_layers" in config["config"]:
        config["config"] = _keras2_nodes(config["config"])
    _keras2_input_layers(config["config"])
    config = keras2_activations.to_keras2(config)
    return json.dumps({"class_name": config["class_name"], "config": config["config"]},
                      default=_jsonable)


def _jsonable(value):
    from layerkit.saving.keras_zip import _json_default
    return _json_default(value)


def save_h5_model(model, path, overwrite=True, include_optimizer=True):
    import h5py
    training = get_compile_config(model) if include_optimizer else None
    with file_io.atomic_path(path, overwrite) as tmp:
        with h5py.File(tmp, "w") as f:
            f.attrs["keras_version"] = KERAS2_FORMAT_VERSION.encode("utf8")
            f.attrs["backend"] = engine.backend().encode("utf8")
            f.attrs["model_config"] = model_config_json(model)
            if training is not None:
                training["optimizer_config"] = training.pop("optimizer")
                f.attrs["training_config"] = json.dumps(training, default=_jsonable)
            write_weights_group(f.create_group("model_weights"), model)
            write_seeds(f, model)
            variables = optimizer_variables(model) if training is not None else []
            if variables:
                group = f.create_group("optimizer_weights")
                names = [v.path + ":0" for v in variables]
                group.attrs["weight_names"] = _names_attr(names)
                for name, v in zip(names, variables):
                    group.create_dataset(name, data=np.asarray(v.numpy()))


def save_h5_weights(model, path, overwrite=True):
    import h5py
    with file_io.atomic_path(path, overwrite) as tmp:
        with h5py.File(tmp, "w") as f:
            write_weights_group(f, model)


# --- reading ------------------------------------------------------------------
def _group_values(group):
    names = [_decode(n) for n in group.attrs.get("weight_names", [])]
    return [np.asarray(group[n]) for n in names]


def read_weights_group(group, model, by_name=False, skip_mismatch=False):
    """Loads Keras 2's `model_weights` group (or a weights file's root) into `model`."""
    check_built(model)
    sync(model)
    names = [_decode(n) for n in group.attrs["layer_names"]]
    stored = {n: _group_values(group[n]) for n in names if n in group}
    if by_name:
        for layer in model._flatten_layers(include_self=False):
            if layer.name in stored:
                _assign(f'layer "{layer.name}"', _legacy_weights(layer), stored[layer.name],
                        skip_mismatch)
        return
    layers = [l for l in model.layers if _legacy_weights(l)]
    with_weights = [n for n in names if stored.get(n)]
    if len(layers) != len(with_weights):
        raise ValueError(
            f"load_weights: the file holds weights for {len(with_weights)} layers "
            f"({with_weights}), the model has {len(layers)} layers with weights "
            f"({[l.name for l in layers]}). Pass by_name=True to match layers by name.")
    for layer, name in zip(layers, with_weights):
        _assign(f'layer "{layer.name}" (file layer "{name}")', _legacy_weights(layer),
                stored[name], skip_mismatch)


def read_h5_weights(h5, model, by_name=False, skip_mismatch=False):
    group = h5["model_weights"] if "model_weights" in h5 else h5
    if "layer_names" not in group.attrs:
        raise file_io.ModelFileError(f"{h5.filename} holds no Keras weights (no layer_names).")
    read_weights_group(group, model, by_name, skip_mismatch)


def _json_attr(f, name, path):
    raw = f.attrs.get(name)
    if raw is None:
        return None
    try:
        return json.loads(_decode(raw))
    except ValueError as e:
        raise file_io.ModelFileError(f"{path}: the `{name}` attribute is not valid JSON "
                                     f"({e}).") from e


def load_h5_model(path, custom_objects=None, compile=True, safe_mode=True):
    with file_io.open_h5(path) as f:
        config = _json_attr(f, "model_config", path)
        if config is None:
            raise file_io.ModelFileError(
                f"{path} holds no model config: it is a weights-only file. Build the model "
                "in code and call model.load_weights() on it.")
        if isinstance(config.get("config"), list):
            # Keras 2.0–2.2 Sequential: the config is the list of layers.
            config["config"] = {"layers": config["config"]}
        version = f.attrs.get("keras_version")
        if keras2_activations.is_keras2_version(None if version is None else _decode(version)):
            config = keras2_activations.from_keras2(config)
        model = model_from_config_dict(config, custom_objects, safe_mode)[0]
        read_h5_weights(f, model)
        read_seeds(f, model)
        training = _json_attr(f, "training_config", path)
        if compile and training:
            compile_from_config(model, training, custom_objects)
            if "optimizer_weights" in f:
                _load_optimizer(f["optimizer_weights"], model)
        return model


def _load_optimizer(group, model):
    names = [_decode(n) for n in group.attrs.get("weight_names", [])]
    values = _group_values(group)
    variables = optimizer_variables(model)
    keras2_names = any(_parse(n) not in (None, ("iterations", None)) for n in names)
    if not keras2_names:
        # layerkit's or Keras 3's file: the same Variables in the same order.
        if len(values) != len(variables):
            warnings.warn(f"The file holds {len(values)} optimizer weights, the model's "
                          f"{type(model.optimizer).__name__} has {len(variables)}; the "
                          "optimizer starts fresh.", stacklevel=3)
            return
        _assign("the optimizer", variables, values, skip_mismatch=False)
        return
    if not load_keras2_slots(model.optimizer, model.trainable_variables, names, values):
        warnings.warn("None of the file's optimizer weights matched the model's "
                      f"{type(model.optimizer).__name__}; the optimizer starts fresh.",
                      stacklevel=3)
