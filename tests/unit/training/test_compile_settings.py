"""compile()'s step settings are honoured, or refused loudly, on both engines:
run_eagerly, jit_compile, steps_per_execution, auto_scale_loss (and the optimizer's
loss_scale_factor that a loss-scaled step relies on)."""
import warnings

import numpy as np
import pytest

from layerkit import layers
from layerkit.callbacks import LambdaCallback
from layerkit.layers import Dense, Input
from layerkit.models import Sequential
from layerkit.optimizers import SGD
from layerkit.utils import set_random_seed


class CountCalls(layers.Layer):
    """Counts how often its Python `call` runs (once per trace when a step is compiled)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = 0

    def call(self, x):
        self.calls += 1
        return x


def _data(n=64):
    rng = np.random.default_rng(0)
    return rng.random((n, 4), dtype=np.float32), rng.random((n, 2), dtype=np.float32)


def _model(**compile_kw):
    set_random_seed(2)
    counter = CountCalls()
    model = Sequential([Input((4,)), Dense(8, activation="relu"), counter, Dense(2)])
    model.compile(SGD(0.05), "mse", **compile_kw)
    return model, counter


def _python_calls_per_epoch(model, counter):
    x, y = _data()
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)   # traces, builds
    before = counter.calls
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    return counter.calls - before


@pytest.mark.parametrize("setting", [{"run_eagerly": True}, {"jit_compile": False}])
def test_eager_settings_run_the_python_of_every_step(setting):
    model, counter = _model(**setting)
    assert _python_calls_per_epoch(model, counter) == 4      # 64 samples / 16


def test_the_default_step_is_compiled_on_jax_and_eager_on_torch(engine_name):
    model, counter = _model()
    calls = _python_calls_per_epoch(model, counter)
    assert calls == (0 if engine_name == "jax" else 4)


def test_eager_and_compiled_steps_give_the_same_weights():
    x, y = _data()
    results = []
    for setting in ({}, {"run_eagerly": True}, {"jit_compile": False}):
        model, _ = _model(**setting)
        model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
        results.append(model.get_weights())
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_setting_run_eagerly_after_compile_takes_effect():
    model, counter = _model()
    x, y = _data()
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    model.run_eagerly = True
    assert _python_calls_per_epoch(model, counter) == 4


def test_jit_compile_true_with_run_eagerly_warns_and_runs_eagerly():
    with pytest.warns(UserWarning, match="run_eagerly=True.*jit_compile"):
        model, counter = _model(run_eagerly=True, jit_compile=True)
    assert model.jit_compile is False and model.run_eagerly is True
    assert _python_calls_per_epoch(model, counter) == 4


@pytest.mark.parametrize("kw, error, match", [
    ({"jit_compile": "yes"}, ValueError, "jit_compile"),
    ({"run_eagerly": "no"}, TypeError, "run_eagerly"),
    ({"steps_per_execution": 0}, ValueError, "steps_per_execution"),
    ({"steps_per_execution": 2.5}, ValueError, "steps_per_execution"),
    ({"auto_scale_loss": None}, TypeError, "auto_scale_loss"),
])
def test_bad_settings_are_named(kw, error, match):
    model = Sequential([Input((4,)), Dense(2)])
    with pytest.raises(error, match=match):
        model.compile("sgd", "mse", **kw)


def test_steps_per_execution_runs_n_steps_per_call_and_callbacks_see_every_nth():
    x, y = _data(96)                                      # 6 batches of 16
    ends, runs = [], []
    model, _ = _model(steps_per_execution=4)
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    runner = model._runners["train"]
    real_run = runner.run
    runner.run = lambda batch, n=1, want_logs=True: runs.append(n) or real_run(
        batch, n, want_logs)
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0,
              callbacks=[LambdaCallback(on_train_batch_end=lambda b, logs: ends.append(b))])
    assert runs == [4, 1, 1]
    assert ends == [3, 4, 5]
    single, _ = _model()
    single.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), single.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert model.evaluate(x, y, batch_size=16, verbose=0) == pytest.approx(
        single.evaluate(x, y, batch_size=16, verbose=0), rel=1e-5)


def _float16_model(**compile_kw):
    model = Sequential([Input((4,)), Dense(8, dtype="float16"), Dense(2, dtype="float16")])
    model.compile("sgd", "mse", **compile_kw)
    return model


def test_auto_scale_loss_warns_where_float16_weights_train_unscaled():
    x, y = _data(32)
    with pytest.warns(UserWarning, match="auto_scale_loss=True.*float16.*not scaled"):
        _float16_model().fit(x, y, verbose=0)
    for model in (_float16_model(auto_scale_loss=False), _model()[0]):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model.fit(x, y, verbose=0)


def test_loss_scale_factor_scales_the_loss_so_updates_match_keras(keras_oracle):
    k = keras_oracle
    x, y = _data(48)
    ours = Sequential([Input((4,)), Dense(3, activation="tanh"), Dense(2)])
    ours.compile(SGD(0.1, loss_scale_factor=64.0), "mse")
    theirs = k.Sequential([k.Input((4,)), k.layers.Dense(3, activation="tanh"),
                           k.layers.Dense(2)])
    theirs.compile(k.optimizers.SGD(0.1, loss_scale_factor=64.0), "mse")
    theirs.set_weights(ours.get_weights())
    h_ours = ours.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    h_theirs = theirs.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h_ours.history["loss"], h_theirs.history["loss"], rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
