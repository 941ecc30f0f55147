"""get_config / from_config of a Functional model: its layers and the calls between them.

Each layer lists the calls ("inbound nodes") it makes inside this graph; a call's
arguments name their inputs as [layer name, node index, tensor index], with node
indices counted within this model so shared layers and nested models round-trip.
"""
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.utils.tree import flatten, map_structure

_TENSOR_KEY = "__keras_tensor__"


def functional_get_config(model):
    from layerkit.layers.serialization import serialize_keras_object
    node_ids = model._graph_node_ids
    renumber = {}
    for layer in model._graph_layers:
        local = [n for n in layer._inbound_nodes if id(n) in node_ids]
        for i, node in enumerate(local):
            renumber[(id(layer), node.index)] = i

    def ref(t):
        layer, node_index, tensor_index = t._history
        return [layer.name, renumber.get((id(layer), node_index), node_index), tensor_index]

    def encode(v):
        if isinstance(v, SymbolicTensor):
            # Keras 3's form, so real Keras reads the config too.
            return {"class_name": _TENSOR_KEY,
                    "config": {"shape": list(v.shape), "dtype": v.dtype,
                               "keras_history": ref(v)}}
        return v

    layers = []
    for layer in model._graph_layers:
        entry = serialize_keras_object(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [
            {"args": map_structure(encode, list(n.call_args)),
             "kwargs": map_structure(encode, n.call_kwargs)}
            for n in layer._inbound_nodes if id(n) in node_ids and n.input_tensors]
        layers.append(entry)
    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": map_structure(ref, model._input_struct),
            "output_layers": map_structure(ref, model._output_struct)}


def _is_ref(v):
    return isinstance(v, dict) and (v.get("class_name") == _TENSOR_KEY or v.get(_TENSOR_KEY))


def _history(v):
    return (v.get("config") or v)["keras_history"]


def _legacy_node(node):
    """Keras 2's node, [[layer, node index, tensor index, kwargs], ...], in Keras 3's form."""
    if isinstance(node, dict):
        return node
    refs = [{_TENSOR_KEY: True, "keras_history": list(item[:3])} for item in node]
    kwargs = node[0][3] if node and len(node[0]) > 3 and isinstance(node[0][3], dict) else {}
    return {"args": [refs[0] if len(refs) == 1 else refs], "kwargs": dict(kwargs)}


def functional_from_config(cls, config, custom_objects=None):
    from layerkit.layers.serialization import deserialize_keras_object
    layers = {}
    pending = []
    outputs = {}      # (layer name, node index) -> list of output tensors
    for entry in config["layers"]:
        layer = deserialize_keras_object(entry, custom_objects=custom_objects)
        name = entry.get("name") or entry["config"]["name"]
        layers[name] = layer
        if entry["class_name"] == "InputLayer":
            outputs[(name, 0)] = [layer._input_tensor]
        for i, node in enumerate(entry.get("inbound_nodes", [])):
            pending.append((name, i, _legacy_node(node)))

    def resolve(v):
        if _is_ref(v):
            name, node_index, tensor_index = _history(v)
            return outputs[(name, node_index)][tensor_index]
        return v

    def ready(node):
        refs = _refs((node["args"], node["kwargs"]))
        return all((_history(v)[0], _history(v)[1]) in outputs for v in refs)

    while pending:
        progressed = False
        for item in list(pending):
            name, index, node = item
            if not ready(node):
                continue
            args = _decode(resolve, node["args"])
            kwargs = _decode(resolve, node["kwargs"])
            out = layers[name](*args, **kwargs)
            outputs[(name, index)] = flatten(out)
            pending.remove(item)
            progressed = True
        if not progressed:
            names = sorted({p[0] for p in pending})
            raise ValueError(f"Model config is inconsistent: the calls of layers {names} "
                             "refer to tensors that no layer produces.")

    def output_of(ref):
        name, node_index, tensor_index = ref
        return outputs[(name, node_index)][tensor_index]

    inputs = _map_refs(output_of, config["input_layers"])
    outs = _map_refs(output_of, config["output_layers"])
    if any(not isinstance(n, dict) for e in config["layers"] for n in e.get("inbound_nodes", [])):
        # Keras 2 lists every model's inputs and outputs, one tensor or more; a model
        # of one input or output is called and predicts with a bare tensor, as there.
        inputs = inputs[0] if isinstance(inputs, list) and len(inputs) == 1 else inputs
        outs = outs[0] if isinstance(outs, list) and len(outs) == 1 else outs
    return cls(inputs, outs, name=config.get("name"), trainable=config.get("trainable", True))


def _refs(structure):
    if _is_ref(structure):
        return [structure]
    if isinstance(structure, dict):
        return [r for v in structure.values() for r in _refs(v)]
    if isinstance(structure, (list, tuple)):
        return [r for v in structure for r in _refs(v)]
    return []


def _decode(resolve, structure):
    # Like map_structure, but a tensor reference (a dict) is a leaf.
    if _is_ref(structure):
        return resolve(structure)
    if isinstance(structure, dict):
        return {k: _decode(resolve, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_decode(resolve, v) for v in structure)
    return structure


def _map_refs(fn, structure):
    # A reference is a [name, node, tensor] triple; anything else is a container.
    if isinstance(structure, list) and len(structure) == 3 and isinstance(structure[0], str):
        return fn(structure)
    if isinstance(structure, dict):
        return {k: _map_refs(fn, v) for k, v in structure.items()}
    return [_map_refs(fn, s) for s in structure]
