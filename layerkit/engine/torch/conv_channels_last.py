"""Convolutions that run on channels_last data in torch's channels_last memory format,
instead of copying it to channels-first and back.

A dense (N, spatial..., C) tensor permuted to torch's (N, C, spatial...) is a
channels_last tensor; handed one with a channels_last weight, torch's CPU convolution
(oneDNN) works in that layout and returns a channels_last output, which permuted back
is a dense (N, spatial..., C) tensor again: no transposes between the layers of a conv
stack, and oneDNN's channels_last kernels are the faster ones here (the seed's Conv1D
stack, forward and backward, batch 16: 2.5-3.5 against 2.9-4.3 ms; the VGG's conv stack,
batch 32: 300-317 against 414-439 ms). A 1-D conv runs as a 2-D one over a height of 1.

Only where torch 2.13 has been seen to hold up: 1-D and 2-D, more than one input
channel (a one-channel tensor's layout is read from its strides, and a permuted one
corrupted the heap in the conv backward), groups 1 or one group per channel (depthwise),
and not a 1x1 kernel with a stride above 1: the weight gradient of such a conv in this
layout segfaults (8 -> 16 channels over 60x60, or a 1-D one over 2,000 steps), which is
most likely what crashed the seed's mini-Xception (its shortcuts are such convs) when
earlier code handed torch channels_last tensors. Checked in raw torch, without a crash
and with the channels-first way's numbers: 600 random 1-D configurations (strides up to
3), 360 random 2-D stride-1 ones, 240 strided 2-D ones with kernels above 1x1, 240
depthwise ones (strides 1 and 2, multipliers 1 and 2), and 26 epochs of a mini-Xception
run this way. Everything else goes the channels-first way (engine/torch/nn.py).
"""
import torch
import torch.nn.functional as F


def reads_in_place(n, in_channels, kernel_size, strides, groups):
    """Whether a conv with these settings runs on channels_last data in its layout."""
    return n in (1, 2) and in_channels > 1 and groups in (1, in_channels) and \
        not (all(k == 1 for k in kernel_size) and any(s > 1 for s in strides))


def kernel_memory_order(n):
    """The memory order, outermost axis first, of a Keras kernel (spatial..., in, out)
    that is torch's channels_last weight (out, in, spatial...) as it lies."""
    return (n + 1, *range(n), n)


def plan(n, flat, sym, strides, dilation_rate, groups):
    """The plan (engine/torch/nn.py's plan table) of such a conv, from nn.py's split of
    its padding (F.pad's flat pads over the spatial axes or None, and torch's symmetric
    padding): (this module's runner, the flat pads on (N, spatial..., C) or None, the
    symmetric padding, strides, dilation, groups), in 2-D terms for a 1-D conv."""
    if flat is not None:
        flat = (0, 0) + tuple(flat)          # nothing on the channel axis, which is last
    if n == 1:
        sym, strides, dilation_rate = (0, sym[0]), (1, strides[0]), (1, dilation_rate[0])
    return (run, flat, sym, tuple(strides), tuple(dilation_rate), groups)


def run(plan, inputs, kernel, bias):
    """The conv of channels_last `inputs` by a Keras `kernel` (a depthwise one already
    grouped, (spatial..., 1, channels)); its output is dense channels_last where torch's
    kernel answers in that format (oneDNN does). Inputs in another memory (a
    channels-first conv's output) are copied into it by torch, once."""
    _, flat, sym, strides, dilation, groups = plan
    x = inputs if flat is None else F.pad(inputs, flat)
    one_d = x.ndim == 3
    if one_d:
        x = x.unsqueeze(1)                   # (N, 1, steps, C)
        kernel = kernel.unsqueeze(0)         # (1, k, in, out)
    weight = kernel.permute(3, 2, 0, 1)
    if not weight.is_contiguous(memory_format=torch.channels_last):
        weight = weight.contiguous(memory_format=torch.channels_last)
    y = F.conv2d(x.permute(0, 3, 1, 2), weight, bias, strides, sym, dilation, groups)
    y = y.permute(0, 2, 3, 1)
    return y.squeeze(1) if one_d else y
