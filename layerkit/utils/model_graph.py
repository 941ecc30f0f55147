"""The graph plot_model draws: one box per layer call of a model, with the label lines
Keras shows (name and class, shapes, dtype, activation, trainable), and the edges
between them; nested models are drawn as one box or, with expand_nested, as their own
layers inside a cluster. Read from the model's functional graph by duck typing, so
this module imports no floor above utils."""


class GraphNode:
    def __init__(self, key, lines, cluster=None):
        self.key = key
        self.lines = lines
        self.cluster = cluster  # the nested model's name, with expand_nested


def _functional(model):
    graph = getattr(model, "_functional", None)
    if graph is not None:
        return graph
    if getattr(model, "_graph_node_ids", None) is not None:
        return model
    return None


def _shape_text(tensors):
    shapes = [str(tuple(t.shape)) for t in tensors]
    if not shapes:
        return "?"
    return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"


def _is_model(layer):
    return _functional(layer) is not None and hasattr(layer, "fit")


def _activation_name(layer):
    fn = getattr(layer, "activation", None)
    name = getattr(fn, "__name__", None)
    return name if name and name != "linear" else None


def _label(layer, node, options):
    name, cls = layer.name, type(layer).__name__
    if type(layer).__name__ == "Functional":
        cls = "Model"
    lines = [f"{name}: {cls}" if options["show_layer_names"] else cls]
    if options["show_layer_activations"]:
        act = _activation_name(layer)
        if act:
            lines.append(f"activation: {act}")
    if options["show_dtype"]:
        outs = node.output_tensors if node is not None else []
        lines.append(f"dtype: {outs[0].dtype if outs else layer.dtype}")
    if options["show_shapes"] and node is not None:
        inputs = node.input_tensors or node.output_tensors
        lines.append(f"input: {_shape_text(inputs)}")
        lines.append(f"output: {_shape_text(node.output_tensors)}")
    if options["show_trainable"]:
        lines.append(f"trainable: {'yes' if layer.trainable else 'no'}")
    return lines


def build_graph(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                expand_nested=False, show_layer_activations=False, show_trainable=False):
    """(nodes, edges): GraphNode list in layer order and (from key, to key) pairs."""
    graph = _functional(model)
    if graph is None:
        if not getattr(model, "built", False):
            raise ValueError(f'plot_model: model "{model.name}" is not built yet; call it on '
                             "data or build() it first, so its layers and shapes are known.")
        raise ValueError(f'plot_model: model "{model.name}" is a subclassed model with no '
                         "layer graph to draw; build it with the functional API or "
                         "Sequential to plot it.")
    options = dict(show_shapes=show_shapes, show_dtype=show_dtype,
                   show_layer_names=show_layer_names,
                   show_layer_activations=show_layer_activations,
                   show_trainable=show_trainable)
    nodes, edges = [], []
    _add_graph(graph, "", None, expand_nested, options, nodes, edges)
    return nodes, edges


def _add_graph(graph, prefix, cluster, expand, options, nodes, edges):
    """Adds graph's layer calls; returns {id(output tensor): key that produced it} and
    the keys its inputs enter at ({id(input tensor): [keys]})."""
    produced, entries = {}, {}
    for layer in graph.layers:
        for node in [n for n in layer._inbound_nodes if id(n) in graph._graph_node_ids]:
            key = f"{prefix}{layer.name}#{node.index}"
            if expand and _is_model(layer):
                inner = _functional(layer)
                inner_out, inner_in = _add_graph(inner, key + "/", layer.name, expand,
                                                 options, nodes, edges)
                for outer_t, inner_t in zip(node.input_tensors, inner._inputs):
                    for target in inner_in.get(id(inner_t), []):
                        _connect(outer_t, target, produced, entries, edges)
                for outer_t, inner_t in zip(node.output_tensors, inner._outputs):
                    produced[id(outer_t)] = inner_out.get(id(inner_t))
                continue
            nodes.append(GraphNode(key, _label(layer, node, options), cluster))
            for t in node.input_tensors:
                _connect(t, key, produced, entries, edges)
            for t in node.output_tensors:
                produced[id(t)] = key
            if not node.input_tensors:  # an InputLayer: the graph's inputs enter here
                for t in node.output_tensors:
                    entries.setdefault(id(t), []).append(key)
    return produced, entries


def _connect(tensor, key, produced, entries, edges):
    source = produced.get(id(tensor))
    if source is not None:
        if (source, key) not in edges:
            edges.append((source, key))
    else:
        entries.setdefault(id(tensor), []).append(key)


def to_dot(nodes, edges, rankdir="TB", dpi=200, name="G"):
    """The graph as Graphviz DOT text (record-less boxes, as Keras draws them)."""
    out = [f'digraph "{name}" {{', f"  graph [rankdir={rankdir}, dpi={dpi}, concentrate=true];",
           '  node [shape=record, fontname="Helvetica"];']
    clusters = {}
    for n in nodes:
        clusters.setdefault(n.cluster, []).append(n)
    for cluster, members in clusters.items():
        indent = "  "
        if cluster is not None:
            out.append(f'  subgraph "cluster_{cluster}" {{ label="{_escape(cluster)}"; '
                       "style=dashed;")
            indent = "    "
        for n in members:
            label = "\\n".join(_escape(line) for line in n.lines)
            out.append(f'{indent}"{n.key}" [label="{label}"];')
        if cluster is not None:
            out.append("  }")
    out += [f'  "{a}" -> "{b}";' for a, b in edges]
    out.append("}")
    return "\n".join(out) + "\n"


def _escape(text):
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("{", "\\{")
            .replace("}", "\\}").replace("|", "\\|").replace("<", "\\<").replace(">", "\\>"))
