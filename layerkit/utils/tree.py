"""Nested structures (lists, tuples, dicts of leaves): flatten, map, pack.

The one place for these helpers above the data stack (layerkit.data keeps tf.data's
own rules in data/structure.py: sorted dict keys, lists as leaves). Here lists,
tuples and dicts are structure, dicts keep their insertion order and None is a leaf,
as the functional graph and the training loop expect.

Pure Python on purpose: optree (Keras 3's pytree library) measured slower for the
small structures of a training step on this machine (flatten of one leaf 678 ns vs
168 ns; map over a 4-leaf nest 3.5 us vs 1.7 us), and it sorts dict keys.
"""

__all__ = ["flatten", "map_structure", "pack_sequence_as"]


def flatten(structure):
    """The leaves of `structure`, depth first, dicts in insertion order."""
    if isinstance(structure, (list, tuple)):
        out = []
        for s in structure:
            out.extend(flatten(s))
        return out
    if isinstance(structure, dict):
        out = []
        for k in structure:
            out.extend(flatten(structure[k]))
        return out
    return [structure]


def map_structure(fn, structure):
    """`structure` with `fn` applied to every leaf (lists, tuples and dicts rebuilt)."""
    if isinstance(structure, list):
        return [map_structure(fn, s) for s in structure]
    if isinstance(structure, tuple):
        return tuple(map_structure(fn, s) for s in structure)
    if isinstance(structure, dict):
        return {k: map_structure(fn, v) for k, v in structure.items()}
    return fn(structure)


def pack_sequence_as(structure, leaves):
    """The inverse of `flatten`: `structure`'s nesting filled with `leaves` in order."""
    leaves = list(leaves)
    count = len(flatten(structure))
    if count != len(leaves):
        raise ValueError(f"pack_sequence_as: the structure has {count} leaves, but "
                         f"{len(leaves)} values were given.")
    it = iter(leaves)
    return map_structure(lambda _: next(it), structure)
