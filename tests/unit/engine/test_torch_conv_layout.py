"""PyTorch keeps a run of channels_last conv layers free of per-layer transposes, in
one of two memories (issue 8's speed section):
- dense channels_last, where the convs read it in its own layout (most 1-D and 2-D
  convs: engine/torch/conv_channels_last.py): each conv's output is a dense
  (N, H, W, C) tensor, and relu, BatchNormalization, MaxPooling2D, add, Flatten and
  Dense take it as it lies;
- torch's channels-first memory for the rest (a one-channel input, strided 1x1 convs):
  each conv's output is an (N, C, H, W)-contiguous tensor seen as (N, H, W, C), and
  BatchNormalization and relu keep that layout."""
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


def test_a_one_channel_block_switches_memory_only_where_a_conv_needs_it():
    import torch
    from torch.profiler import profile

    # The seed's mini-Xception's first layers and one module: a one-channel input and
    # the strided 1x1 shortcut go the channels-first way; the separable conv takes its
    # input into channels_last, and the add follows its first operand's memory.
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
    layouts = {type(layer).__name__ + str(i): "last" if t.is_contiguous() else
               "first" if channels_first_memory(t) else "other"
               for i, layer in enumerate(model.layers[1:])
               for t in [outputs[layer.name]]}
    assert layouts == {
        "Conv2D0": "first", "BatchNormalization1": "first", "Activation2": "first",
        "SeparableConv2D3": "last", "BatchNormalization4": "last",
        "MaxPooling2D5": "last", "Conv2D6": "first", "Add7": "last"}, layouts
    # Copies of activation-sized tensors, all torch's own inside the convs where the
    # memory switches: the separable conv's input into channels_last (forward, and
    # again with its gradient in the backward pass), and the shortcut's gradient into
    # channels-first.
    copies = _activation_copies(prof, 4 * 8 * 8 * 8)
    assert all("aten::convolution_backward" in callers or "aten::_convolution" in callers
               for _, callers in copies), copies
    assert len(copies) <= 5, copies
