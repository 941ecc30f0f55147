"""Keras's masking of a recurrent loop, written once for the engines' loops: a time
step whose mask is False leaves the output and the states as the step before left
them (zeros for the output before the first unmasked step)."""


def masked_step(where, keep, output, prev_output, new_states, states):
    """The step's (output, states) after masking. `keep` is the step's boolean mask
    shaped (batch, 1); `where` is the engine's elementwise select."""
    output = where(keep, output, prev_output)
    return output, [where(keep, new, old) for new, old in zip(new_states, states)]
