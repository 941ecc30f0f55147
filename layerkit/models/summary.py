"""model.summary(): the Keras 2 table (the format the seed shows).

Sequential-like models get three columns (line length 65, positions
.45/.85/1); graphs with branches, merges or shared layers get a fourth,
"Connected to" (line length 98, positions .33/.55/.67/1).
"""
import numpy as np


def _count(weights):
    seen, total = set(), 0
    for w in weights:
        if id(w) not in seen:
            seen.add(id(w))
            total += int(np.prod(w.shape, dtype=np.int64))
    return total


def _graph(model):
    """The Functional graph behind the model, or None for subclassed models."""
    graph = getattr(model, "_functional", None)
    if graph is not None:
        return graph
    return model if getattr(model, "_run_nodes", None) is not None else None


def _relevant_nodes(layer, graph):
    if graph is None:
        return []
    return [n for n in layer._inbound_nodes if id(n) in graph._graph_node_ids]


def _is_sequential_like(model, graph):
    if graph is None or type(model).__name__ == "Sequential":
        return True
    by_depth = {}
    for node_id, depth in graph._nodes_by_depth.items():
        by_depth.setdefault(depth, []).append(node_id)
    nodes = {}
    for layer in graph.layers:
        for node in _relevant_nodes(layer, graph):
            nodes[id(node)] = node
    for ids in by_depth.values():
        if len(ids) > 1:
            return False
        node = nodes.get(ids[0])
        if node is not None and len(node.input_tensors) > 1:
            return False
    for layer in graph.layers:
        if len(_relevant_nodes(layer, graph)) > 1:
            return False
    return True


def _format_shape(shapes):
    if not shapes:
        return "multiple"
    first = shapes[0]
    if any(s != first for s in shapes[1:]):
        return "multiple"
    if isinstance(first, list):
        return "[" + ", ".join(_tuple_str(s) for s in first) + "]"
    return _tuple_str(first)


def _tuple_str(shape):
    return str(tuple(shape))


def _output_shapes(layer, graph):
    shapes = []
    for node in _relevant_nodes(layer, graph):
        outs = [tuple(t.shape) for t in node.output_tensors]
        shapes.append(outs[0] if len(outs) == 1 else outs)
    return shapes


def _connections(layer, graph):
    out = []
    for node in _relevant_nodes(layer, graph):
        for t in node.input_tensors:
            inbound, node_index, tensor_index = t._history
            out.append(f"{inbound.name}[{node_index}][{tensor_index}]")
    return out


def _print_row(fields, positions, print_fn):
    line = ""
    for i, field in enumerate(fields):
        if i > 0:
            line = line[:-1] + " "
        line += str(field)
        line = line[:positions[i]]
        line += " " * (positions[i] - len(line))
    print_fn(line)


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False, layer_range=None):
    print_fn = print_fn or print
    graph = _graph(model)
    sequential_like = _is_sequential_like(model, graph)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [0.33, 0.55, 0.67, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if len(positions) != len(headers):
        raise ValueError(f"summary: positions needs {len(headers)} entries for this model, "
                         f"received {len(positions)}.")
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    layers = model.layers if graph is None or type(model).__name__ == "Sequential" else graph.layers
    if layer_range is not None:
        names = [l.name for l in layers]
        start, end = (names.index(layer_range[0]), names.index(layer_range[1]) + 1)
        layers = layers[start:end]
    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    _print_row(headers, positions, print_fn)
    print_fn("=" * line_length)
    for i, layer in enumerate(layers):
        shape = _format_shape(_output_shapes(layer, graph)) if graph is not None else "multiple"
        params = layer.count_params() if layer.built else 0
        name = f"{layer.name} ({type(layer).__name__})"
        if sequential_like:
            _print_row([name, shape, params], positions, print_fn)
        else:
            conns = _connections(layer, graph)
            _print_row([name, shape, params, conns[0] if conns else ""], positions, print_fn)
            for extra in conns[1:]:
                _print_row(["", "", "", extra], positions, print_fn)
        print_fn(("=" if i == len(layers) - 1 else "_") * line_length)
    if not layers:
        print_fn("=" * line_length)
    trainable = _count(model.trainable_weights)
    non_trainable = _count(model.non_trainable_weights)
    print_fn(f"Total params: {trainable + non_trainable:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {non_trainable:,}")
    print_fn("_" * line_length)
