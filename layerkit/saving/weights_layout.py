"""Where each layer's Variables live in a Keras 3 weights file (model.weights.h5).

Keras 3 walks the model as an object tree: a layer's own Variables go to
"<path>/vars/0", "/1" … (trainable-when-tracked first, as `layer._own_variables`
lists them); a Sequential or functional model puts its `layers` under
"layers/<name>", where <name> is the snake-case class name made unique in that
list ("dense", "dense_1", "input_layer"), not the layer's own name; any other
sublayer goes under its attribute name, attributes in sorted order with private
ones last; a list of sublayers under the attribute, named as `layers` are. The
optimizer's Variables go to "optimizer/vars". A layer met twice (shared) is stored
once, at its first path. Walking a layerkit model the same way gives the same
paths, so files pass both ways; it is generic, so layers written later (recurrent,
attention) fit as long as their attributes carry Keras's names.
"""
from layerkit.engine.common.naming import to_snake_case
from layerkit.layers.layer import Layer

# Bookkeeping attributes of layerkit's Layer, Model, Sequential and Functional: never
# a child in the file (Keras skips its own internals the same way).
_INTERNAL = {
    "_layers", "_functional", "_stack", "_graph_layers", "_run_nodes", "_inputs", "_outputs",
    "_input_struct", "_output_struct", "_nodes_by_depth", "_graph_node_ids", "optimizer",
    "compiled_loss", "compiled_metrics", "_loss_tracker", "_output_loss_trackers", "_runners",
    "history", "_inbound_nodes", "_outer", "_seed_generators", "_own_variables",
}


def _name_key(name):
    # Keras visits private attributes last.
    return "~" + name if name.startswith("_") else name


def _is_graph_model(obj):
    from layerkit.models.functional import Functional
    from layerkit.models.sequential import Sequential
    return isinstance(obj, (Sequential, Functional))


def _public_properties(layer):
    """Public properties of the layer's class: Keras walks `dir()`, so a sublayer held as
    `_key_dense` and exposed as the property `key_dense` is stored under the public name."""
    return {name for name in dir(type(layer))
            if not name.startswith("_") and isinstance(getattr(type(layer), name, None), property)}


def _attribute(layer, attr):
    try:
        return getattr(layer, attr)
    except Exception:   # a property that cannot be read yet (unbuilt) holds no sublayer
        return None


def _children(layer):
    if _is_graph_model(layer):
        yield "layers", list(layer.layers)
    for attr in sorted(set(vars(layer)) | _public_properties(layer), key=_name_key):
        if attr in _INTERNAL or attr.startswith("__"):
            continue
        value = _attribute(layer, attr)
        if isinstance(value, Layer):
            yield attr, value
        elif isinstance(value, (list, tuple, dict)):
            items = list(value.values()) if isinstance(value, dict) else list(value)
            if items and any(isinstance(v, Layer) for v in items):
                yield attr, items


def _join(path, name):
    return f"{path}/{name}" if path else name


def layer_paths(model):
    """[(path, layer)] for every layer of `model` (the model itself at "") in Keras 3's
    walk order; the layer's own Variables belong at path + "/vars"."""
    out, seen = [], set()

    def walk(layer, path):
        if id(layer) in seen:
            return
        seen.add(id(layer))
        out.append((path, layer))
        for attr, child in _children(layer):
            if isinstance(child, Layer):
                walk(child, _join(path, attr))
                continue
            used = {}
            for item in child:
                if isinstance(item, Layer):
                    walk(item, _join(_join(path, attr), _unique(type(item).__name__, used)))

    walk(model, "")
    return out


def _unique(class_name, used):
    name = to_snake_case(class_name)
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name
