"""Two PyTorch eager-step shortcuts (issue 8's speed section) give what the long way
gives: a conv call read from its kept plan equals the checked call it was made by, in
values and gradients; and a mean or sum over a permuted view (a conv's channels_last
output) equals torch's own, with its gradient laid out as the view's memory."""
import itertools

import numpy as np
import pytest

import layerkit

pytestmark = pytest.mark.skipif(layerkit.backend.backend() != "torch",
                                reason="the PyTorch engine's eager-step paths")


def _conv_and_grads(conv, x, kernel, bias, **kwargs):
    import torch
    x, kernel = x.detach().requires_grad_(), kernel.detach().requires_grad_()
    leaves = [x, kernel]
    if bias is not None:
        bias = bias.detach().requires_grad_()
        leaves.append(bias)
    out = conv(x, kernel, bias=bias, **kwargs)
    weights = torch.linspace(-1, 1, out.numel()).reshape(out.shape)
    return out.detach(), torch.autograd.grad((out * weights).sum(), leaves)


CONV_CASES = [
    # (input shape, kernel shape, strides, padding, data_format, dilation, bias)
    ((2, 9, 4), (3, 4, 6), 1, "valid", "channels_last", 1, True),
    ((2, 9, 4), (3, 4, 6), 2, "same", "channels_last", 1, False),
    ((2, 9, 4), (3, 4, 6), 1, "causal", "channels_last", 2, True),
    ((2, 4, 9), (3, 4, 6), 1, "same", "channels_first", 1, True),
    ((2, 8, 7, 4), (3, 2, 2, 6), (2, 1), "same", "channels_last", 1, True),   # 2 groups
    ((2, 8, 7, 1), (3, 3, 1, 5), 1, "same", "channels_last", 1, True),        # one channel
    ((2, 5, 6, 7, 3), (2, 2, 2, 3, 4), 1, "valid", "channels_last", 1, False),
]


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: f"{c[0]}-{c[3]}-{c[4]}")
def test_a_conv_read_from_its_plan_equals_the_checked_call(case):
    import torch
    from layerkit.engine.torch import nn
    shape, kshape, strides, padding, data_format, dilation, use_bias = case
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.standard_normal(shape, dtype=np.float32))
    kernel = torch.from_numpy(rng.standard_normal(kshape, dtype=np.float32))
    bias = torch.from_numpy(rng.standard_normal(kshape[-1], dtype=np.float32)) \
        if use_bias else None
    nn._PLANS.clear()
    kwargs = dict(strides=strides, padding=padding, data_format=data_format,
                  dilation_rate=dilation)
    first, first_grads = _conv_and_grads(nn.conv, x, kernel, bias, **kwargs)
    kept = len(nn._PLANS)
    second, second_grads = _conv_and_grads(nn.conv, x, kernel, bias, **kwargs)
    # One channel in channels_last keeps no plan: its layout depends on the strides.
    assert kept == (0 if data_format == "channels_last" and shape[-1] == 1 else 1)
    torch.testing.assert_close(second, first, rtol=0, atol=0)
    for a, b in zip(second_grads, first_grads):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_a_conv_plan_is_kept_only_for_inputs_that_need_no_conversion():
    import torch
    from layerkit.engine.torch import nn
    x64 = torch.ones((1, 5, 2), dtype=torch.float64)
    kernel = torch.ones((3, 2, 4))
    nn._PLANS.clear()
    out = nn.conv(x64, kernel)             # promoted to float64 on the way
    assert out.dtype == torch.float64 and not nn._PLANS
    out = nn.conv(x64.float(), kernel, bias=torch.zeros(4, dtype=torch.float64))
    assert out.dtype == torch.float32 and not nn._PLANS    # the bias was cast
    nn.conv(x64.float(), kernel, bias=torch.zeros(4))
    assert len(nn._PLANS) == 1
    # A plan keyed on these shapes still refuses a kernel of another shape.
    with pytest.raises(ValueError, match="multiple of the kernel's in_channels"):
        nn.conv(x64.float(), torch.ones((3, 3, 4)))


