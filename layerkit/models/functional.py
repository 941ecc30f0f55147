"""Functional: a model defined by a graph of layer calls from Input tensors to outputs.

The runner carries masks beside the tensors (engine/common/masking.py says how masks
travel): a graph none of whose tensors has a mask spec runs the plain loop.
"""
import warnings

from layerkit import engine
from layerkit.engine.common import masking
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.layers.argument_masks import argument_masks
from layerkit.layers.call_context import CALL_CONTEXT
from layerkit.layers.input_layer import InputLayer
from layerkit.layers.preprocessing.host_layer import host_stage_active, is_string_array
from layerkit.utils.tree import flatten, map_structure
from layerkit.models.model import Model


class Functional(Model):
    # Inputs reach the graph's layers uncast; each casts to its own policy (Keras 3).
    _autocast_inputs = False

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        if name is None and type(self) is Functional:
            from layerkit.engine.common import naming
            name = naming.uniquify("model")   # Keras 2 names graph models model, model_1
        super().__init__(name=name, trainable=trainable, **kwargs)
        # Tuples are read as lists, as Keras does.
        self._input_struct = list(inputs) if isinstance(inputs, tuple) else inputs
        self._output_struct = list(outputs) if isinstance(outputs, tuple) else outputs
        self._inputs = flatten(self._input_struct)
        self._outputs = flatten(self._output_struct)
        for t in self._inputs + self._outputs:
            if not isinstance(t, SymbolicTensor):
                raise ValueError(
                    "Model(inputs, outputs): every input and output must be a symbolic tensor "
                    f"made with Input() and layer calls; received {type(t).__name__}: {t!r:.80}")
        self._map_graph()
        self.built = True
        # A model passes its output masks on (Keras 3 does at run time).
        self.supports_masking = True
        self._makes_masks = self._has_masks

    # --- graph --------------------------------------------------------
    def _map_graph(self):
        input_ids = {id(t) for t in self._inputs}
        order = {}          # layer id -> pre-order discovery index (tie-break)
        nodes = []          # post-order: parents before children
        seen_nodes = set()
        node_depth = {}

        def visit(tensor):
            if tensor._history is None:
                raise ValueError(f"Model(inputs, outputs): the tensor {tensor!r} was not made "
                                 "by Input() or a layer call, so it has no place in a graph.")
            layer, node_index, _ = tensor._history
            node = layer._inbound_nodes[node_index]
            order.setdefault(id(layer), (len(order), layer))
            if id(node) in seen_nodes:
                return node
            seen_nodes.add(id(node))
            if id(tensor) not in input_ids:
                if node.is_input:
                    raise ValueError(
                        f'Graph disconnected: cannot obtain value for tensor {tensor.name or tensor} '
                        f'at layer "{layer.name}". Pass that Input to Model(inputs=...).')
                for t in node.input_tensors:
                    visit(t)
            nodes.append((node, id(tensor) in input_ids))
            return node

        for t in self._outputs:
            visit(t)
        # Depth: outputs are 0; an inbound node is one deeper than its deepest consumer.
        for node, is_model_input in reversed(nodes):
            depth = node_depth.setdefault(id(node), 0)
            if is_model_input:
                continue
            for parent in node.parent_nodes:
                node_depth[id(parent)] = max(node_depth.get(id(parent), 0), depth + 1)
        layer_depth = {}
        for node, _ in nodes:
            lid = id(node.layer)
            layer_depth[lid] = max(layer_depth.get(lid, 0), node_depth[id(node)])
        # Input layers of the model come first, in the order of `inputs`.
        input_layers = []
        for t in self._inputs:
            layer = t._history[0]
            if all(layer is not l for l in input_layers):
                input_layers.append(layer)
        others = [layer for _, layer in sorted(order.values(), key=lambda p: p[0])
                  if all(layer is not l for l in input_layers)]
        others.sort(key=lambda l: (-layer_depth[id(l)], order[id(l)][0]))
        self._graph_layers = input_layers + others
        object.__setattr__(self, "_layers", list(self._graph_layers))
        run_nodes = [n for n, is_in in nodes if not is_in and not isinstance(n.layer, InputLayer)]
        run_nodes.sort(key=lambda n: -node_depth[id(n)])
        self._run_nodes = run_nodes
        self._nodes_by_depth = node_depth
        self._graph_node_ids = {id(n) for n, _ in nodes}
        self._has_masks = any(t._keras_mask is not None for n, _ in nodes
                              for t in n.output_tensors + n.input_tensors)

    @property
    def layers(self):
        return list(self._graph_layers)

    @property
    def inputs(self):
        return list(self._inputs)

    @property
    def outputs(self):
        return list(self._outputs)

    @property
    def input_names(self):
        return [t._history[0].name for t in self._inputs]

    @property
    def output_names(self):
        if isinstance(self._output_struct, dict):
            return list(self._output_struct.keys())
        return [t._history[0].name for t in self._outputs]

    @property
    def input(self):
        return self._input_struct if not isinstance(self._input_struct, tuple) else list(self._input_struct)

    @property
    def output(self):
        return self._output_struct

    @property
    def input_shape(self):
        shapes = [t.shape for t in self._inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self._outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    # --- running ------------------------------------------------------
    def _flatten_inputs(self, inputs):
        if isinstance(inputs, dict):
            names = self.input_names
            if isinstance(self._input_struct, dict):
                keys = list(self._input_struct.keys())
            else:
                keys = names
            missing = [k for k in keys if k not in inputs]
            if missing:
                raise ValueError(f'Model "{self.name}": missing input(s) {missing}; the model '
                                 f"expects keys {keys}, received {sorted(inputs)}.")
            return [inputs[k] for k in keys]
        flat = flatten(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(flat) != len(self._inputs):
            raise ValueError(f'Model "{self.name}" expects {len(self._inputs)} input(s), '
                             f"but it received {len(flat)} input tensors.")
        return flat

    def _plan(self):
        """Per node: (layer, single input id or None, args, kwargs, output ids)."""
        plan = self.__dict__.get("_cached_plan")
        if plan is None:
            plan = []
            for node in self._run_nodes:
                single = None
                if len(node.call_args) == 1 and isinstance(node.call_args[0], SymbolicTensor) \
                        and not node.call_kwargs:
                    single = id(node.call_args[0])
                plan.append((node.layer, single, node.call_args, node.call_kwargs,
                             [id(t) for t in node.output_tensors]))
            self.__dict__["_cached_plan"] = plan
        return plan

    def _check_input_shapes(self, flat):
        """Raises for data of another rank than an Input; returns a description of the
        trailing dimensions that differ (None if none do): Keras 2 did not check them,
        so such data runs, with a warning, wherever the layers can compute it."""
        differing = []
        for t, x in zip(self._inputs, flat):
            shape = getattr(x, "shape", None)
            if shape is None:
                continue
            want = t.shape
            if len(shape) != len(want):
                raise ValueError(
                    f'Input "{t._history[0].name}" of model "{self.name}" is incompatible: '
                    f"expected shape {want}, but received shape {tuple(shape)}.")
            if any(w is not None and w != g for w, g in zip(want[1:], tuple(shape)[1:])):
                differing.append(f'input "{t._history[0].name}" expects shape {want}, '
                                 f"received {tuple(shape)}")
        return "; ".join(differing) or None

    def call(self, inputs, training=None, mask=None):
        flat = self._flatten_inputs(inputs)
        # While the host stage's outputs stand in for string inputs, their shapes differ
        # from the Inputs' (checked on the host before the stage ran).
        differing = None if host_stage_active() else self._check_input_shapes(flat)
        if differing is None:
            return self._call_flat(flat, mask)
        warnings.warn(f'Model "{self.name}": {differing}. Running it anyway, as Keras 2 '
                      "did; check that this data is meant for this model.")
        try:
            return self._call_flat(flat, mask)
        except Exception as e:
            raise ValueError(f'Model "{self.name}" cannot run on this data: {differing} '
                             f"({type(e).__name__}: {e})") from e

    def _call_flat(self, flat, mask):
        """The graph run on inputs that call() has checked."""
        masks = self._input_masks(flat, mask)
        if masks is None:
            return self._run(flat, checked=True)
        outputs, out_masks = self._run_masked(flat, masks, checked=True)
        for t, m in zip(flatten(outputs), out_masks):
            if m is not None:
                masking.set_keras_mask(t, m)
        return outputs

    def _input_masks(self, flat, mask):
        """{input id: mask} when masks take part in this run, else None (the plain loop)."""
        if mask is not None:
            given = flatten(mask) if isinstance(mask, (list, tuple, dict)) else [mask]
            if len(given) != len(self._inputs):
                raise ValueError(f'Model "{self.name}" has {len(self._inputs)} input(s) but '
                                 f"received {len(given)} mask(s).")
        elif masking.LIVE:
            given = [masking.get_keras_mask(x) for x in flat]
        else:
            given = ()
        if not self._has_masks and not any(m is not None for m in given):
            return None
        return {id(t): m for t, m in zip(self._inputs, given) if m is not None}

    def _values(self, flat, checked=False):
        # While the host stage's outputs stand in for string inputs, their shapes differ
        # from the Inputs' (checked on the host before the stage ran).
        if not checked and not host_stage_active():
            self._check_input_shapes(flat)
        values = {}
        for t, x in zip(self._inputs, flat):
            if is_string_array(x):
                pass   # strings stay numpy arrays, for the host layers that read them
            elif not engine.is_tensor(x):
                x = engine.convert_to_tensor(x, dtype=t.dtype if t.dtype.startswith("float") else None)
            values[id(t)] = x
        return values

    def _run(self, flat, checked=False):
        values = self._values(flat, checked)

        def fetch(v):
            return values[id(v)] if isinstance(v, SymbolicTensor) else v

        CALL_CONTEXT.checked_graph += 1
        try:
            for layer, single, call_args, call_kwargs, out_ids in self._plan():
                if single is not None:
                    out = layer(values[single])
                else:
                    out = layer(*map_structure(fetch, call_args),
                                **map_structure(fetch, call_kwargs))
                if len(out_ids) == 1:
                    values[out_ids[0]] = out if not isinstance(out, (list, tuple)) else flatten(out)[0]
                else:
                    for i, v in zip(out_ids, flatten(out)):
                        values[i] = v
        finally:
            CALL_CONTEXT.checked_graph -= 1
        return map_structure(lambda t: values[id(t)], self._output_struct)

    def _run_masked(self, flat, masks, checked=False):
        """The graph run with masks: returns (outputs, [mask of each flat output])."""
        values = self._values(flat, checked)

        def fetch(v):
            return values[id(v)] if isinstance(v, SymbolicTensor) else v

        def fetch_mask(v):
            return masks.get(id(v)) if isinstance(v, SymbolicTensor) else None

        CALL_CONTEXT.checked_graph += 1
        try:
            for layer, single, call_args, call_kwargs, out_ids in self._plan():
                if single is not None:
                    args, kwargs, previous = (values[single],), {}, masks.get(single)
                else:
                    args = map_structure(fetch, call_args)
                    kwargs = map_structure(fetch, call_kwargs)
                    previous = map_structure(fetch_mask, call_args[0]) if call_args else None
                    extra = argument_masks(layer, call_args, call_kwargs, fetch_mask)
                    if extra:
                        kwargs = {**kwargs, **extra}
                if masking.any_mask(previous) or kwargs.get("mask") is not None or (
                        layer._makes_masks and layer.supports_masking):
                    out, out_mask = layer._graph_call(args, kwargs, previous)
                else:
                    out, out_mask = layer(*args, **kwargs), None
                flat_out = [out] if len(out_ids) == 1 and not isinstance(out, (list, tuple)) \
                    else flatten(out)
                flat_masks = flatten(out_mask)
                for i, (oid, v) in enumerate(zip(out_ids, flat_out)):
                    values[oid] = v
                    m = flat_masks[i] if i < len(flat_masks) else None
                    if m is not None:
                        masks[oid] = m
                    else:
                        masks.pop(oid, None)
        finally:
            CALL_CONTEXT.checked_graph -= 1
        outputs = map_structure(lambda t: values[id(t)], self._output_struct)
        return outputs, [masks.get(id(t)) for t in self._outputs]

    def compute_mask(self, inputs, mask=None):
        """The output masks of the graph for these inputs and input masks (Keras 2's
        Functional.compute_mask); None where no output is masked."""
        flat = self._flatten_inputs(inputs)
        masks = self._input_masks(flat, mask)
        if masks is None:
            return None
        _, out_masks = self._run_masked(flat, masks)
        if all(m is None for m in out_masks):
            return None
        return out_masks[0] if len(out_masks) == 1 else out_masks

    def _output_mask(self, inputs, outputs, previous_mask):
        # call() attached the output masks already: read them instead of running again.
        masks = [masking.get_keras_mask(t) for t in flatten(outputs)]
        if all(m is None for m in masks):
            return None
        return masks[0] if len(masks) == 1 else masks

    def compute_output_spec(self, *args, **kwargs):
        # The output masks' specs are set by the caller (Layer._symbolic_call).
        return map_structure(lambda t: SymbolicTensor(t.shape, t.dtype), self._output_struct)

    def get_config(self):
        from layerkit.models.functional_config import functional_get_config
        return functional_get_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from layerkit.models.functional_config import functional_from_config
        return functional_from_config(cls, config, custom_objects)
