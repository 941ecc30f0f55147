"""`ops.rearrange`: einops' rearrange pattern ("b (h w) c -> b h w c") as one reshape
to the elementary axes, one transpose and one reshape to the output groups."""
import re

from layerkit.ops import dispatch as _dispatch
from layerkit.ops import numpy as _np

__all__ = ["rearrange"]

_TOKEN = re.compile(r"\(|\)|[A-Za-z_][A-Za-z0-9_]*|\S")


def _groups(side, pattern):
    """'b (h w) c' -> [['b'], ['h', 'w'], ['c']]."""
    groups, current = [], None
    for token in _TOKEN.findall(side):
        if token == "(":
            if current is not None:
                raise ValueError(f"rearrange: nested parentheses in pattern {pattern!r}.")
            current = []
        elif token == ")":
            if current is None:
                raise ValueError(f"rearrange: unbalanced ')' in pattern {pattern!r}.")
            groups.append(current)
            current = None
        elif token.isidentifier():
            if current is not None:
                current.append(token)
            else:
                groups.append([token])
        else:
            raise ValueError(f"rearrange: unexpected {token!r} in pattern {pattern!r}; axis "
                             "names, spaces and parentheses only.")
    if current is not None:
        raise ValueError(f"rearrange: unbalanced '(' in pattern {pattern!r}.")
    return groups


def _rearrange(tensor, pattern, **axes_lengths):
    if pattern.count("->") != 1:
        raise ValueError(f"rearrange: the pattern must have one '->'; received {pattern!r}.")
    left, right = (_groups(side, pattern) for side in pattern.split("->"))
    names_in = [n for g in left for n in g]
    names_out = [n for g in right for n in g]
    if sorted(names_in) != sorted(names_out) or len(set(names_in)) != len(names_in):
        raise ValueError(f"rearrange: both sides must name the same axes once each; received "
                         f"{pattern!r}.")
    tensor = _np.array(tensor) if not hasattr(tensor, "shape") else tensor
    shape = tuple(tensor.shape)
    if len(left) != len(shape):
        raise ValueError(f"rearrange: the pattern's input side has {len(left)} axes, the "
                         f"tensor has shape {shape}.")
    lengths = {}
    for group, size in zip(left, shape):
        known = 1
        unknown = [n for n in group if n not in axes_lengths]
        for n in group:
            if n in axes_lengths:
                lengths[n] = int(axes_lengths[n])
                known *= lengths[n]
        if len(unknown) > 1:
            raise ValueError(f"rearrange: give the lengths of all but one of {group} "
                             f"(axes_lengths={axes_lengths}).")
        if unknown:
            if size % known:
                raise ValueError(f"rearrange: axis of size {size} cannot be split into "
                                 f"{group} with {axes_lengths}.")
            lengths[unknown[0]] = size // known
        elif known != size:
            raise ValueError(f"rearrange: {group} has {known} values, the axis has {size}.")
    x = _np.reshape(tensor, tuple(lengths[n] for n in names_in))
    x = _np.transpose(x, tuple(names_in.index(n) for n in names_out))
    out_shape = []
    for group in right:
        size = 1
        for n in group:
            size *= lengths[n]
        out_shape.append(size)
    return _np.reshape(x, tuple(out_shape))


rearrange = _dispatch.graph_op(_rearrange, "rearrange", "einops")
