"""Keras 2 behaviours that published programs rely on (issue 11), on both engines."""
import warnings

import numpy as np
import pytest

import layerkit
from layerkit import backend as K
from layerkit import layers, ops


def _two_input_model():
    a, b = layers.Input((3,), name="a"), layers.Input((2,), name="b")
    out = layers.Dense(1, kernel_initializer="ones", name="d")(layers.concatenate([a, b]))
    return layerkit.Model([a, b], out)


# --- predict takes the sample count from the first input --------------------------
def test_predict_uses_the_first_inputs_length_with_a_warning():
    model = _two_input_model()
    a = np.arange(15, dtype="float32").reshape(5, 3)
    b = np.ones((7, 2), "float32")
    with pytest.warns(UserWarning, match=r"different numbers of samples \[5, 7\]"):
        out = model.predict([a, b], verbose=0, batch_size=2)
    assert out.shape == (5, 1)
    np.testing.assert_allclose(out[:, 0], a.sum(axis=1) + 2.0, rtol=1e-6)


def test_predict_with_a_shorter_later_input_names_it():
    model = _two_input_model()
    with pytest.raises(ValueError, match="input 1 has 4 samples, fewer than the first"):
        model.predict([np.ones((5, 3)), np.ones((4, 2))], verbose=0)


def test_equal_lengths_do_not_warn():
    model = _two_input_model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert model.predict([np.ones((5, 3)), np.ones((5, 2))], verbose=0).shape == (5, 1)


# --- integer targets reach custom losses and metrics as floats ----------------------
def test_integer_targets_are_cast_for_custom_loss_and_metric():
    seen = {}

    def my_loss(y_true, y_pred):
        seen["loss"] = str(y_true.dtype)
        return ops.mean(ops.square(y_true - y_pred), axis=-1)

    def my_metric(y_true, y_pred):
        seen["metric"] = str(y_true.dtype)
        return ops.mean(ops.abs(y_true - y_pred), axis=-1)

    model = layerkit.Sequential([layers.Input((3,)), layers.Dense(1, kernel_initializer="zeros")])
    model.compile("sgd", loss=my_loss, metrics=[my_metric])
    x, y = np.ones((4, 3), "float32"), np.array([[1], [2], [3], [4]], dtype="int64")
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert "float32" in seen["loss"] and "float32" in seen["metric"]
    # Zero weights predict 0: the loss is mean(y^2) as floats (integer math would agree
    # here, but a division would not): 7.5, the metric mean(|y|) = 2.5.
    assert logs["loss"] == pytest.approx(7.5) and logs["my_metric"] == pytest.approx(2.5)
    model.fit(x, y, epochs=1, verbose=0)
    assert "float32" in seen["loss"]


# --- a one-element list from call() is a tensor -------------------------------------
class _ListLayer(layers.Layer):
    def call(self, x):
        return [x * 3.0]


def test_a_one_element_list_from_a_lambda_or_layer_is_a_tensor():
    inp = layers.Input((2,))
    lam = layers.Lambda(lambda t: [t + 1.0])(inp)
    custom = _ListLayer()(lam)
    assert isinstance(lam, layerkit.engine.common.symbolic_tensor.SymbolicTensor)
    assert isinstance(custom, layerkit.engine.common.symbolic_tensor.SymbolicTensor)
    model = layerkit.Model(inp, layers.Dense(1, kernel_initializer="ones")(custom))
    x = np.array([[1.0, 2.0]], "float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), [[(2 + 3) * 3.0]])
    eager = layers.Lambda(lambda t: [t * 2.0])(ops.convert_to_tensor(x))
    assert ops.is_tensor(eager)
    np.testing.assert_allclose(ops.convert_to_numpy(eager), x * 2)
    two = layers.Lambda(lambda t: [t, t])(inp)
    assert isinstance(two, list) and len(two) == 2  # longer lists stay lists


# --- K.gradients inside a Lambda ----------------------------------------------------
def _gradient_model(kernel):
    inp = layers.Input((3,))
    h = layers.Dense(2, use_bias=False, kernel_initializer="zeros", name="h")(inp)
    # d/dh sum(h^2) = 2 h: a gradient of one part of the graph used as a layer output.
    g = layers.Lambda(lambda t: K.gradients(K.sum(K.square(t)), [t])[0], name="grad")(h)
    model = layerkit.Model(inp, g)
    model.get_layer("h").kernel.assign(kernel)
    return model


def test_k_gradients_inside_a_lambda():
    kernel = np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0]], "float32")
    model = _gradient_model(kernel)
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]], "float32")
    assert model.output_shape == (None, 2)
    np.testing.assert_allclose(model.predict(x, verbose=0), 2 * x @ kernel, rtol=1e-6)
    # Trained through: the model computes 2 x W, so one SGD step on mse must move W
    # as it moves a model that writes 2 x W directly.
    reference = layerkit.Model(*_plain(kernel))
    y = np.ones((2, 2), "float32")
    for m in (model, reference):
        m.compile(layerkit.optimizers.SGD(0.1), "mse")
        m.train_on_batch(x, y)
    np.testing.assert_allclose(model.get_layer("h").kernel.numpy(),
                               reference.get_layer("h").kernel.numpy(), rtol=1e-5)


