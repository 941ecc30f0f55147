"""PyTorch keeps a run of channels_last conv layers in torch's channels-first memory:
each conv's output is an (N, C, H, W)-contiguous tensor seen as (N, H, W, C), and
BatchNormalization, relu, SeparableConv2D, MaxPooling2D and add keep that layout, so
only the model's input is transposed, not every layer (issue 8's speed section)."""
import numpy as np
import pytest

import layerkit
from layerkit import layers

pytestmark = pytest.mark.skipif(layerkit.backend.backend() != "torch",
                                reason="memory layout is PyTorch's concern")


def channels_first_memory(t):
    return t.permute(0, 3, 1, 2).is_contiguous()


def test_a_conv_block_keeps_channels_first_memory_forward_and_backward():
    import torch
    from torch.profiler import profile

    inputs = layers.Input((16, 16, 3))
    x = layers.Conv2D(8, 3, padding="same")(inputs)
    x = layers.Activation("relu")(layers.BatchNormalization()(x))
    y = layers.BatchNormalization()(layers.SeparableConv2D(8, 3, padding="same")(x))
    y = layers.MaxPooling2D(3, strides=2, padding="same")(y)
    residual = layers.Conv2D(8, 1, strides=2, padding="same")(x)
    model = layerkit.Model(inputs, layers.add([y, residual]))
    data = torch.from_numpy(np.random.default_rng(0).random((4, 16, 16, 3), "float32"))

    outputs = {}
    for layer in model.layers[1:]:
        original = layer.call
        layer.call = (lambda call, name: lambda *a, **k: outputs.setdefault(
            name, call(*a, **k)))(original, layer.name)
    with profile(record_shapes=True) as prof:
        out = model(data, training=True)
        out.backward(torch.ones_like(out))  # a gradient laid out as the output
    for name, tensor in outputs.items():
        assert channels_first_memory(tensor), (name, tensor.stride())
    # Copies of activation-sized tensors: the input's one transpose, and torch's own
    # copy inside the strided 1x1 conv's backward (a hand-written NCHW loop pays it too).
    def chain(e):
        names = []
        while e is not None:
            names.append(e.name)
            e = e.cpu_parent
        return names
    copies = [(e.input_shapes[0], chain(e)[:5]) for e in prof.events() if e.name == "aten::copy_"
              and e.input_shapes and len(e.input_shapes[0]) == 4
              and np.prod(e.input_shapes[0]) >= 4 * 8 * 8 * 8]
    assert len(copies) <= 2, copies
