"""The Keras 2 helpers behind keras.utils.{generic,io,layer}_utils and
keras.layers.cudnn_recurrent, on both engines."""
import io
from contextlib import redirect_stdout

import numpy as np
import pytest

import layerkit
from layerkit import layers
from layerkit.legacy import cudnn_recurrent, generic_utils, layer_utils
from layerkit.legacy.hdf5_matrix import HDF5Matrix


def test_to_list_and_unpack_singleton():
    assert generic_utils.to_list(3) == [3]
    assert generic_utils.to_list([1, 2]) == [1, 2]
    assert generic_utils.to_list((1, 2)) == [(1, 2)]
    assert generic_utils.to_list((1, 2), allow_tuple=True) == [1, 2]
    assert generic_utils.unpack_singleton([7]) == 7
    assert generic_utils.unpack_singleton([7, 8]) == [7, 8]
    assert generic_utils.has_arg(lambda x, mask=None: x, "mask")
    assert not generic_utils.has_arg(lambda x: x, "mask")
    assert generic_utils.has_arg(lambda x, **kw: x, "mask", accept_all=True)


def test_custom_object_scope_and_progbar_under_generic_utils(keras_alias):
    from keras.utils.generic_utils import CustomObjectScope, Progbar, get_custom_objects
    assert get_custom_objects() is layerkit.saving.get_custom_objects()

    class Swish(layers.Layer):
        pass

    with CustomObjectScope({"Swish": Swish}):
        assert layerkit.saving.get_registered_object("Swish") is Swish
    assert layerkit.saving.get_registered_object("Swish") is None
    out = io.StringIO()
    with redirect_stdout(out):
        bar = Progbar(2, verbose=2)
        bar.update(2, values=[("loss", 1.0)])
    assert "loss" in out.getvalue()


def _model():
    inp = layers.Input((6, 6, 1))
    x = layers.Conv2D(2, 3, name="conv")(inp)
    x = layers.Flatten()(x)
    return layerkit.Model(inp, layers.Dense(3, name="dense")(x))


def test_count_params_and_print_summary():
    model = _model()
    assert layer_utils.count_params(model.trainable_weights) == model.count_params() == \
        (3 * 3 * 2 + 2) + (32 * 3 + 3)
    lines = []
    layer_utils.print_summary(model, print_fn=lines.append)
    assert any("Total params: 119" in line for line in lines)


def test_convert_all_kernels_flips_spatial_axes_only():
    model = _model()
    kernel = np.asarray(model.get_layer("conv").kernel.numpy()).copy()
    dense = np.asarray(model.get_layer("dense").kernel.numpy()).copy()
    layer_utils.convert_all_kernels_in_model(model)
    np.testing.assert_array_equal(model.get_layer("conv").kernel.numpy(), kernel[::-1, ::-1])
    np.testing.assert_array_equal(model.get_layer("dense").kernel.numpy(), dense)
    # Flipping twice gives the kernel back; a convolution with the flipped kernel is
    # the true convolution Theano computed.
    layer_utils.convert_all_kernels_in_model(model)
    np.testing.assert_array_equal(model.get_layer("conv").kernel.numpy(), kernel)


def test_get_source_inputs_finds_every_input():
    a, b = layers.Input((2,), name="a"), layers.Input((3,), name="b")
    out = layers.Dense(1)(layers.concatenate([a, layers.Dense(2)(b)]))
    assert layer_utils.get_source_inputs(out) == [a, b]


def test_cudnn_layers_reject_what_cudnn_did_not_take():
    with pytest.raises(TypeError, match="dropout"):
        cudnn_recurrent.CuDNNLSTM(4, dropout=0.5)
    with pytest.raises(TypeError, match="activation"):
        cudnn_recurrent.CuDNNGRU(4, activation="relu")


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_cudnn_layers_are_the_plain_layers_with_cudnn_defaults(kind):
    if not hasattr(layers, kind):
        pytest.skip(f"pending: layerkit.layers.{kind} is not in layerkit yet")
    make = getattr(cudnn_recurrent, f"CuDNN{kind}")
    layer = make(3, return_sequences=True)
    assert type(layer) is getattr(layers, kind)
    config = layer.get_config()
    assert config["activation"] == "tanh" and config["recurrent_activation"] == "sigmoid"
    assert config["return_sequences"] is True
    if kind == "GRU":
        assert config["reset_after"] is True
    else:
        assert config["unit_forget_bias"] is True
    out = layerkit.Sequential([layers.Input((5, 2)), layer]).predict(
        np.ones((2, 5, 2), "float32"), verbose=0)
    assert out.shape == (2, 5, 3)


def test_hdf5_matrix_reads_rows_and_trains(tmp_path):
    h5py = pytest.importorskip("h5py")
    path = tmp_path / "data.h5"
    x = np.arange(40, dtype="float32").reshape(10, 4)
    with h5py.File(path, "w") as f:
        f["x"] = x
        f["y"] = (x.sum(axis=1, keepdims=True) > 60).astype("float32")
    m = HDF5Matrix(str(path), "x", start=2, end=8, normalizer=lambda a: a / 40.0)
    assert len(m) == 6 and m.shape == (6, 4) and m.ndim == 2
    np.testing.assert_allclose(m[0], x[2] / 40)
    np.testing.assert_allclose(m[1:3], x[3:5] / 40)
    np.testing.assert_allclose(m[[4, 0, 4]], x[[6, 2, 6]] / 40)
    np.testing.assert_allclose(m[-1], x[7] / 40)
    with pytest.raises(IndexError):
        m[6]
    with pytest.raises(KeyError, match="no dataset 'z'"):
        HDF5Matrix(str(path), "z")
    y = HDF5Matrix(str(path), "y", start=2, end=8)
    model = layerkit.Sequential([layers.Input((4,)), layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy")
    history = model.fit(m, y, batch_size=3, epochs=1, verbose=0, shuffle=False)
    assert np.isfinite(history.history["loss"][0])
