"""Keras 3's masking of a recurrent loop, written once for the engines' loops: a time
step whose mask is False leaves the states as the step before left them, and its output
is the previous output, or zeros with `zero_output_for_mask`.

"The previous output" is what Keras 3's scan reads: the step's first state (the last
cell's first state for stacked cells), which for Keras's cells is the output. Before
the first unmasked step that is the initial state, not zeros. A custom cell whose first
state is not shaped like its output gets the output carried from the step before."""
from layerkit.utils.tree import flatten


def keep_output(states, output, carried, zero_output_for_mask, zeros_like):
    """The output a masked step shows."""
    if zero_output_for_mask:
        return zeros_like(output)
    last = states[-1] if isinstance(states[0], (list, tuple)) else states
    first = flatten(last)[0]
    if tuple(first.shape) == tuple(output.shape):
        return first
    return carried


def masked_output(where, keep, output, previous):
    """`output` where `keep` (batch, 1) is True, else `previous`."""
    keep = keep.reshape(tuple(keep.shape) + (1,) * (output.ndim - keep.ndim))
    return where(keep, output, previous)

