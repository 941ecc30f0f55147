"""The recurrent loop on PyTorch, and the LSTM/GRU hooks on torch's fused kernels.

`rnn` is a tight eager loop (autograd records each step) with Keras 3's masking
(engine/common/rnn_masking.py). `lstm`/`gru` call `torch.lstm`/`torch.gru` (the kernels
behind nn.LSTM/nn.GRU; cuDNN on a GPU) with Keras's weights laid out as torch wants them:
- LSTM: Keras's gates i, f, c, o are torch's i, f, g, o; kernel (in, 4u) is W_ih^T,
  recurrent_kernel W_hh^T, Keras's one bias is b_ih (b_hh zero).
- GRU with reset_after=True is torch's formula; Keras's gates z, r, h are torch's r, z, n
  after swapping the first two blocks; bias row 0 is b_ih, row 1 b_hh.
They apply when `fusable` (Keras's default activations, as the layer checks) and the mask
is None or right-padded (packed sequences; not with go_backwards, where Keras runs the
padding first). Otherwise the input projection of all steps is one matmul and only the
recurrent part runs in the loop. Forward and backward of LSTM(128) over 32x80x256
inputs on CPU: the fused kernel about 3x faster than the loop (4.6 s against 13.5 s,
median of 9, on a machine shared by many processes; use_cudnn=False gives the loop).
"""
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from layerkit.engine.common.rnn_masking import keep_output, masked_output
from layerkit.utils.tree import flatten, pack_sequence_as


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None,
        unroll=False, zero_output_for_mask=False, return_all_outputs=True):
    """Runs `step_function(x_t, states) -> (output_t, new_states)` over axis 1.

    Returns (last_output, outputs [batch, time, ...], final_states); `outputs` is
    None unless `return_all_outputs`. `states` may be nested (stacked cells).
    """
    steps = inputs.shape[1]
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    states = initial_states
    keep_mask = None if mask is None else mask.bool()
    outputs = []
    out = None
    for t in order:
        new_out, new_states = step_function(inputs[:, t], states)
        new_states = list(new_states) if isinstance(new_states, tuple) else new_states
        if keep_mask is not None:
            keep = keep_mask[:, t].unsqueeze(-1)
            carried = torch.zeros_like(new_out) if out is None else out
            prev = keep_output(states, new_out, carried, zero_output_for_mask,
                               torch.zeros_like)
            new_out = masked_output(torch.where, keep, new_out, prev)
            flat = [torch.where(keep.reshape(keep.shape + (1,) * (n.ndim - 2)), n, o)
                    for n, o in zip(flatten(new_states), flatten(states))]
            new_states = pack_sequence_as(new_states, flat)
        states = new_states
        out = new_out
        if return_all_outputs:
            outputs.append(out)
    return out, (torch.stack(outputs, dim=1) if return_all_outputs else None), states


def _right_padded_lengths(mask):
    """The sequence lengths if `mask` is True for a prefix of every row (at least one
    step), else None. One host read of the mask: the price of the packed path."""
    mask = mask.bool()
    lengths = mask.sum(dim=1)
    steps = torch.arange(mask.shape[1], device=mask.device)
    if int(lengths.min()) == 0 or not bool(torch.equal(steps[None] < lengths[:, None],
                                                        mask)):
        return None
    return lengths


def _fused(kernel_fn, inputs, hx, params, mask, go_backwards, zero_output_for_mask):
    """Runs torch's fused kernel; returns (last_output, outputs, final hx) or None where
    the mask does not allow it."""
    x = inputs.contiguous()
    if mask is None:
        if go_backwards:
            x = torch.flip(x, (1,))
        result = kernel_fn(x, hx, params, True, 1, 0.0, False, False, True)
        outputs, finals = result[0], result[1:]
        return outputs[:, -1], outputs, finals
    if go_backwards:
        return None
    lengths = _right_padded_lengths(mask)
    if lengths is None:
        return None
    packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    order = packed.sorted_indices
    hx = tuple(h.index_select(1, order) for h in hx) if isinstance(hx, tuple) \
        else hx.index_select(1, order)
    result = kernel_fn(packed.data, packed.batch_sizes, hx, params, True, 1, 0.0, False,
                       False)
    data, finals = result[0], result[1:]
    # The kernel orders the batch by length; the finals come back in that order.
    unsort = packed.unsorted_indices
    finals = tuple(f.index_select(1, unsort) for f in finals)
    outputs, _ = pad_packed_sequence(
        packed._replace(data=data), batch_first=True, total_length=x.shape[1])
    keep = mask.bool().unsqueeze(-1)
    if not zero_output_for_mask:
        outputs = torch.where(keep, outputs, finals[0][0].unsqueeze(1))
    return outputs[:, -1], outputs, finals


