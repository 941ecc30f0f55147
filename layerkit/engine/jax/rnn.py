"""The recurrent loop on JAX: one lax.scan over time steps, and the LSTM/GRU hooks.

`rnn` is Keras 3's loop semantics (engine/common/rnn_masking.py): a masked step keeps
the states, and its output is the previous output (the step's first state, as Keras
reads it) or zeros with `zero_output_for_mask`; `go_backwards` runs the scan reversed
and returns the outputs in the order the steps ran. Nothing is traced outside the scan.

`lstm`/`gru` compute the input projection `x @ kernel + bias` for every time step as one
(time*batch, features) matmul before the scan, and the scan body does only
`h @ recurrent_kernel` and the gates, as the hand-written loop in benchmarks/bench_lstm.py
does (the seed LSTM classifier's jitted train step now compiles to that loop's HLO op for
op). XLA:CPU has no fused RNN kernel, so every configuration
runs this way. Measured on 2026-12-06 on 2 cores shared by 5 sessions (load 6-8), XLA
one thread, CPU time: the gradient of LSTM(128) over 32x80x256 inputs under jit took
58-60 ms with the projection in the body (whose backward pass also ran a (256, 512)
kernel-gradient matmul and a bias reduction per step) and 52-54 ms hoisted. An earlier
note here said hoisting was slower (268 ms against 177 ms): one wall-clock run on a
heavily loaded machine, not reproduced. Figures for the whole classifier: README.md
(LSTM row).

The hooks also carry nothing but the states: an LSTM/GRU step's output is its new `h`,
so the last output is the final `h` (zeros after a masked last step with
`zero_output_for_mask`), and no extra (batch, units) output rides through the scan.
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
    xs, ms = _time_major(inputs, mask, go_backwards)
    return _scan(step_function, xs, ms, initial_states, unroll, zero_output_for_mask,
                 return_all_outputs, output_is_state=False)


def _time_major(inputs, mask, go_backwards):
    """Inputs and mask with time first, in the order the steps run."""
    xs = jnp.swapaxes(inputs, 0, 1)
    ms = None if mask is None else jnp.swapaxes(mask, 0, 1).astype(bool)
    if go_backwards:
        xs = jnp.flip(xs, 0)
        ms = None if ms is None else jnp.flip(ms, 0)
    return xs, ms


def _scan(step_function, xs, ms, states0, unroll, zero_output_for_mask,
          return_all_outputs, output_is_state):
    """The scan over time-major `xs`. With `output_is_state` the step's output is its
    new first state (LSTM/GRU's h), so no output is carried for `last_output`."""
    carry_output = not output_is_state
    if carry_output:
        spec = jax.eval_shape(lambda x, s: step_function(x, s)[0], xs[0], states0)
        carry0 = (states0, jnp.zeros(spec.shape, spec.dtype))
    else:
        carry0 = (states0, None)

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
        return (new_states, out if carry_output else None), \
            (out if return_all_outputs else None)

    n_steps = xs.shape[0]
    (final_states, last), outs = jax.lax.scan(
        body, carry0, (xs, ms), unroll=n_steps if unroll else 1)
    if not carry_output:
        last = final_states[0]
        if ms is not None and zero_output_for_mask:
            last = jnp.where(ms[-1][:, None], last, jnp.zeros_like(last))
    outputs = jnp.swapaxes(outs, 0, 1) if return_all_outputs else None
    return last, outputs, final_states


def _expand(keep, like):
    return keep.reshape(keep.shape + (1,) * (like.ndim - keep.ndim))


def _project(xs, kernel, bias):
    """x @ kernel (+ bias) for all time steps at once: one (time*batch, in) matmul."""
    z = xs @ kernel
    return z if bias is None else z + bias


def lstm(inputs, initial_h, initial_c, mask, kernel, recurrent_kernel, bias, activation,
         recurrent_activation, go_backwards=False, unroll=False, zero_output_for_mask=False,
         return_sequences=True, fusable=False):
    """Keras's LSTM (gates i, f, c, o) over axis 1 of `inputs`: (last_output, outputs,
    [h, c]). `fusable` is for engines with fused kernels; here every case scans."""
    units = recurrent_kernel.shape[0]
    xs, ms = _time_major(inputs, mask, go_backwards)
    zs = _project(xs, kernel, bias)

    def step(z_t, states):
        h, c = states
        z = z_t + h @ recurrent_kernel
        i = recurrent_activation(z[:, :units])
        f = recurrent_activation(z[:, units:2 * units])
        c = f * c + i * activation(z[:, 2 * units:3 * units])
        o = recurrent_activation(z[:, 3 * units:])
        h = o * activation(c)
        return h, [h, c]

    return _scan(step, zs, ms, [initial_h, initial_c], unroll, zero_output_for_mask,
                 return_sequences, output_is_state=True)


def gru(inputs, initial_h, mask, kernel, recurrent_kernel, bias, activation,
        recurrent_activation, reset_after=True, go_backwards=False, unroll=False,
        zero_output_for_mask=False, return_sequences=True, fusable=False):
    """Keras's GRU (gates z, r, h) over axis 1; `bias` is (2, 3 * units) with
    reset_after (input and recurrent biases), (3 * units,) without, or None."""
    units = recurrent_kernel.shape[0]
    input_bias, recurrent_bias = bias, None
    if bias is not None and reset_after:
        input_bias, recurrent_bias = bias[0], bias[1]
    xs, ms = _time_major(inputs, mask, go_backwards)
    xzs = _project(xs, kernel, input_bias)

    def step(x_z, states):
        h = states[0]
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

    return _scan(step, xzs, ms, [initial_h], unroll, zero_output_for_mask,
                 return_sequences, output_is_state=True)
