"""Every Keras 2.x module path of issue 11 imports under the `keras` alias, and each
name Keras 2 had there is layerkit's object; names whose layer is not in layerkit yet
are listed as skips naming what is missing."""
import importlib

import numpy as np
import pytest

import layerkit
from layerkit.legacy import keras2_modules

PAIRS = [(p, n) for p in keras2_modules.keras2_paths() for n in keras2_modules.names_of(p)]


def _home(path, name):
    home = keras2_modules._TABLE[path][name]
    module, attr = home if isinstance(home, tuple) else (home, name)
    return getattr(importlib.import_module(module), attr, None), f"{module}.{attr}"


@pytest.mark.parametrize("path", keras2_modules.keras2_paths())
def test_every_keras2_path_imports(keras_alias, path):
    module = importlib.import_module(path)
    assert module.__name__ == path
    # `from path import *` takes the names that exist today.
    namespace = {}
    exec(f"from {path} import *", namespace)
    assert set(module.__all__) <= set(namespace)


@pytest.mark.parametrize("path,name", PAIRS, ids=[f"{p}:{n}" for p, n in PAIRS])
def test_each_keras2_name_is_layerkits_object(keras_alias, path, name):
    expected, where = _home(path, name)
    if expected is None:
        pytest.skip(f"pending: {where} is not in layerkit yet")
    module = importlib.import_module(path)
    assert getattr(module, name) is expected
    namespace = {}
    exec(f"from {path} import {name}", namespace)
    assert namespace[name] is expected


def test_a_missing_name_says_where_it_was_looked_for(keras_alias):
    module = importlib.import_module("keras.layers.recurrent")
    with pytest.raises(AttributeError, match="no_such_layer"):
        module.no_such_layer
    if getattr(layerkit.layers, "LSTM", None) is None:
        with pytest.raises(ImportError, match="LSTM"):
            exec("from keras.layers.recurrent import LSTM", {})


def test_names_are_looked_up_when_read(keras_alias, monkeypatch):
    # A layer that appears in layerkit.layers later shows under its Keras 2 path.
    module = importlib.import_module("keras.layers.wrappers")
    marker = type("TimeDistributed", (), {})
    monkeypatch.setattr(layerkit.layers, "TimeDistributed", marker, raising=False)
    assert module.TimeDistributed is marker


def test_deeper_and_modern_paths_still_import(keras_alias):
    from keras.layers.normalization.batch_normalization import BatchNormalization
    from keras.layers.core.embedding import Embedding
    from keras.legacy import backend_functions  # noqa: F401  keras.legacy is layerkit's
    from keras.utils.np_utils import to_categorical
    assert BatchNormalization is layerkit.layers.BatchNormalization
    assert Embedding is layerkit.layers.Embedding
    assert to_categorical is layerkit.utils.to_categorical
    import keras.legacy
    assert keras.legacy is layerkit.legacy


def test_keras2_program_imports_of_the_later_paths(keras_alias):
    """The import forms Keras 2 programs use for the paths added with ConvLSTM and
    LocallyConnected, tf.keras's experimental preprocessing and Keras 2.3's
    keras.callbacks.callbacks; a model built from them runs."""
    namespace = {}
    exec("from keras.layers.convolutional_recurrent import ConvLSTM2D\n"
         "from keras.layers.local import LocallyConnected1D, LocallyConnected2D\n"
         "from keras.layers.experimental import preprocessing\n"
         "from keras.layers.experimental.preprocessing import Rescaling\n"
         "from keras.callbacks.callbacks import EarlyStopping\n"
         "from keras.callbacks import callbacks\n"
         "import keras.layers.experimental.preprocessing as kp\n", namespace)
    L = layerkit.layers
    assert namespace["ConvLSTM2D"] is L.ConvLSTM2D
    assert namespace["LocallyConnected2D"] is L.LocallyConnected2D
    assert namespace["preprocessing"].Normalization is L.Normalization
    assert namespace["kp"].TextVectorization is L.TextVectorization
    assert namespace["callbacks"].ModelCheckpoint is layerkit.callbacks.ModelCheckpoint
    assert namespace["EarlyStopping"] is layerkit.callbacks.EarlyStopping
    import keras
    assert keras.layers.experimental.preprocessing.Resizing is L.Resizing
    assert keras.layers.core is layerkit.layers.core   # layerkit's own module stays
    model = layerkit.Sequential([
        L.Input((2, 5, 5, 1)), namespace["Rescaling"](0.5),
        namespace["ConvLSTM2D"](2, 3), L.Reshape((9, 2)),
        namespace["LocallyConnected1D"](1, 3)])
    x = np.random.default_rng(0).random((3, 2, 5, 5, 1)).astype("float32")
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros((3, 7, 1), "float32"), epochs=1, verbose=0,
              callbacks=[namespace["EarlyStopping"](monitor="loss")])
    assert model.predict(x, verbose=0).shape == (3, 7, 1)


