"""A model's compile() arguments as a file stores them, and back.

Keras 3 keeps them as `compile_config` in config.json; Keras 2's .h5 files as the
`training_config` attribute, with the optimizer under `optimizer_config`. Losses and
metrics given as names stay names; objects and functions are serialized the way
layerkit.losses / layerkit.metrics serialize them (Keras 3's dicts).

`jit_compile`: Keras 3 writes the value it resolved "auto" to, so a file saved on
JAX says True whether or not the user asked for it. Read back, True means "auto":
the same jitted step on JAX, and no torch.compile forced on PyTorch (where "auto"
is Keras's eager default); False stays False.
"""
from layerkit import losses, metrics, optimizers
from layerkit.utils.tree import map_structure


def _serialize_leaf(module):
    def fn(value):
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        return module.serialize(value)
    return fn


def _deserialize_leaf(module, custom_objects):
    def fn(value):
        if isinstance(value, dict) and "class_name" in value:
            return module.deserialize(value, custom_objects=custom_objects)
        return value
    return fn


def _map(fn, structure):
    # A serialized object (a dict with class_name) is a leaf, not a container.
    if isinstance(structure, dict) and "class_name" in structure:
        return fn(structure)
    if isinstance(structure, dict):
        return {k: _map(fn, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_map(fn, v) for v in structure]
    return fn(structure)


def get_compile_config(model):
    """Keras 3's compile_config of a compiled model, or None."""
    if not getattr(model, "compiled", False):
        return None
    args = model._compile_args
    return {"optimizer": optimizers.serialize(model.optimizer),
            "loss": _map(_serialize_leaf(losses), args["loss"]),
            "loss_weights": map_structure(lambda v: v, args["loss_weights"])
            if args["loss_weights"] is not None else None,
            "metrics": _map(_serialize_leaf(metrics), args["metrics"]),
            "weighted_metrics": _map(_serialize_leaf(metrics), args["weighted_metrics"]),
            "run_eagerly": bool(model.run_eagerly),
            "steps_per_execution": int(model.steps_per_execution),
            "jit_compile": model.jit_compile}


# TensorFlow-only settings tf_keras writes into optimizer configs: XLA for the update
# and which optimizer generation made the file. Neither changes the arithmetic.
_TF_OPTIMIZER_KEYS = ("jit_compile", "is_legacy_optimizer")


def _keras2_optimizer(config):
    """tf_keras 2.11+ names its built-in optimizers 'Custom>Adam'; its configs carry
    TensorFlow-only keys."""
    config = dict(config)
    name = str(config.get("class_name", ""))
    if name.startswith("Custom>") and name[len("Custom>"):].lower() in optimizers._BY_NAME:
        config["class_name"] = name[len("Custom>"):]
    config["config"] = {k: v for k, v in (config.get("config") or {}).items()
                        if k not in _TF_OPTIMIZER_KEYS}
    return config


def _one_output(model, spec):
    """Keras 2 stores metrics per output ([[...]]); a one-output model takes the list."""
    outputs = getattr(model, "outputs", None) or []
    if isinstance(spec, list) and len(spec) == 1 and isinstance(spec[0], list) and \
            len(outputs) <= 1:
        return spec[0]
    return spec


def compile_from_config(model, config, custom_objects=None):
    """Compiles `model` with a compile_config (Keras 3) or training_config (Keras 2)."""
    config = dict(config)
    keras2 = "optimizer_config" in config
    optimizer = config.pop("optimizer", None) or config.pop("optimizer_config", None)
    if isinstance(optimizer, dict):
        optimizer = optimizers.deserialize(_keras2_optimizer(optimizer),
                                           custom_objects=custom_objects)
    metrics_config, weighted_config = config.get("metrics"), config.get("weighted_metrics")
    if keras2:
        metrics_config, weighted_config = _one_output(model, metrics_config), \
            _one_output(model, weighted_config)
    settings = {k: config[k] for k in ("run_eagerly", "steps_per_execution", "jit_compile")
                if k in config}
    if settings.get("jit_compile") is True:
        settings["jit_compile"] = "auto"
    model.compile(
        optimizer=optimizer if optimizer is not None else "rmsprop",
        loss=_map(_deserialize_leaf(losses, custom_objects), config.get("loss")),
        loss_weights=config.get("loss_weights"),
        metrics=_map(_deserialize_leaf(metrics, custom_objects), metrics_config),
        weighted_metrics=_map(_deserialize_leaf(metrics, custom_objects), weighted_config),
        **settings)
