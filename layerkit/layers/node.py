"""Node: one call of a layer on symbolic tensors, an edge set of the functional graph."""
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.utils.tree import flatten


class Node:
    def __init__(self, layer, call_args=(), call_kwargs=None, outputs=None):
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs or {}
        self.outputs = outputs
        self.input_tensors = [t for t in flatten((call_args, self.call_kwargs))
                              if isinstance(t, SymbolicTensor)]
        self.output_tensors = [t for t in flatten(outputs) if isinstance(t, SymbolicTensor)]
        self.index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for i, t in enumerate(self.output_tensors):
            t._history = (layer, self.index, i)

    @property
    def parent_nodes(self):
        parents = []
        for t in self.input_tensors:
            if t._history is not None:
                layer, node_index, _ = t._history
                parents.append(layer._inbound_nodes[node_index])
        return parents

    @property
    def is_input(self):
        return not self.input_tensors