@pytest.mark.parametrize("reduce", ["mean", "sum"])
def test_a_reduction_over_a_permuted_view_follows_its_memory(reduce):
    import torch
    from layerkit.engine.torch import reductions
    base = torch.randn(3, 5, 4, 6)                       # (N, C, H, W) memory
    for axes, keepdims in itertools.product([1, (1, 2), -1, (0, 3), [1, 2]], [False, True]):
        leaf = base.clone().requires_grad_()
        view = leaf.permute(0, 2, 3, 1)                  # seen as (N, H, W, C)
        out = getattr(reductions, reduce)(view, axes, keepdims)
        axis = tuple(axes) if isinstance(axes, list) else axes
        expected = getattr(torch, reduce)(view.detach().contiguous(), dim=axis,
                                          keepdim=keepdims)
        assert out.shape == expected.shape, (axes, keepdims)
        torch.testing.assert_close(out, expected)
        (grad,) = torch.autograd.grad(out, view, torch.ones_like(out))
        # The gradient comes back in the view's memory, (N, C, H, W) underneath (a sum's
        # is broadcast: stride 0 along the reduced axes).
        assert _in_memory_order(grad.permute(0, 3, 1, 2)), (axes, keepdims, grad.stride())


def _in_memory_order(t):
    strides = [s for s, n in zip(t.stride(), t.shape) if s and n > 1]
    return strides == sorted(strides, reverse=True)


def test_global_average_pooling_backward_keeps_the_activations_layout():
    """The case that made the relu backward before it 8x slower: the pooling's gradient
    came back transposed against the conv's channels-first output (a strided 1x1 conv's:
    most convs give dense channels_last outputs, see engine/torch/conv_channels_last.py)."""
    import torch
    from layerkit import layers
    conv = layers.Conv1D(8, 1, strides=2, activation="relu")
    pool = layers.GlobalAveragePooling1D()
    x = torch.randn(4, 10, 5)
    hidden = conv(x)
    seen = []
    hidden.register_hook(seen.append)
    pool(hidden).sum().backward()
    assert seen[0].stride() == hidden.stride() == (40, 1, 5)


@pytest.mark.parametrize("shape,pool,strides,padding,data_format", [
    ((2, 9, 3), 3, None, "valid", "channels_last"),
    ((2, 8, 8, 3), 3, 2, "same", "channels_last"),        # ceil_mode: one more cell after
    ((2, 7, 7, 3), (3, 2), (1, 3), "same", "channels_last"),   # explicit -inf pads
    ((2, 3, 8, 8), 2, None, "valid", "channels_first"),
    ((2, 6, 6, 6, 1), 2, None, "same", "channels_last"),  # one channel: no plan kept
])
def test_a_max_pool_read_from_its_plan_equals_the_checked_call(
        shape, pool, strides, padding, data_format):
    import torch
    from layerkit.engine.torch import nn
    nn._PLANS.clear()
    x = torch.from_numpy(np.random.default_rng(0).standard_normal(shape, dtype=np.float32))
    results = []
    for _ in range(2):
        leaf = x.clone().requires_grad_()
        out = nn.max_pool(leaf, pool, strides, padding, data_format)
        weights = torch.linspace(-1, 1, out.numel()).reshape(out.shape)
        results.append((out.detach(), torch.autograd.grad((out * weights).sum(), leaf)[0]))
    one_channel = data_format == "channels_last" and shape[-1] == 1
    assert len(nn._PLANS) == (0 if one_channel else 1)
    for a, b in zip(results[0], results[1]):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_a_plan_follows_the_global_image_data_format_when_none_is_given():
    import torch
    from layerkit import config
    from layerkit.engine.torch import nn
    x = torch.randn(2, 6, 6, 6)
    kernel = torch.randn(3, 3, 6, 4)
    previous = config.image_data_format()
    try:
        last = nn.conv(x, kernel)              # channels_last: (2, 4, 4, 4) from 6x6x6
        pooled_last = nn.max_pool(x, 2)
        config.set_image_data_format("channels_first")
        first = nn.conv(x, kernel)             # the same call now reads 6 channels first
        pooled_first = nn.max_pool(x, 2)
    finally:
        config.set_image_data_format(previous)
    torch.testing.assert_close(
        first, nn.conv(x, kernel, data_format="channels_first"), rtol=0, atol=0)
    torch.testing.assert_close(
        last, nn.conv(x, kernel, data_format="channels_last"), rtol=0, atol=0)
    assert pooled_last.shape == (2, 3, 3, 6) and pooled_first.shape == (2, 6, 3, 3)