def lstm(inputs, initial_h, initial_c, mask, kernel, recurrent_kernel, bias, activation,
         recurrent_activation, go_backwards=False, unroll=False, zero_output_for_mask=False,
         return_sequences=True, fusable=False):
    """Keras's LSTM (gates i, f, c, o) over axis 1 of `inputs`: (last_output, outputs,
    [h, c])."""
    if fusable:
        b_ih = bias if bias is not None else kernel.new_zeros(kernel.shape[1])
        params = [kernel.t(), recurrent_kernel.t(), b_ih, torch.zeros_like(b_ih)]
        hx = (initial_h.unsqueeze(0).contiguous(), initial_c.unsqueeze(0).contiguous())
        found = _fused(torch.lstm, inputs, hx, params, mask, go_backwards,
                       zero_output_for_mask)
        if found is not None:
            last, outputs, (h, c) = found
            return last, outputs, [h[0], c[0]]
    projected = _project(inputs, kernel, bias)
    units = recurrent_kernel.shape[0]

    def step(z_t, states):
        h, c = states
        z = torch.addmm(z_t, h, recurrent_kernel)
        i, f, g, o = z.split(units, dim=1)
        c = recurrent_activation(f) * c + recurrent_activation(i) * activation(g)
        h = recurrent_activation(o) * activation(c)
        return h, [h, c]

    return rnn(step, projected, [initial_h, initial_c], go_backwards, mask, unroll,
               zero_output_for_mask, return_sequences)


def _swap_zr(w, units, dim):
    z, r, h = w.split(units, dim=dim)
    return torch.cat([r, z, h], dim=dim)


def gru(inputs, initial_h, mask, kernel, recurrent_kernel, bias, activation,
        recurrent_activation, reset_after=True, go_backwards=False, unroll=False,
        zero_output_for_mask=False, return_sequences=True, fusable=False):
    """Keras's GRU (gates z, r, h) over axis 1; `bias` is (2, 3 * units) with
    reset_after (input and recurrent biases), (3 * units,) without, or None."""
    units = recurrent_kernel.shape[0]
    if fusable and reset_after:
        if bias is None:
            bias = kernel.new_zeros((2, 3 * units))
        params = [_swap_zr(kernel, units, 1).t(), _swap_zr(recurrent_kernel, units, 1).t(),
                  _swap_zr(bias[0], units, 0), _swap_zr(bias[1], units, 0)]
        found = _fused(torch.gru, inputs, initial_h.unsqueeze(0).contiguous(), params, mask,
                       go_backwards, zero_output_for_mask)
        if found is not None:
            last, outputs, (h,) = found
            return last, outputs, [h[0]]
    input_bias, recurrent_bias = bias, None
    if bias is not None and reset_after:
        input_bias, recurrent_bias = bias[0], bias[1]
    projected = _project(inputs, kernel, input_bias)

    def step(x_z, states):
        h = states[0]
        xz, xr, xh = x_z.split(units, dim=1)
        if reset_after:
            hz = h @ recurrent_kernel
            if recurrent_bias is not None:
                hz = hz + recurrent_bias
            rz, rr, rh = hz.split(units, dim=1)
            z = recurrent_activation(xz + rz)
            r = recurrent_activation(xr + rr)
            hh = activation(xh + r * rh)
        else:
            rz, rr = (h @ recurrent_kernel[:, :2 * units]).split(units, dim=1)
            z = recurrent_activation(xz + rz)
            r = recurrent_activation(xr + rr)
            hh = activation(xh + (r * h) @ recurrent_kernel[:, 2 * units:])
        h = z * h + (1 - z) * hh
        return h, [h]

    return rnn(step, projected, [initial_h], go_backwards, mask, unroll,
               zero_output_for_mask, return_sequences)


def _project(inputs, kernel, bias):
    out = torch.matmul(inputs, kernel)
    return out if bias is None else out + bias