def _plain(kernel):
    inp = layers.Input((3,))
    h = layers.Dense(2, use_bias=False, name="h")(inp)
    out = layers.Lambda(lambda t: 2.0 * t)(h)
    layer = h._history[0]
    layer.kernel.assign(kernel)
    return inp, out


def test_k_gradients_outside_a_graph_still_explains_itself():
    with pytest.raises(TypeError, match="must be a symbolic tensor"):
        K.gradients(ops.convert_to_tensor(np.ones(2, "float32")), [])


# --- trailing dimensions that differ from the Input's --------------------------------
def test_other_trailing_dims_warn_where_the_model_can_run():
    inp = layers.Input((4, 3))
    model = layerkit.Model(inp, layers.GlobalAveragePooling1D()(layers.Dense(2)(inp)))
    x = np.ones((2, 6, 3), "float32")  # 6 steps instead of 4: still defined
    with pytest.warns(UserWarning, match=r"expects shape \(None, 4, 3\), received \(2, 6, 3\)"):
        out = model(x)
    assert tuple(out.shape) == (2, 2)


def test_other_trailing_dims_raise_where_the_model_cannot_run():
    inp = layers.Input((4,))
    model = layerkit.Model(inp, layers.Dense(2)(inp))
    with pytest.warns(UserWarning), pytest.raises(ValueError,
                                                  match="cannot run on this data"):
        model(np.ones((2, 5), "float32"))
    with pytest.raises(ValueError, match="expected shape"):
        model(np.ones((2, 4, 1), "float32"))  # another rank: an error at once


# --- channels_first on CPU ------------------------------------------------------------
def test_channels_first_convolution_and_pooling_match_channels_last():
    rng = np.random.RandomState(0)
    x = rng.randn(2, 8, 8, 3).astype("float32")
    outs = {}
    for fmt in ("channels_last", "channels_first"):
        conv = layers.Conv2D(4, 3, padding="same", data_format=fmt, kernel_initializer="ones")
        pool = layers.MaxPooling2D(2, data_format=fmt)
        avg = layers.AveragePooling2D(2, data_format=fmt)
        inp = x if fmt == "channels_last" else x.transpose(0, 3, 1, 2)
        model = layerkit.Sequential([layers.Input(inp.shape[1:]), conv, pool, avg])
        out = model.predict(inp, verbose=0)
        outs[fmt] = out if fmt == "channels_last" else out.transpose(0, 2, 3, 1)
    assert outs["channels_last"].shape == (2, 2, 2, 4)
    np.testing.assert_allclose(outs["channels_first"], outs["channels_last"], rtol=1e-5)


# --- the image data format set through K --------------------------------------------
@pytest.fixture
def restore_format():
    before = K.image_data_format()
    yield
    K.set_image_data_format(before)


def test_set_image_data_format_reaches_layers_made_afterwards(restore_format):
    K.set_image_data_format("channels_first")
    conv, pool = layers.Conv2D(2, 3), layers.MaxPooling2D()
    model = layerkit.Sequential([layers.Input((3, 8, 8)), conv, pool])
    assert model.output_shape == (None, 2, 3, 3)
    assert conv.data_format == pool.data_format == "channels_first"
    K.set_image_data_format("channels_last")
    assert layers.Conv2D(2, 3).data_format == "channels_last"
    assert conv.data_format == "channels_first"  # layers made before keep theirs


def test_image_dim_ordering_th_and_tf(restore_format, keras_alias):
    from keras import backend
    backend.set_image_dim_ordering("th")
    assert backend.image_dim_ordering() == "th"
    assert backend.image_data_format() == "channels_first"
    assert layers.Conv2D(2, 3).data_format == "channels_first"
    assert layers.GlobalAveragePooling2D().data_format == "channels_first"
    backend.set_image_dim_ordering("tf")
    assert backend.image_dim_ordering() == "tf"
    assert layers.Conv2D(2, 3).data_format == "channels_last"
    with pytest.raises(ValueError, match="'th'.*'tf'"):
        backend.set_image_dim_ordering("channels_first")


def test_numpy_integer_sizes_are_accepted():
    # Keras 2 programs size the last layer with np.max(y_train) + 1.
    dense = layers.Dense(np.int64(5))
    conv = layers.Conv2D(np.int32(4), np.int64(3))
    assert dense.units == 5 and type(dense.units) is int
    assert conv.filters == 4 and type(conv.filters) is int
    with pytest.raises(ValueError, match="positive integer"):
        layers.Dense(np.int64(0))
