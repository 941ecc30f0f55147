"""PyTorch keeps a conv kernel Variable (spatial..., in, out in Keras's shape) in the
memory of the weight torch's conv reads, and its optimizer slots in the same order:
torch's (out, in, spatial...) weight, or where the conv reads channels_last data in
its layout (engine/torch/conv_channels_last.py) torch's channels_last weight,
(out, spatial..., in) in memory. The conv reads it without a copy per step,
and the update's list ops run on one layout. The values, get/set_weights, saving and
the numbers stay Keras's."""
import numpy as np
import pytest

import layerkit
from layerkit import layers

pytestmark = pytest.mark.skipif(layerkit.backend.backend() != "torch",
                                reason="memory order is PyTorch's concern")


def torch_order(t):
    n = t.ndim - 2
    return t.permute(n + 1, n, *range(n)).is_contiguous()


def channels_last_order(t):
    """(spatial..., in, out) lying as (out, spatial..., in)."""
    n = t.ndim - 2
    return t.permute(n + 1, *range(n), n).is_contiguous()


def model(conv=layers.Conv1D, shape=(12, 4)):
    m = layerkit.Sequential([layerkit.Input(shape), conv(3, 3, activation="relu"),
                             layers.Flatten(), layers.Dense(1)])
    m.compile(optimizer="rmsprop", loss="mse")
    return m


def data(shape=(12, 4)):
    rng = np.random.default_rng(0)
    return rng.random((8,) + shape, "float32"), rng.random((8, 1), "float32")


@pytest.mark.parametrize("conv,shape,in_place", [
    (layers.Conv1D, (12, 4), True), (layers.Conv2D, (6, 6, 2), True),
    (lambda f, k, **kw: layers.Conv1D(f, 1, strides=2, **kw), (12, 4), False),
    (lambda f, k, **kw: layers.Conv2D(f, k, data_format="channels_first", **kw), (2, 6, 6),
     False)], ids=["conv1d", "conv2d", "conv1d_strided_1x1", "conv2d_channels_first"])
def test_kernel_and_slots_keep_the_conv_weights_order_through_fit(conv, shape, in_place):
    m = model(conv, shape)
    x, y = data(shape)
    kernel = m.layers[0].kernel
    order = channels_last_order if in_place else torch_order
    assert order(kernel.value) and not kernel.value.is_contiguous()
    m.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert order(kernel.value) and kernel.value.requires_grad
    slot = m.optimizer._slots["velocity"][0]
    assert tuple(slot.shape) == tuple(kernel.shape) and order(slot.value)
    # The conv's weight is the Variable's own memory: no copy per step.
    n = kernel.value.ndim - 2
    axes = (n + 1, *range(n), n) if in_place else (n + 1, n, *range(n))
    weight = kernel.value.permute(axes).contiguous()
    assert weight.data_ptr() == kernel.value.data_ptr()


def test_values_set_weights_and_numbers_are_keras_layout():
    m = model()
    x, y = data()
    new = [np.arange(np.prod(w.shape), dtype="float32").reshape(w.shape) / 100
           for w in m.get_weights()]
    m.set_weights(new)
    kernel = m.layers[0].kernel
    assert channels_last_order(kernel.value)
    got = m.get_weights()
    assert got[0].flags.c_contiguous
    for a, b in zip(got, new):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(kernel.numpy(), new[0])

    # The same training with the kernel and its slot in plain memory gives the same numbers.
    plain = model()
    plain.set_weights(new)
    plain.optimizer.build(plain.trainable_variables)
    for v in [plain.layers[0].kernel, plain.optimizer._slots["velocity"][0]]:
        v._strides = None
        v._direct_assign(v.value.detach().contiguous())
    assert plain.layers[0].kernel.value.is_contiguous()
    m.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    plain.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    for a, b in zip(m.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def _weight_view(layer_kind, kernel):
    """The tensor torch's kernel reads, as the engine forms it from the Variable."""
    from layerkit.engine.torch.nn import _grouped_kernel
    n = kernel.ndim - 2
    if layer_kind == "depthwise":
        kernel = _grouped_kernel(kernel)
    return kernel.permute(n + 1, n, *range(n))


OTHER_KERNELS = [
    # (layer, input shape, [(kernel attribute, kind)])
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=2), (6, 6, 3),
     [("kernel", "depthwise")]),
    (lambda: layers.DepthwiseConv1D(3), (8, 3), [("kernel", "depthwise")]),
    (lambda: layers.SeparableConv2D(4, 3, depth_multiplier=2), (6, 6, 3),
     [("depthwise_kernel", "depthwise"), ("pointwise_kernel", "conv")]),
    (lambda: layers.Conv2DTranspose(4, 3, strides=2), (4, 4, 3), [("kernel", "conv")]),
    (lambda: layers.Conv1DTranspose(4, 3), (6, 3), [("kernel", "conv")]),
    (lambda: layers.ConvLSTM1D(4, 3, padding="same"), (3, 6, 2),
     [("cell.kernel", "conv"), ("cell.recurrent_kernel", "conv")]),
]


def _attribute(layer, dotted):
    for name in dotted.split("."):
        layer = getattr(layer, name)
    return layer


@pytest.mark.parametrize("make,shape,kernels", OTHER_KERNELS,
                         ids=["depthwise2d", "depthwise1d", "separable2d", "conv2d_transpose",
                              "conv1d_transpose", "conv_lstm1d"])
def test_depthwise_separable_transposed_and_conv_lstm_kernels_are_read_without_a_copy(
        make, shape, kernels):
    def build():
        m = layerkit.Sequential([layerkit.Input(shape), make(), layers.Flatten(),
                                 layers.Dense(1)])
        m.compile(optimizer="rmsprop", loss="mse")
        return m
    m = build()
    x, y = data(shape)
    new = [np.random.default_rng(1).standard_normal(w.shape).astype("float32") / 4
           for w in m.get_weights()]
    m.set_weights(new)
    m.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    layer = m.layers[0]
    for name, kind in kernels:
        kernel = _attribute(layer, name).value
        weight = _weight_view(kind, kernel)
        assert weight.is_contiguous(), (name, kernel.stride())
        assert weight.data_ptr() == kernel.data_ptr()
    # The same training with every Variable and slot in plain memory: the same numbers.
    plain = build()
    plain.set_weights(new)
    plain.optimizer.build(plain.trainable_variables)
    for v in list(plain.weights) + [s for slots in plain.optimizer._slots.values()
                                     for s in slots]:
        v._strides = None
        v._direct_assign(v.value.detach().contiguous())
    plain.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    for a, b in zip(m.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
