"""A Lambda whose function needs the graph (K.gradients on its input), run as Keras 2
ran it: the function is called once on symbolic stand-ins of its inputs, recording
the graph (op nodes and the gradient record), and that graph is evaluated on the
real values by graph_eval's Plan, the machinery behind K.function. The evaluation is
plain engine code, so inside a training step it is traced (JAX) or recorded
(PyTorch) with the rest of the step. See layers/symbolic_function.py for the hook."""
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.layers.call_context import current_training
from layerkit.layers.input_layer import Input
from layerkit.layers.symbolic_function import register_symbolic_runner
from layerkit.legacy.graph_eval import Plan
from layerkit.utils.tree import flatten, map_structure, pack_sequence_as


def _key(inputs):
    return tuple((tuple(t.shape[1:]), str(t.dtype)) for t in flatten(inputs))


def run_lambda_symbolically(layer, inputs, kwargs):
    plans = layer.__dict__.setdefault("_graph_plans", {})
    key = _key(inputs)
    if key not in plans:
        stand_ins = map_structure(
            lambda t: Input(batch_shape=(None,) + tuple(t.shape[1:]), dtype=str(t.dtype)),
            inputs)
        static = {k: v for k, v in kwargs.items() if k not in ("mask", "training")}
        outputs = layer.function(stand_ins, **static)
        flat = flatten(outputs)
        for i, t in enumerate(flat):
            if not isinstance(t, SymbolicTensor):
                raise TypeError(f'Lambda "{layer.name}": output {i} of its function is not '
                                f"computed from its inputs ({type(t).__name__}).")
        plans[key] = (Plan(flatten(stand_ins), flat, f'Lambda "{layer.name}"'), outputs)
    plan, structure = plans[key]
    training = kwargs.get("training")
    training = current_training() if training is None else training
    values, _ = plan.run(flatten(inputs), [v.value for v in plan.state], bool(training))
    return pack_sequence_as(structure, values)


register_symbolic_runner(run_lambda_symbolically)
