"""`clone_model`: the same architecture with new layers (and so new, freshly
initialized weights), as Keras's `keras.models.clone_model`.

- Sequential: its layers cloned in order (an Input it was built on comes along).
- Functional: the graph replayed node by node on new inputs, each layer cloned once
  (a layer shared by two calls stays shared in the clone).
- Subclassed: rebuilt from `get_config()`, as Keras does; a `clone_function` or
  `input_tensors` cannot apply to layers created in `__init__`, so they are refused.

`clone_function(layer)` makes each new layer (default: `layer.__class__.from_config(
layer.get_config())`; return the layer itself to share it); `call_function(layer,
*args, **kwargs)` calls it in the new graph; `recursive=True` clones nested models
with the same functions instead of passing them to clone_function whole.

A Lambda's lambda (or a control-flow op's) is stored as code in get_config(); cloning
rebuilds it outside safe mode, since the config comes from a live model, not a file.
"""
from layerkit.config import SafeModeScope
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.layers.input_layer import Input, InputLayer
from layerkit.utils.tree import flatten, map_structure


def _default_clone(layer):
    return layer.__class__.from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive=False, **kwargs):
    """A new model of the same architecture as `model`, with new weights."""
    with SafeModeScope(False):
        return _clone_model(model, input_tensors, clone_function, call_function, recursive,
                            **kwargs)


def _clone_model(model, input_tensors, clone_function, call_function, recursive, **kwargs):
    from layerkit.models.functional import Functional
    from layerkit.models.model import Model
    from layerkit.models.sequential import Sequential
    if kwargs:
        raise TypeError(f"clone_model: unrecognized keyword argument(s) {sorted(kwargs)}.")
    if not isinstance(model, Model):
        raise ValueError("clone_model: `model` must be a Model (Sequential, functional or "
                         f"subclassed), received {type(model).__name__}.")
    if clone_function is not None and not callable(clone_function):
        raise ValueError(f"clone_model: clone_function must be callable, received "
                         f"{clone_function!r}.")
    clone_function = clone_function or _default_clone
    clone_layer = _layer_cloner(clone_function, call_function, recursive)
    if isinstance(model, Sequential):
        return _clone_sequential(model, input_tensors, clone_layer, call_function)
    if isinstance(model, Functional):
        return _clone_functional(model, input_tensors, clone_layer, call_function)
    if input_tensors is not None or clone_function is not _default_clone or call_function:
        raise ValueError(
            f'clone_model: "{model.name}" is a subclassed model ({type(model).__name__}); '
            "its layers are made in __init__, so clone_function, call_function and "
            "input_tensors cannot apply. Clone it without them (it is rebuilt from "
            "get_config()), or write it as a functional model.")
    config = model.get_config()
    try:
        return model.__class__.from_config(config)
    except TypeError as e:
        raise ValueError(
            f"clone_model: {type(model).__name__}.from_config(get_config()) failed ({e}); "
            "a subclassed model must override get_config() to return its __init__ "
            "arguments to be cloned.") from e


def _layer_cloner(clone_function, call_function, recursive):
    from layerkit.models.functional import Functional
    from layerkit.models.sequential import Sequential

    def clone(layer):
        if recursive and isinstance(layer, (Sequential, Functional)):
            return clone_model(layer, clone_function=clone_function,
                               call_function=call_function, recursive=True)
        return clone_function(layer)
    return clone


def _symbolic_inputs(input_tensors, expected, name):
    """The given input tensors as a flat list of symbolic tensors (arrays or data
    streams are wrapped with Input(tensor=...))."""
    given = flatten(input_tensors) if isinstance(input_tensors, (list, tuple, dict)) \
        else [input_tensors]
    if len(given) != expected:
        raise ValueError(f'clone_model: model "{name}" has {expected} input(s), but '
                         f"input_tensors holds {len(given)}.")
    return [t if isinstance(t, SymbolicTensor) else Input(tensor=t) for t in given]


def _clone_sequential(model, input_tensors, clone_layer, call_function):
    from layerkit.models.functional import Functional
    from layerkit.models.sequential import Sequential
    layers = [clone_layer(layer) for layer in model.layers]
    if input_tensors is not None:
        x = inputs = _symbolic_inputs(input_tensors, 1, model.name)[0]
        for layer in layers:
            x = call_function(layer, x) if call_function else layer(x)
        return Functional(inputs, x, name=model.name)
    first = model._stack[0] if model._stack else None
    if isinstance(first, InputLayer):
        layers = [InputLayer.from_config(first.get_config())] + layers
    return Sequential(layers, name=model.name, trainable=model.trainable)


def _clone_functional(model, input_tensors, clone_layer, call_function):
    from layerkit.models.functional import Functional
    if input_tensors is not None:
        new_inputs = _symbolic_inputs(input_tensors, len(model._inputs), model.name)
    else:
        new_inputs = [InputLayer.from_config(t._history[0].get_config())._input_tensor
                      for t in model._inputs]
    values = {id(old): new for old, new in zip(model._inputs, new_inputs)}
    clones = {}

    def fetch(v):
        return values[id(v)] if isinstance(v, SymbolicTensor) else v

    for node in model._run_nodes:
        layer = node.layer
        if id(layer) not in clones:
            clones[id(layer)] = clone_layer(layer)
        new = clones[id(layer)]
        args = map_structure(fetch, node.call_args)
        kwargs = map_structure(fetch, node.call_kwargs)
        out = call_function(new, *args, **kwargs) if call_function else new(*args, **kwargs)
        for old, value in zip(node.output_tensors, flatten(out)):
            values[id(old)] = value
    restructure = lambda struct: map_structure(lambda t: values[id(t)], struct)
    inputs = restructure(model._input_struct)
    return Functional(inputs, restructure(model._output_struct), name=model.name,
                      trainable=model.trainable)
