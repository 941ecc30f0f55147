"""Output specs of ops whose shapes abstract evaluation cannot give, as Keras 3's
`compute_output_spec` gives them: data-dependent sizes are None (nonzero, unique,
bincount, one-argument where), and control flow whose path depends on a symbolic
value takes its shapes from its callables (cond, switch) or loop variables
(while_loop). A rule returns None to leave an op to abstract evaluation."""
import numpy as np

from layerkit import engine as _engine
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.ops import dispatch as _dispatch
from layerkit.utils import tree


def _rule(*names):
    def register(fn):
        for name in names:
            _dispatch.SPEC_RULES[name] = fn
        return fn
    return register


def _zeros(x):
    """A small concrete stand-in of a symbolic (or concrete) tensor, for dtypes."""
    if isinstance(x, SymbolicTensor):
        return np.zeros(tuple(1 if d is None else d for d in x.shape), x.dtype)
    return x


def _dtype_of(fn, *args, **kwargs):
    """The dtypes `fn` gives on stand-ins of its arguments (one per output)."""
    out = fn(*[_zeros(a) for a in args], **{k: _zeros(v) for k, v in kwargs.items()})
    return [_engine.standardize_dtype(o.dtype) for o in tree.flatten(out)]


def _as_spec(x):
    """A fresh SymbolicTensor of x's shape and dtype (never x itself: the node's
    outputs get their own history)."""
    return SymbolicTensor(tuple(x.shape), x.dtype)


@_rule("size", "numpy.size")
def size(x):
    return SymbolicTensor((), "int32")


@_rule("nonzero", "numpy.nonzero")
def nonzero(x):
    return tuple(SymbolicTensor((None,), "int32") for _ in range(len(x.shape)))


@_rule("where", "numpy.where")
def where(condition, x1=None, x2=None):
    if x1 is None and x2 is None:
        return nonzero(condition)
    return None


@_rule("unique", "numpy.unique")
def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    from layerkit.ops import numpy as ops_numpy
    dtypes = _dtype_of(ops_numpy.unique, x, sorted, return_index, return_inverse,
                       return_counts, axis, size, fill_value)
    if axis is None:
        values, inverse = (size,), tuple(x.shape)
    else:
        axis = axis % len(x.shape)
        values = tuple(size if i == axis else d for i, d in enumerate(x.shape))
        inverse = (x.shape[axis],)
    shapes = [values]
    shapes += [(size,)] if return_index else []
    shapes += [inverse] if return_inverse else []
    shapes += [(size,)] if return_counts else []
    specs = tuple(SymbolicTensor(s, d) for s, d in zip(shapes, dtypes))
    return specs[0] if len(specs) == 1 else specs


@_rule("bincount", "numpy.bincount")
def bincount(x, weights=None, minlength=0, sparse=False):
    if sparse:
        raise TypeError("bincount: sparse=True cannot take a symbolic tensor (an Input or a "
                        "layer's output): layerkit's functional graph carries dense tensors. "
                        "Use sparse=False.")
    from layerkit.ops import numpy as ops_numpy
    (dtype,) = _dtype_of(ops_numpy.bincount, x, weights, minlength, sparse)
    return SymbolicTensor(tuple(x.shape[:-1]) + (None,), dtype)


def _branch_spec(fn, *operands):
    out = _engine.core.compute_output_spec(fn, *operands)
    return tree.map_structure(_as_spec, out)


@_rule("cond", "core.cond")
def cond(pred, true_fn, false_fn):
    outputs = [branch() for branch in (true_fn, false_fn)]
    for branch, out in zip(("true_fn", "false_fn"), outputs):
        if any(isinstance(s, SymbolicTensor) for s in tree.flatten(out)):
            raise ValueError(
                f"cond: {branch} computes on symbolic tensors it captures (a closure over "
                "an Input or a layer's output); a graph node can only take its operands "
                "as arguments. Pass them explicitly with ops.switch(ops.cast(pred, 'int32'), "
                "[false_fn, true_fn], *operands), or use cond inside a layer's call.")
    specs = [tree.map_structure(_as_spec, out) for out in outputs]
    _check_same("cond", *specs)
    return specs[0]


@_rule("switch", "control_flow.switch")
def switch(index, branches, *operands):
    specs = [_branch_spec(b, *operands) for b in branches]
    for other in specs[1:]:
        _check_same("switch", specs[0], other)
    return specs[0]


@_rule("while_loop", "control_flow.while_loop")
def while_loop(cond, body, loop_vars, maximum_iterations=None):
    # The body returns loop variables of the same structure, shapes and dtypes.
    specs = tree.map_structure(_as_spec, loop_vars)
    return tuple(specs) if isinstance(specs, list) else specs


def _check_same(op, a, b):
    flat_a, flat_b = tree.flatten(a), tree.flatten(b)
    same = len(flat_a) == len(flat_b) and all(
        x.shape == y.shape and x.dtype == y.dtype for x, y in zip(flat_a, flat_b))
    if not same:
        raise ValueError(
            f"{op}: every branch must return the same structure, shapes and dtypes; received "
            f"{[(x.shape, x.dtype) for x in flat_a]} and {[(y.shape, y.dtype) for y in flat_b]}.")
