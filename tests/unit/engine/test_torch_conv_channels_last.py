"""PyTorch runs most 1-D and 2-D convs on channels_last data in torch's channels_last
memory format (engine/torch/conv_channels_last.py): the output is dense (N, spatial...,
C), the numbers and gradients are the channels-first way's, and the convolutions torch
2.13 crashes on in that format go the channels-first way."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import layerkit
from layerkit import layers

pytestmark = pytest.mark.skipif(layerkit.backend.backend() != "torch",
                                reason="memory layout is PyTorch's concern")

LAYERS = [
    # (layer, input shape, runs in place)
    (lambda: layers.Conv1D(6, 3), (9, 4), True),
    (lambda: layers.Conv1D(6, 4, padding="same"), (9, 4), True),         # uneven pads
    (lambda: layers.Conv1D(6, 3, padding="causal", dilation_rate=2), (9, 4), True),
    (lambda: layers.Conv2D(5, (3, 2), padding="same"), (7, 6, 3), True),
    (lambda: layers.Conv2D(5, 3, dilation_rate=(2, 1)), (9, 6, 3), True),
    (lambda: layers.Conv1D(6, 3, strides=2), (9, 4), True),
    (lambda: layers.Conv2D(4, 3, strides=2, padding="same"), (8, 8, 3), True),
    (lambda: layers.DepthwiseConv2D(3), (7, 7, 3), True),
    (lambda: layers.DepthwiseConv1D(3, strides=2, depth_multiplier=2), (9, 3), True),
    (lambda: layers.SeparableConv2D(4, 3), (7, 7, 3), True),
    (lambda: layers.Conv2D(4, 1, strides=2), (8, 8, 3), False),          # strided 1x1
    (lambda: layers.Conv1D(4, 1, strides=2), (8, 3), False),
    (lambda: layers.Conv2D(4, 3, groups=2), (7, 7, 4), False),
    (lambda: layers.Conv2D(4, 3), (7, 7, 1), False),                      # one channel
    (lambda: layers.Conv3D(4, 2), (4, 4, 4, 3), False),
]


@pytest.mark.parametrize("make,shape,in_place", LAYERS)
def test_which_convs_run_in_place(make, shape, in_place):
    import torch
    layer = make()
    x = torch.from_numpy(np.random.default_rng(0).random((2,) + shape, "float32"))
    out = layer(x)
    assert out.is_contiguous() == in_place, out.stride()


def _conv_and_grads(x, kernel, bias, depthwise=False, **kwargs):
    import torch
    from layerkit.engine.torch import nn
    leaves = [x.detach().requires_grad_(), kernel.detach().requires_grad_()]
    if bias is not None:
        leaves.append(bias.detach().requires_grad_())
    conv = nn.depthwise_conv if depthwise else nn.conv
    out = conv(leaves[0], leaves[1], bias=None if bias is None else leaves[2], **kwargs)
    if kwargs["data_format"] == "channels_first":   # weighed in channels_last terms
        out = out.permute(0, *range(2, out.ndim), 1)
    weights = torch.linspace(-1, 1, out.numel()).reshape(out.shape)
    return out.detach(), torch.autograd.grad((out * weights).sum(), leaves)


@pytest.mark.parametrize("shape,kshape,strides,padding,dilation,use_bias,depthwise", [
    ((3, 11, 4), (3, 4, 6), 1, "valid", 1, True, False),
    ((3, 11, 4), (4, 4, 6), 1, "same", 1, False, False),
    ((3, 11, 4), (3, 4, 6), 1, "causal", 2, True, False),
    ((3, 11, 4), (3, 4, 6), 3, "same", 1, True, False),
    ((2, 9, 8, 3), (3, 2, 3, 5), 1, "same", 1, True, False),
    ((2, 9, 8, 3), (3, 3, 3, 5), 1, "valid", (2, 1), False, False),
    ((2, 9, 8, 3), (3, 3, 3, 5), (2, 1), "same", 1, True, False),
    ((2, 9, 8, 3), (3, 3, 3, 2), 1, "same", 1, True, True),
    ((2, 9, 8, 3), (3, 3, 3, 1), 2, "same", 1, False, True),
    ((3, 11, 4), (3, 4, 2), 1, "valid", 2, True, True),
])
def test_in_place_values_and_gradients_are_the_channels_first_ways(
        shape, kshape, strides, padding, dilation, use_bias, depthwise):
    import torch
    n = len(shape) - 2
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.standard_normal(shape, dtype=np.float32))
    kernel = torch.from_numpy(rng.standard_normal(kshape, dtype=np.float32))
    out_channels = kshape[-1] * (kshape[-2] if depthwise else 1)
    bias = torch.from_numpy(rng.standard_normal(out_channels, dtype=np.float32)) \
        if use_bias else None
    kwargs = dict(strides=strides, padding=padding, dilation_rate=dilation,
                  data_format="channels_last", depthwise=depthwise)
    dense, dense_grads = _conv_and_grads(x, kernel, bias, **kwargs)
    assert dense.is_contiguous()
    # The same conv in channels_first terms goes the channels-first way.
    first = x.permute(0, n + 1, *range(1, n + 1)).contiguous()
    kwargs["data_format"] = "channels_first"
    other, other_grads = _conv_and_grads(first, kernel, bias, **kwargs)
    back = (0, *range(2, n + 2), 1)
    torch.testing.assert_close(dense, other, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(dense_grads[0], other_grads[0].permute(back), rtol=1e-4,
                               atol=1e-4)
    for a, b in zip(dense_grads[1:], other_grads[1:]):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)


def test_a_strided_1x1_conv_trains_safely():
    """torch 2.13's weight gradient of a strided 1x1 conv segfaults in channels_last
    format (8 -> 16 channels over 60x60, checked in raw torch): that conv must go the
    channels-first way, and a model with it trains (in a subprocess, so a crash fails
    this test rather than the whole run)."""
    from layerkit.engine.torch import conv_channels_last
    assert not conv_channels_last.reads_in_place(2, 8, (1, 1), (2, 2), 1)
    assert conv_channels_last.reads_in_place(2, 8, (1, 1), (1, 1), 1)
    code = textwrap.dedent("""
        import numpy as np
        import layerkit
        from layerkit import layers
        model = layerkit.Sequential([layerkit.Input((60, 60, 8)),
                                     layers.Conv2D(16, 1, strides=2), layers.Flatten(),
                                     layers.Dense(1)])
        model.compile("sgd", "mse")
        rng = np.random.default_rng(0)
        x, y = rng.random((64, 60, 60, 8), "float32"), rng.random((64, 1), "float32")
        model.fit(x, y, batch_size=32, epochs=3, verbose=0)
        print("trained")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0 and "trained" in done.stdout, done.stderr[-2000:]
