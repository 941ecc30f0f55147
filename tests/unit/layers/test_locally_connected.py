"""LocallyConnected1D/2D against Keras 2 (tf_keras, through the fixture files that
tests/fixtures/make_locally_connected_fixtures.py writes): every implementation,
padding and data format gives tf_keras's outputs and gradients from tf_keras's weights
as it stores them, a Keras 2 .h5 model predicts the same; plus the layer contract,
the three implementations agreeing with each other, and bad input."""
import json
import pathlib
import sys

import numpy as np
import pytest

import layerkit
from layerkit import engine, layers
from layerkit.engine.common.stateless_scope import StatelessScope

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from layer_contract import run_layer_contract  # noqa: E402

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "tf_keras"
DATA = np.load(FIXTURES / "locally_connected.npz")
CASES = json.loads(str(DATA["cases"]))


def to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


@pytest.mark.parametrize("n", range(len(CASES)),
                         ids=[f"{name[-2:]}-{kw['implementation']}-"
                              f"{kw.get('padding', 'valid')}-"
                              f"{kw.get('data_format', 'channels_last')[9:]}"
                              for name, kw in CASES])
def test_outputs_and_gradients_match_tf_keras(n):
    name, kwargs = CASES[n]
    x = DATA[f"{n}/x"]
    layer = getattr(layers, name)(**kwargs)
    layer.build(x.shape)
    weights = [DATA[f"{n}/weight_{i}"] for i in range(len(layer.weights))]
    assert [tuple(v.shape) for v in layer.weights] == [w.shape for w in weights]
    layer.set_weights(weights)
    np.testing.assert_allclose(to_np(layer(x)), DATA[f"{n}/y"], atol=1e-5, rtol=1e-5)
    assert layer.compute_output_shape(x.shape) == DATA[f"{n}/y"].shape

    variables = layer.weights
    g = engine.convert_to_tensor(DATA[f"{n}/cotangent"])

    def loss(inputs, values):
        with StatelessScope(list(zip(variables, values))):
            return engine.numpy.sum(layer(inputs) * g)

    values = [engine.convert_to_tensor(w) for w in weights]
    _, (gx, gw) = engine.core.value_and_grad(loss, argnums=(0, 1))(
        engine.convert_to_tensor(x), values)
    np.testing.assert_allclose(to_np(gx), DATA[f"{n}/grad_x"], atol=1e-5, rtol=1e-5)
    for i, grad in enumerate(gw):
        np.testing.assert_allclose(to_np(grad), DATA[f"{n}/grad_weight_{i}"], atol=1e-5,
                                   rtol=1e-5, err_msg=f"gradient of weight {i}")


def test_keras2_h5_model_loads_predicts_and_trains():
    model = layerkit.models.load_model(FIXTURES / "locally_connected.h5")
    assert [type(layer).__name__ for layer in model.layers][:3] == [
        "LocallyConnected2D", "Reshape", "LocallyConnected1D"]
    assert model.layers[0].implementation == 2 and model.layers[2].implementation == 3
    x = DATA["model/x"]
    np.testing.assert_allclose(model.predict(x, verbose=0), DATA["model/predict"],
                               atol=1e-5, rtol=1e-5)
    y = np.eye(2, dtype="float32")[np.arange(len(x)) % 2]
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))


def test_the_three_implementations_compute_the_same():
    """Implementation 1's weights, laid out as 2 and 3 store them, give the same
    outputs (what Keras 2 documents: only speed and memory differ)."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 5, 4)).astype("float32")   # channels_first
    kwargs = dict(filters=3, kernel_size=2, data_format="channels_first")
    one = layers.LocallyConnected2D(implementation=1, **kwargs)
    one.build(x.shape)
    kernel = rng.normal(size=one.kernel.shape).astype("float32")
    bias = rng.normal(size=one.bias.shape).astype("float32")
    one.set_weights([kernel, bias])
    expected = to_np(one(x))
    for implementation in (2, 3):
        other = layers.LocallyConnected2D(implementation=implementation, **kwargs)
        other.build(x.shape)
        stored = np.zeros(other.kernel.shape, "float32").reshape(-1)
        flat_one = kernel.reshape(-1)
        # Both index tables list the same (position, window cell, channel, filter).
        mine, theirs = one._kernel_index, other._kernel_index
        stored[theirs.reshape(-1)] = flat_one[mine.reshape(-1)]
        other.set_weights([stored.reshape(other.kernel.shape), bias])
        np.testing.assert_allclose(to_np(other(x)), expected, atol=1e-5)


@pytest.mark.parametrize("name,implementation,shape", [
    ("LocallyConnected1D", 1, (3, 6, 2)), ("LocallyConnected1D", 3, (3, 6, 2)),
    ("LocallyConnected2D", 2, (2, 4, 5, 2))])
def test_layer_contract(name, implementation, shape):
    padding = "valid" if implementation == 1 else "same"
    spatial = shape[1:-1] if padding == "same" else tuple(s - 1 for s in shape[1:-1])
    run_layer_contract(getattr(layers, name),
                       {"filters": 3, "kernel_size": 2, "padding": padding,
                        "implementation": implementation, "activation": "relu",
                        "kernel_regularizer": "l2"},
                       input_shape=shape, expected_output_shape=(shape[0],) + spatial + (3,),
                       expected_num_trainable_weights=2, expected_num_non_trainable_weights=0,
                       expected_weight_names=["kernel", "bias"])


def test_bad_input_names_the_layer():
    with pytest.raises(ValueError, match=r"implementation=1 supports only padding='valid'"):
        layers.LocallyConnected2D(2, 2, padding="same")
    with pytest.raises(ValueError, match=r"`implementation` must be 1, 2 or 3.*4"):
        layers.LocallyConnected1D(2, 2, implementation=4)
    with pytest.raises(ValueError, match=r'layer "lc".*expected ndim=4.*\(2, 5, 3\)'):
        layers.LocallyConnected2D(2, 2, name="lc")(np.zeros((2, 5, 3), "float32"))
    with pytest.raises(ValueError, match=r"kernel_size=\(6,\) does not fit"):
        layers.LocallyConnected1D(2, 6)(np.zeros((2, 5, 3), "float32"))
    with pytest.raises(ValueError, match=r"spatial and channel dimensions.*must be known"):
        layers.LocallyConnected1D(2, 2).build((None, None, 3))
    with pytest.raises(ValueError, match=r"`padding` must be one of"):
        layers.LocallyConnected1D(2, 2, padding="causal")
