"""The recurrent loop on JAX: one lax.scan over time steps."""
import jax
import jax.numpy as jnp

from layerkit.engine.common.rnn_masking import masked_step


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None,
        return_all_outputs=True):
    """Runs `step_function(x_t, states) -> (output_t, new_states)` over axis 1.

    Returns (last_output, outputs [batch, time, ...], final_states). Masked
    steps keep the previous output and states.
    """
    xs = jnp.swapaxes(inputs, 0, 1)
    ms = None if mask is None else jnp.swapaxes(mask, 0, 1)
    if go_backwards:
        xs = jnp.flip(xs, 0)
        ms = None if ms is None else jnp.flip(ms, 0)
    out0, _ = step_function(xs[0], initial_states)
    prev_out0 = jnp.zeros_like(out0)

    def body(carry, inp):
        states, prev_out = carry
        x_t, m_t = inp
        out, new_states = step_function(x_t, states)
        if m_t is not None:
            out, new_states = masked_step(jnp.where, m_t[:, None].astype(bool), out,
                                          prev_out, new_states, states)
        return (list(new_states), out), out

    (final_states, last), outs = jax.lax.scan(body, (list(initial_states), prev_out0),
                                              (xs, ms))
    return last, jnp.swapaxes(outs, 0, 1), final_states
