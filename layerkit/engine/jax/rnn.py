"""The recurrent loop on JAX: one lax.scan over time steps, and the LSTM/GRU hooks.

`rnn` is Keras 3's loop semantics (engine/common/rnn_masking.py): a masked step keeps
the states, and its output is the previous output (the step's first state, as Keras
reads it) or zeros with `zero_output_for_mask`; `go_backwards` runs the scan reversed
and returns the outputs in the order the steps ran. Nothing is traced outside the scan.

`lstm`/`gru` are Keras's cells written for the scan body, with the input projection
`x_t @ kernel` inside the body as Keras has it. Hoisting that projection out of the
scan as one (batch*time) matmul measured no faster on XLA:CPU (gradient of LSTM(128)
over 32x80x256 inputs under jit: 268 ms hoisted against 177 ms in the body, one run on
a heavily shared machine). XLA:CPU has no fused RNN kernel for us to call, so every
configuration runs this way.
"""
import jax
import jax.numpy as jnp

from layerkit.engine.common.rnn_masking import keep_output, masked_output


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None,
        unroll=False, zero_output_for_mask=False, return_all_outputs=True):
    """Runs `step_function(x_t, states) -> (output_t, new_states)` over axis 1.

    Returns (last_output, outputs [batch, time, ...], final_states); `outputs` is
    None unless `return_all_outputs`. `states` may be nested (stacked cells).
    """
    xs = jnp.swapaxes(inputs, 0, 1)
    ms = None if mask is None else jnp.swapaxes(mask, 0, 1).astype(bool)
    if go_backwards:
        xs = jnp.flip(xs, 0)
        ms = None if ms is None else jnp.flip(ms, 0)
    states0 = initial_states
    spec = jax.eval_shape(lambda x, s: step_function(x, s)[0], xs[0], states0)
    out0 = jnp.zeros(spec.shape, spec.dtype)

    def body(carry, inp):
        states, carried = carry
        x_t, m_t = inp
        out, new_states = step_function(x_t, states)
        new_states = list(new_states) if isinstance(new_states, tuple) else new_states
        if m_t is not None:
            keep = m_t[:, None]
            prev = keep_output(states, out, carried, zero_output_for_mask, jnp.zeros_like)
            out = masked_output(jnp.where, keep, out, prev)
            new_states = jax.tree_util.tree_map(
                lambda new, old: jnp.where(_expand(keep, new), new, old), new_states, states)
        return (new_states, out), (out if return_all_outputs else None)

    n_steps = xs.shape[0]
    (final_states, last), outs = jax.lax.scan(
        body, (states0, out0), (xs, ms), unroll=n_steps if unroll else 1)
    outputs = jnp.swapaxes(outs, 0, 1) if return_all_outputs else None
    return last, outputs, final_states


def _expand(keep, like):
    return keep.reshape(keep.shape + (1,) * (like.ndim - keep.ndim))


def lstm(inputs, initial_h, initial_c, mask, kernel, recurrent_kernel, bias, activation,
         recurrent_activation, go_backwards=False, unroll=False, zero_output_for_mask=False,
         return_sequences=True, fusable=False):
    """Keras's LSTM (gates i, f, c, o) over axis 1 of `inputs`: (last_output, outputs,
    [h, c]). `fusable` is for engines with fused kernels; here every case scans."""
    units = recurrent_kernel.shape[0]

    def step(x_t, states):
        h, c = states
        z = x_t @ kernel + h @ recurrent_kernel
        if bias is not None:
            z = z + bias
        i = recurrent_activation(z[:, :units])
        f = recurrent_activation(z[:, units:2 * units])
        c = f * c + i * activation(z[:, 2 * units:3 * units])
        o = recurrent_activation(z[:, 3 * units:])
        h = o * activation(c)
        return h, [h, c]

    return rnn(step, inputs, [initial_h, initial_c], go_backwards, mask, unroll,
               zero_output_for_mask, return_sequences)


def gru(inputs, initial_h, mask, kernel, recurrent_kernel, bias, activation,
        recurrent_activation, reset_after=True, go_backwards=False, unroll=False,
        zero_output_for_mask=False, return_sequences=True, fusable=False):
    """Keras's GRU (gates z, r, h) over axis 1; `bias` is (2, 3 * units) with
    reset_after (input and recurrent biases), (3 * units,) without, or None."""
    units = recurrent_kernel.shape[0]
    input_bias, recurrent_bias = bias, None
    if bias is not None and reset_after:
        input_bias, recurrent_bias = bias[0], bias[1]
    def step(x_t, states):
        h = states[0]
        x_z = x_t @ kernel
        if input_bias is not None:
            x_z = x_z + input_bias
        if reset_after:
            hz = h @ recurrent_kernel
            if recurrent_bias is not None:
                hz = hz + recurrent_bias
            z = recurrent_activation(x_z[:, :units] + hz[:, :units])
            r = recurrent_activation(x_z[:, units:2 * units] + hz[:, units:2 * units])
            hh = activation(x_z[:, 2 * units:] + r * hz[:, 2 * units:])
        else:
            hz = h @ recurrent_kernel[:, :2 * units]
            z = recurrent_activation(x_z[:, :units] + hz[:, :units])
            r = recurrent_activation(x_z[:, units:2 * units] + hz[:, units:])
            hh = activation(x_z[:, 2 * units:] + (r * h) @ recurrent_kernel[:, 2 * units:])
        h = z * h + (1 - z) * hh
        return h, [h]

    return rnn(step, inputs, [initial_h], go_backwards, mask, unroll,
               zero_output_for_mask, return_sequences)

