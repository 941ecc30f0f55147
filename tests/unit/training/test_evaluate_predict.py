"""evaluate, predict and the single-batch methods."""
import numpy as np
import pytest

from layerkit import engine
from layerkit.layers import Dense
from layerkit.models import Sequential


def _model():
    model = Sequential([Dense(4, activation="relu", input_dim=3), Dense(2)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return model


def test_predict_any_length_keeps_the_last_partial_batch():
    model = _model()
    x = np.random.random((70, 3)).astype("float32")
    out = model.predict(x, batch_size=32, verbose=0)
    assert out.shape == (70, 2)
    np.testing.assert_allclose(out, engine.convert_to_numpy(model(x)), rtol=1e-5, atol=1e-6)
    assert model.predict(x[:1], verbose=0).shape == (1, 2)


def test_evaluate_returns_loss_then_metrics_and_a_dict():
    model = _model()
    x, y = np.random.random((20, 3)), np.random.random((20, 2))
    loss, mae = model.evaluate(x, y, verbose=0)
    pred = model.predict(x, verbose=0)
    assert loss == pytest.approx(np.mean((pred - y) ** 2), rel=1e-4)
    assert mae == pytest.approx(np.mean(np.abs(pred - y)), rel=1e-4)
    assert model.evaluate(x, y, verbose=0, return_dict=True) == {
        "loss": pytest.approx(loss), "mae": pytest.approx(mae)}


def test_evaluate_with_only_a_loss_returns_a_scalar():
    model = Sequential([Dense(1, input_dim=2)])
    model.compile("sgd", "mse")
    assert isinstance(model.evaluate(np.zeros((4, 2)), np.zeros((4, 1)), verbose=0), float)


def test_train_test_predict_on_batch():
    model = _model()
    x, y = np.random.random((8, 3)), np.random.random((8, 2))
    before = model.get_weights()
    loss, mae = model.train_on_batch(x, y)
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
    test_loss = model.test_on_batch(x, y)[0]
    pred = model.predict_on_batch(x)
    assert test_loss == pytest.approx(np.mean((pred - y) ** 2), rel=1e-4)
    assert model.train_on_batch(x, y, return_dict=True).keys() == {"loss", "mae"}


def test_calling_the_model_directly():
    model = _model()
    x = np.random.random((5, 3)).astype("float32")
    np.testing.assert_allclose(engine.convert_to_numpy(model(x)),
                               model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_predict_with_a_generator():
    model = _model()
    x = np.random.random((10, 3)).astype("float32")
    out = model.predict((x[i:i + 4] for i in range(0, 10, 4)), verbose=0)
    np.testing.assert_allclose(out, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_jit_compile_true_on_torch_goes_through_torch_compile(engine_name, monkeypatch):
    if engine_name != "torch":
        pytest.skip("torch.compile is the PyTorch engine's compiler; JAX always jits")
    monkeypatch.setenv("LAYERKIT_TORCH_COMPILE_BACKEND", "aot_eager")
    model = Sequential([Dense(4, activation="relu", input_dim=3), Dense(1)])
    model.compile(optimizer="sgd", loss="mse", jit_compile=True)
    x, y = np.random.random((32, 3)), np.random.random((32, 1))
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    runner = model._runners["train"]
    assert runner.compiled and type(runner._forward).__name__ != "method"
    assert history.history["loss"][1] < history.history["loss"][0] * 1.5
    eager = Sequential([Dense(4, activation="relu", input_dim=3), Dense(1)])
    eager.compile(optimizer="sgd", loss="mse")
    eager.set_weights(model.get_weights())
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), eager.evaluate(x, y, verbose=0),
                               rtol=1e-5)
