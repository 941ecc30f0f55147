"""The recurrent loop on PyTorch: eager steps over time (autograd records each)."""
import torch

from layerkit.engine.common.rnn_masking import masked_step


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None,
        return_all_outputs=True):
    """Runs `step_function(x_t, states) -> (output_t, new_states)` over axis 1.

    Returns (last_output, outputs [batch, time, ...], final_states). Masked
    steps keep the previous output and states.
    """
    steps = inputs.shape[1]
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    states = list(initial_states)
    outputs = []
    prev = None
    for t in order:
        out, new_states = step_function(inputs[:, t], states)
        if mask is not None:
            if prev is None:
                prev = torch.zeros_like(out)
            out, new_states = masked_step(torch.where, mask[:, t].bool().unsqueeze(-1), out,
                                          prev, new_states, states)
        states = list(new_states)
        prev = out
        outputs.append(out)
    return prev, torch.stack(outputs, dim=1), states
