"""Control flow on PyTorch (Keras 3 `keras.ops` names). PyTorch runs eagerly, so
each loop is a Python loop whose steps autograd records (as torch's own recurrent
code does); vectorized_map is torch.vmap, associative_scan runs in log2(n) vectorised
steps, and custom_gradient is a torch.autograd.Function."""
import builtins

import torch

from layerkit.engine.common.variables import Variable as _Variable
from layerkit.engine.torch.core import convert_to_tensor
from layerkit.utils import tree


def _t(x):
    return x if isinstance(x, torch.Tensor) else convert_to_tensor(x)


def _stack(outputs):
    """A list of equally structured results -> one structure of stacked tensors."""
    leaves = [tree.flatten(o) for o in outputs]
    stacked = [torch.stack([_t(v) for v in column]) for column in zip(*leaves)]
    return tree.pack_sequence_as(outputs[0], stacked)


def switch(index, branches, *operands):
    index = builtins.min(builtins.max(int(index), 0), len(branches) - 1)
    return branches[index](*operands)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    if xs is None and length is None:
        raise ValueError("scan: give `xs` or `length` (the number of steps).")
    leaves = [_t(x) for x in tree.flatten(xs)] if xs is not None else []
    init = tree.map_structure(lambda v: v if v is None else _t(v), init)
    n = length if length is not None else int(leaves[0].shape[0])
    carry, outputs = init, []
    for i in (range(n - 1, -1, -1) if reverse else range(n)):
        x = None if xs is None else tree.pack_sequence_as(xs, [leaf[i] for leaf in leaves])
        carry, y = f(carry, x)
        outputs.append(y)
    if reverse:
        outputs.reverse()
    if not outputs:
        return carry, None
    return carry, None if tree.flatten(outputs[0]) == [None] else _stack(outputs)


def fori_loop(lower, upper, body_fun, init_val):
    value = init_val
    for i in range(int(lower), int(upper)):
        value = body_fun(i, value)
    return value


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    is_sequence = isinstance(loop_vars, (tuple, list))
    state = tuple(loop_vars) if is_sequence else (loop_vars,)
    steps = 0
    while (maximum_iterations is None or steps < maximum_iterations) and bool(cond(*state)):
        out = body(*state)
        state = tuple(out) if is_sequence else (out,)
        steps += 1
    return state if is_sequence else state[0]


def map(f, xs):
    leaves = [_t(x) for x in tree.flatten(xs)]
    return _stack([f(tree.pack_sequence_as(xs, [leaf[i] for leaf in leaves]))
                   for i in range(int(leaves[0].shape[0]))])


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan of an associative `f` (elementwise over its arguments): in step
    k every element combines with the one 2^k places before it (Hillis-Steele), so
    n elements take ceil(log2 n) calls of `f`."""
    leaves = [_t(x) for x in tree.flatten(elems)]
    leaves = [torch.movedim(x, axis, 0) for x in leaves]
    if reverse:
        leaves = [torch.flip(x, (0,)) for x in leaves]
    n, shift = leaves[0].shape[0], 1
    while shift < n:
        earlier = tree.pack_sequence_as(elems, [x[:-shift] for x in leaves])
        later = tree.pack_sequence_as(elems, [x[shift:] for x in leaves])
        combined = [_t(c) for c in tree.flatten(f(earlier, later))]
        leaves = [torch.cat([x[:shift], c], dim=0) for x, c in zip(leaves, combined)]
        shift *= 2
    if reverse:
        leaves = [torch.flip(x, (0,)) for x in leaves]
    return tree.pack_sequence_as(elems, [torch.movedim(x, 0, axis) for x in leaves])


def vectorized_map(function, elements):
    return torch.vmap(function)(tree.map_structure(_t, elements))


def custom_gradient(f):
    """`f(*args)` returns (output, grad_fn); grad_fn(upstream) gives the gradients of
    the arguments (one, or a tuple of them)."""

    class _Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *args):
            output, grad_fn = f(*args)
            ctx.grad_fn = grad_fn
            return output

        @staticmethod
        def backward(ctx, *upstream):
            grads = ctx.grad_fn(*upstream)
            return tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)

    def call(*args):
        args = [a.value if isinstance(a, _Variable) else a for a in args]
        return _Function.apply(*args)

    return call
