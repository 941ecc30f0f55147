"""OpLayer: a `layerkit.ops` function, Python arithmetic (`x + 1`, `x * y`, `-x`,
`x @ w`) or indexing (`x[:, 0]`) applied to symbolic tensors becomes a layer call, so the
operation is a node of the functional graph (Keras 3 does the same with `keras.ops`).

The layer stores the op's NAME (looked up in `layerkit.ops`) and its fixed arguments
(a lambda argument as its code: op_layer_codec.py); the symbolic operands are replaced by slots and become
the layer's inputs. Symbolic operands may be positional or keyword arguments, or items
of a list/tuple argument (`ops.concatenate([a, b])`).
"""
from layerkit import engine
from layerkit.engine.common import naming
from layerkit.engine.common.symbolic_tensor import SymbolicTensor, set_op_recorder
from layerkit.layers import op_layer_codec as codec
from layerkit.layers.layer import Layer

# Layer-name prefixes that differ from the op name.
_PREFIX = {"getitem": "get_item"}


def _resolve(op):
    """The ops function named `op` ("mean", or "numpy.tanh" for a shadowed name)."""
    from layerkit import ops
    from layerkit.ops.dispatch import GRAPH_OPS
    if op == "getitem":
        return None
    if not isinstance(op, str) or op not in GRAPH_OPS:
        raise ValueError(
            f"OpLayer: unknown operation {op!r}; expected 'getitem' or the name of a "
            "layerkit.ops function that returns tensors (e.g. 'mean', 'concatenate').")
    module, _, name = op.rpartition(".")
    # An op that `layerkit.ops` does not export (vectorize's mapped call) is found by
    # its registered name.
    return getattr(getattr(ops, module) if module else ops, name, None) or GRAPH_OPS[op]


class OpLayer(Layer):
    """One operation `op(*arguments, **kwargs)` on symbolic tensors and fixed values."""

    _drops_masks_silently = True   # as Keras's ops on a masked tensor

    def __init__(self, op, arguments=None, kwargs=None, name=None, **layer_kwargs):
        self._fn = _resolve(op)
        prefix = _PREFIX.get(op, op.rpartition(".")[2])
        super().__init__(name=name or naming.uniquify(prefix), **layer_kwargs)
        self.op = op
        owner = self._owner()
        self._arguments = [codec.decode(a, op, owner) for a in (arguments or [])]
        self._kwargs = {k: codec.decode(v, op, owner) for k, v in (kwargs or {}).items()}
        if op == "getitem" and len(self._arguments) != 2:
            raise ValueError(f'OpLayer "{self.name}": `getitem` takes 2 operands (a tensor '
                             f"and an index), received {len(self._arguments)}.")
        self._num_tensors = len(codec.leaves_of_type((self._arguments, self._kwargs), codec.Slot))
        for v in codec.variables_in((self._arguments, self._kwargs)):
            self._track_variable(v, freeze=False)
        self.built = True

    def _operands(self, inputs):
        tensors = list(inputs) if self._num_tensors > 1 else [inputs]
        if len(tensors) != self._num_tensors:
            raise ValueError(f'OpLayer "{self.name}" ({self.op}) expects '
                             f"{self._num_tensors} tensor(s), received {len(tensors)}.")
        args = codec.substitute(self._arguments, tensors)
        kwargs = {k: codec.substitute(v, tensors) for k, v in self._kwargs.items()}
        return args, kwargs

    def call(self, inputs):
        args, kwargs = self._operands(inputs)
        if self._fn is None:
            return args[0][args[1]]
        return self._fn(*args, **kwargs)

    def compute_output_spec(self, inputs, *args, **kwargs):
        from layerkit.ops.dispatch import SPEC_RULES
        rule = SPEC_RULES.get(self.op)
        if rule is not None:
            operands, keywords = self._operands(inputs)
            spec = rule(*operands, **keywords)
            if spec is not None:
                return spec
        try:
            return engine.compute_output_spec(self.call, inputs)
        except Exception as e:
            operands, keywords = self._operands(inputs)
            shapes = [a.shape if isinstance(a, SymbolicTensor) else a for a in operands]
            extra = f" and {keywords}" if keywords else ""
            raise ValueError(f'Operation "{self.name}" ({self.op}) cannot be applied to '
                             f"operands {shapes}{extra}: {e}") from e

    def _owner(self):
        return f'OpLayer "{self.name}" ({self.op})'

    def get_config(self):
        config = super().get_config()
        owner = self._owner()
        config.update({"op": self.op,
                       "arguments": [codec.encode(a, self.op, is_index=self._fn is None
                                                  and i == 1, owner=owner)
                                     for i, a in enumerate(self._arguments)]})
        if self._kwargs:
            config["kwargs"] = {k: codec.encode(v, self.op, owner=owner)
                                for k, v in self._kwargs.items()}
        return config

    def __repr__(self):
        return f"<OpLayer name={self.name}, op={self.op}, operands={self._arguments}>"


def _to_slots(value, tensors):
    """`value` with each symbolic tensor replaced by a slot (appended to `tensors`)."""
    if isinstance(value, SymbolicTensor):
        tensors.append(value)
        return codec.Slot(len(tensors) - 1)
    if isinstance(value, (list, tuple)):
        return type(value)(_to_slots(v, tensors) for v in value)
    if isinstance(value, dict):
        return {k: _to_slots(v, tensors) for k, v in value.items()}
    return value


def symbolic_call(op, args, kwargs):
    """Records `op(*args, **kwargs)` as an OpLayer call; some argument is symbolic."""
    tensors = []
    arguments = _to_slots(list(args), tensors)
    keywords = _to_slots(dict(kwargs), tensors)
    layer = OpLayer(op, arguments=arguments, kwargs=keywords)
    return layer(tensors[0] if len(tensors) == 1 else tensors)


def symbolic_op(name, *operands):
    """Records `name(*operands)` as an OpLayer call; at least one operand is symbolic."""
    return symbolic_call(name, operands, {})


# Ops and arithmetic on symbolic tensors (in the seam and in layerkit.ops, below this
# floor) reach the graph through this hook.
set_op_recorder(symbolic_call)
