"""`sparse=True` on the encoding preprocessing layers, as Keras 3 gives it per engine:
on JAX the output is a BCOO equal to Keras's (or to the layer's own dense output, which
other tests compare with Keras, where Keras's needs TensorFlow); on PyTorch the layer
refuses it when built. A sparse layer refuses a symbolic input: the graph is dense."""
import numpy as np
import pytest

from layerkit import engine, layers

IDS = np.array([[0, 1, 1], [3, 2, 0]], "int32")
WEIGHTS = np.array([[0.5, 1.0, 2.0], [1.0, 3.0, 0.25]], "float32")


def _dense(x):
    assert engine.sparse.is_sparse(x), type(x)
    return np.asarray(engine.sparse.todense(x))


def _sparse_or_refused(engine_name, make):
    """The layer, or None after checking that torch refuses it by name."""
    if engine_name == "torch":
        with pytest.raises(ValueError, match=r'"\w+": sparse=True is not supported with the '
                                             "torch engine"):
            make()
        return None
    return make()


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
def test_category_encoding_sparse_matches_keras(keras_oracle, engine_name, mode):
    ids = IDS if mode != "one_hot" else np.array([[0], [3]], "int32")
    layer = _sparse_or_refused(
        engine_name, lambda: layers.CategoryEncoding(4, output_mode=mode, sparse=True))
    if layer is None:
        return
    want = keras_oracle.layers.CategoryEncoding(4, output_mode=mode, sparse=True)(ids)
    got = layer(ids)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(_dense(got), np.asarray(want.todense()))
    assert layer.get_config()["sparse"] is True


def test_category_encoding_sparse_count_weights(keras_oracle, engine_name):
    layer = _sparse_or_refused(
        engine_name, lambda: layers.CategoryEncoding(4, output_mode="count", sparse=True))
    if layer is None:
        return
    want = keras_oracle.layers.CategoryEncoding(4, output_mode="count", sparse=True)(
        IDS, count_weights=WEIGHTS)
    np.testing.assert_allclose(_dense(layer(IDS, count_weights=WEIGHTS)),
                               np.asarray(want.todense()), rtol=1e-6)


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
def test_discretization_sparse_matches_keras(keras_oracle, engine_name, mode):
    x = np.array([[-1.0, 0.5, 2.0], [0.2, 0.7, 3.5]], "float32")
    make = lambda: layers.Discretization(bin_boundaries=[0.0, 1.0, 3.0], output_mode=mode,  # noqa: E731
                                         sparse=True)
    layer = _sparse_or_refused(engine_name, make)
    if layer is None:
        return
    want = keras_oracle.layers.Discretization(bin_boundaries=[0.0, 1.0, 3.0],
                                              output_mode=mode, sparse=True)(x)
    np.testing.assert_array_equal(_dense(layer(x)), np.asarray(want.todense()))


@pytest.mark.parametrize("make", [
    lambda s: layers.Hashing(5, output_mode="multi_hot", sparse=s),
    lambda s: layers.IntegerLookup(vocabulary=[3, 7, 9], output_mode="count", sparse=s),
    lambda s: layers.StringLookup(vocabulary=["a", "b", "c"], output_mode="tf_idf",
                                  idf_weights=[0.5, 1.0, 2.0], sparse=s),
    lambda s: layers.TextVectorization(vocabulary=["a", "b", "c"], output_mode="multi_hot",
                                       sparse=s),
], ids=["Hashing", "IntegerLookup", "StringLookup", "TextVectorization"])
def test_host_layers_sparse_equal_their_dense_output(engine_name, make):
    data = {"Hashing": np.array([["x", "y"], ["z", "x"]]),
            "IntegerLookup": np.array([[3, 3, 8], [9, 7, 7]]),
            "StringLookup": np.array([["a", "a", "q"], ["c", "b", "b"]]),
            "TextVectorization": np.array(["a b b", "c q a"])}
    layer = _sparse_or_refused(engine_name, lambda: make(True))
    if layer is None:
        return
    name = type(layer).__name__
    dense = np.asarray(engine.convert_to_numpy(make(False)(data[name])))
    np.testing.assert_allclose(_dense(layer(data[name])), dense, rtol=1e-6)
    assert layer.get_config()["sparse"] is True


def test_sparse_needs_an_encoded_output_mode():
    with pytest.raises(ValueError, match=r"Discretization \"\w+\": sparse=True needs an "
                                         "encoded output.*received output_mode='int'"):
        layers.Discretization(bin_boundaries=[0.0], sparse=True)
    with pytest.raises(ValueError, match="sparse=True needs an encoded output"):
        layers.StringLookup(vocabulary=["a"], sparse=True)


def test_sparse_layer_refuses_a_symbolic_input(engine_name):
    if engine_name == "torch":
        pytest.skip("the torch engine refuses sparse=True when the layer is built")
    x = layers.Input((3,), dtype="int32")
    with pytest.raises(TypeError, match=r'CategoryEncoding "\w+": sparse=True cannot be '
                                        "applied to a symbolic tensor"):
        layers.CategoryEncoding(4, sparse=True)(x)
    s = layers.Input((2,), dtype="string")
    with pytest.raises(TypeError, match="sparse=True cannot be applied to a symbolic"):
        layers.StringLookup(vocabulary=["a"], output_mode="multi_hot", sparse=True)(s)
