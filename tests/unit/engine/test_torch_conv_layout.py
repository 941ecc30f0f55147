"""PyTorch keeps a run of channels_last conv layers free of per-layer transposes, in
one of two memories (issue 8's speed section):
- dense channels_last, where the convs can read it in place (stride 1, groups 1, more
  than one input channel: engine/torch/conv_channels_last.py): each conv's output is a
  dense (N, H, W, C) tensor, and relu, BatchNormalization, MaxPooling2D, Flatten and
  Dense take it as it lies;
- torch's channels-first memory otherwise (a one-channel input, depthwise and strided
  convs): each conv's output is an (N, C, H, W)-contiguous tensor seen as (N, H, W, C),
  and BatchNormalization, relu, SeparableConv2D, MaxPooling2D and add keep that layout,
  so only the model's input is transposed, not every layer."""
import numpy as np
import pytest

import layerkit
from layerkit import layers

pytestmark = pytest.mark.skipif(layerkit.backend.backend() != "torch",
                                reason="memory layout is PyTorch's concern")


def channels_first_memory(t):
    return t.permute(0, 3, 1, 2).is_contiguous()


def _record_outputs(model):
    outputs = {}
    for layer in model.layers[1:]:
        original = layer.call
        layer.call = (lambda call, name: lambda *a, **k: outputs.setdefault(
            name, call(*a, **k)))(original, layer.name)
    return outputs


def _activation_copies(prof, smallest):
    """torch's copies of tensors of at least `smallest` elements, with their callers."""
    def chain(e):
        names = []
        while e is not None:
            names.append(e.name)
            e = e.cpu_parent
        return names
    return [(e.input_shapes[0], chain(e)[:5]) for e in prof.events() if e.name == "aten::copy_"
            and e.input_shapes and len(e.input_shapes[0]) >= 3
            and np.prod(e.input_shapes[0]) >= smallest]


def test_stride_one_convs_keep_dense_channels_last_memory_forward_and_backward():
    import torch
    from torch.profiler import profile

    inputs = layers.Input((16, 16, 3))
    x = layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    x = layers.BatchNormalization()(layers.Conv2D(8, 2, padding="same")(x))  # uneven pads
    x = layers.MaxPooling2D(2)(layers.Activation("relu")(x))
    x = layers.Conv2D(8, 3, dilation_rate=2, activation="relu")(x)
    x = layers.Dense(3)(layers.Flatten()(x))
    model = layerkit.Model(inputs, x)
    data = torch.from_numpy(np.random.default_rng(0).random((4, 16, 16, 3), "float32"))
    outputs = _record_outputs(model)
    with profile(record_shapes=True) as prof:
        out = model(data, training=True)
        out.backward(torch.ones_like(out))
    for name, tensor in outputs.items():
        assert tensor.is_contiguous(), (name, tensor.stride())
    # No copy of an activation, forward or backward (the input's included), but the
    # uneven 'same' padding's own (F.pad makes a padded tensor, and its backward a slice).
    copies = [(shape, callers) for shape, callers in _activation_copies(prof, 4 * 8 * 8 * 8)
              if "aten::constant_pad_nd" not in callers]
    assert copies == []


def test_a_one_channel_conv_block_keeps_channels_first_memory_forward_and_backward():
    import torch
    from torch.profiler import profile

    # One input channel: the first conv goes the channels-first way, and the layers
    # after it keep that memory (the seed's mini-Xception).
    inputs = layers.Input((16, 16, 1))
    x = layers.Conv2D(8, 3, padding="same")(inputs)
    x = layers.Activation("relu")(layers.BatchNormalization()(x))
    y = layers.BatchNormalization()(layers.SeparableConv2D(8, 3, padding="same")(x))
    y = layers.MaxPooling2D(3, strides=2, padding="same")(y)
    residual = layers.Conv2D(8, 1, strides=2, padding="same")(x)
    model = layerkit.Model(inputs, layers.add([y, residual]))
    data = torch.from_numpy(np.random.default_rng(0).random((4, 16, 16, 1), "float32"))
    outputs = _record_outputs(model)
    with profile(record_shapes=True) as prof:
        out = model(data, training=True)
        out.backward(torch.ones_like(out))  # a gradient laid out as the output
    for name, tensor in outputs.items():
        assert channels_first_memory(tensor), (name, tensor.stride())
    # Copies of activation-sized tensors: at most torch's own copy inside the strided
    # 1x1 conv's backward (a hand-written NCHW loop pays it too).
    copies = _activation_copies(prof, 4 * 8 * 8 * 8)
    assert len(copies) <= 1, copies