OLD_INITIALIZERS = ["normal", "uniform", "glorot_uniform", "glorot_normal", "lecun_normal",
                    "lecun_uniform", "he_normal", "he_uniform", "identity", "orthogonal",
                    "zero", "one"]


@pytest.mark.parametrize("name", OLD_INITIALIZERS)
def test_keras2_initializer_names(keras_alias, name):
    from keras import initializers
    init = getattr(initializers, name)
    assert init is getattr(layerkit.initializers, name)
    # Usable the Keras 2 way: by name in a layer, and called on a shape.
    layer = layerkit.layers.Dense(4, kernel_initializer=name)
    layer.build((None, 4))
    values = np.asarray(layer.kernel.numpy())
    assert values.shape == (4, 4) and np.all(np.isfinite(values))
    if name == "identity":
        np.testing.assert_array_equal(values, np.eye(4))
    if name == "orthogonal":
        np.testing.assert_allclose(values @ values.T, np.eye(4), atol=1e-5)


LOSS_NAMES = {"mse": "mean_squared_error", "mae": "mean_absolute_error",
              "mape": "mean_absolute_percentage_error",
              "msle": "mean_squared_logarithmic_error", "kld": "kullback_leibler_divergence",
              "binary_crossentropy": None, "categorical_crossentropy": None,
              "sparse_categorical_crossentropy": None, "hinge": None, "squared_hinge": None,
              "logcosh": None, "poisson": None, "cosine_proximity": None,
              "categorical_hinge": None}


@pytest.mark.parametrize("name", sorted(LOSS_NAMES))
def test_keras2_loss_and_metric_function_names(keras_alias, name):
    import keras.losses
    import keras.metrics
    fn = getattr(keras.losses, name)
    assert fn is getattr(layerkit.losses, name)
    assert callable(getattr(keras.metrics, name))
    if LOSS_NAMES[name]:
        assert getattr(keras.losses, LOSS_NAMES[name]) is not None
    y_true = np.array([[0.0, 1.0], [1.0, 0.0]], "float32")
    y_pred = np.array([[0.2, 0.8], [0.6, 0.4]], "float32")
    if name == "sparse_categorical_crossentropy":
        y_true = np.array([1, 0])
    out = np.asarray(layerkit.ops.convert_to_numpy(fn(y_true, y_pred)))
    assert out.shape == (2,) and np.all(np.isfinite(out))


def test_mse_by_its_keras2_names_matches_numpy(keras_alias):
    import keras.losses
    y_true = np.array([[1.0, 2.0]], "float32")
    y_pred = np.array([[0.0, 4.0]], "float32")
    for fn in (keras.losses.mse, keras.losses.MSE, keras.losses.mean_squared_error):
        np.testing.assert_allclose(layerkit.ops.convert_to_numpy(fn(y_true, y_pred)), [2.5])
    np.testing.assert_allclose(layerkit.ops.convert_to_numpy(
        keras.losses.mae(y_true, y_pred)), [1.5])
