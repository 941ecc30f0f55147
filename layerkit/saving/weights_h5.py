"""Keras 3's weights file (`model.weights.h5` inside a .keras zip, or a `.weights.h5`
file of `save_weights`): each layer's own Variables at "<path>/vars/<i>"
(weights_layout.py gives the paths) and the optimizer's at "optimizer/vars/<i>".

layerkit adds one group Keras does not read, "layerkit_seed_generators/vars": the
random streams of the model's Dropout and noise layers, so a resumed fit draws the
same masks as an uninterrupted one (Keras 3 does not store them).
"""
import warnings

import numpy as np

from layerkit.saving.weights_layout import layer_paths

SEEDS_GROUP = "layerkit_seed_generators/vars"


def _vars_path(path):
    return f"{path}/vars" if path else "vars"


def _write_group(h5, path, name, variables):
    group = h5.require_group(path)
    group.attrs["name"] = name
    for i, v in enumerate(variables):
        group.create_dataset(str(i), data=np.asarray(v.numpy()))


def sync(model):
    """Variables up to date: a running JAX step keeps their values in its own state."""
    getattr(model, "_sync_runners", lambda: None)()


def check_built(model):
    if not getattr(model, "built", True):
        raise ValueError(f'Cannot load weights into model "{model.name}": it is not built '
                         "yet, so it has no weights. Call it on a batch of data or "
                         "`model.build(input_shape)` first.")


def optimizer_variables(model):
    """The optimizer's Variables (built for the model's weights), or [] without one."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not getattr(model, "built", False):
        return []
    optimizer.build(model.trainable_variables)
    return list(optimizer.variables)


def write_weights(h5, model, include_optimizer=True):
    """Writes the model's Variables (and its optimizer's) into an open h5py File."""
    sync(model)
    for path, layer in layer_paths(model):
        _write_group(h5, _vars_path(path), layer.name, layer._own_variables)
    if include_optimizer:
        variables = optimizer_variables(model)
        if variables:
            _write_group(h5, "optimizer/vars", model.optimizer.name, variables)
    write_seeds(h5, model)


def write_seeds(h5, model):
    seeds = [g.state for g in model.seed_generators]
    if seeds:
        _write_group(h5, SEEDS_GROUP, "seed_generators", seeds)


def read_seeds(h5, model):
    """Restores the random streams if the file has them for this model's layers."""
    if SEEDS_GROUP in h5:
        seeds = [g.state for g in model.seed_generators]
        values = _values(h5[SEEDS_GROUP])
        if len(values) == len(seeds) and all(np.shape(a) == tuple(v.shape)
                                             for a, v in zip(values, seeds)):
            for v, value in zip(seeds, values):
                v.assign(np.asarray(value, dtype=v.dtype))


def _values(group):
    return [group[str(i)][()] for i in range(len(group))]


def _assign(where, variables, values, skip_mismatch):
    """Assigns `values` to `variables` after checking count and shapes; a mismatch
    raises, or warns and skips the group with skip_mismatch. Returns whether assigned."""
    problem = None
    if len(values) != len(variables):
        problem = f"the file holds {len(values)} weight(s), the model has {len(variables)}"
    else:
        for i, (v, value) in enumerate(zip(variables, values)):
            if tuple(np.shape(value)) != tuple(v.shape):
                problem = (f"weight {i} ({v.path}) has shape {tuple(v.shape)} in the model "
                           f"and {tuple(np.shape(value))} in the file")
                break
    if problem:
        message = f"Cannot load weights into {where}: {problem}."
        if not skip_mismatch:
            raise ValueError(message + " Pass skip_mismatch=True to skip such layers.")
        warnings.warn(message + " Skipped (skip_mismatch=True).", stacklevel=4)
        return False
    for v, value in zip(variables, values):
        v.assign(np.asarray(value, dtype=v.dtype))
    return True


def read_weights(h5, model, skip_mismatch=False, load_optimizer=True):
    """Loads a Keras 3 layout (an open h5py File) into `model`."""
    check_built(model)
    sync(model)
    for path, layer in layer_paths(model):
        where = f'layer "{layer.name}" ({type(layer).__name__}, at "{path or "/"}")'
        group = h5.get(_vars_path(path))
        if group is None:
            if layer._own_variables:
                _assign(where, layer._own_variables, [], skip_mismatch)
            continue
        _assign(where, layer._own_variables, _values(group), skip_mismatch)
    if load_optimizer and "optimizer/vars" in h5:
        variables = optimizer_variables(model)
        values = _values(h5["optimizer/vars"])
        if not variables:
            warnings.warn("The file holds optimizer weights, but the model has no optimizer "
                          "(compile it first); they were not loaded.", stacklevel=3)
        elif len(variables) != len(values):
            warnings.warn(f"The file holds {len(values)} optimizer weights, but the model's "
                          f"{type(model.optimizer).__name__} has {len(variables)}; the "
                          "optimizer starts fresh.", stacklevel=3)
        else:
            _assign("the optimizer", variables, values, skip_mismatch)
    read_seeds(h5, model)
