"""ReduceLROnPlateau and LearningRateScheduler: the learning-rate sequence against Keras 3
on the same logs, and the rate reaching the compiled step on this engine."""
import numpy as np
import pytest

import layerkit
from layerkit import callbacks, layers

PLATEAU_CASES = [
    dict(),
    dict(patience=2, factor=0.5),
    dict(patience=1, factor=0.5, cooldown=2),
    dict(patience=1, factor=0.2, min_lr=0.004),
    dict(patience=2, factor=0.5, min_delta=0.03),
    dict(patience=0, factor=0.9, cooldown=1, min_delta=0.0),
]


def _plateau_logs(seed, n=40, up=False):
    rng = np.random.default_rng(seed)
    values = 1.0 + np.cumsum(rng.normal(-0.005, 0.03, n))
    key = "val_accuracy" if up else "val_loss"
    return [{"loss": float(v), key: float(-v if up else v)} for v in values]


def _rates(module, make, logs, lr0, scripted):
    model_cls, drive = scripted
    model = model_cls(module.optimizers.SGD(learning_rate=lr0))
    cb = make(module)
    _, seen, rates = drive(cb, model, logs)
    return rates, [entry.get("learning_rate") for entry in seen]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("case", PLATEAU_CASES,
                         ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "defaults")
@pytest.mark.parametrize("monitor,mode", [("val_loss", "auto"), ("val_accuracy", "max")])
def test_plateau_rates_match_keras(keras_oracle, scripted, seed, case, monitor, mode):
    logs = _plateau_logs(seed, up=monitor == "val_accuracy")
    ours = _rates(layerkit, lambda m: m.callbacks.ReduceLROnPlateau(monitor, mode=mode, **case),
                  logs, 0.1, scripted)
    theirs = _rates(keras_oracle, lambda m: m.callbacks.ReduceLROnPlateau(
        monitor, mode=mode, **case), logs, 0.1, scripted)
    assert ours == theirs
    assert len(set(ours[0])) > 1 or case.get("min_delta") == 0.03   # something happened


def test_keras2_epsilon_is_min_delta(scripted):
    logs = _plateau_logs(1)
    ours = _rates(layerkit, lambda m: m.callbacks.ReduceLROnPlateau(patience=2, epsilon=0.03),
                  logs, 0.1, scripted)
    want = _rates(layerkit, lambda m: m.callbacks.ReduceLROnPlateau(patience=2, min_delta=0.03),
                  logs, 0.1, scripted)
    plain = _rates(layerkit, lambda m: m.callbacks.ReduceLROnPlateau(patience=2), logs, 0.1,
                   scripted)
    assert ours == want and ours != plain
    assert callbacks.ReduceLROnPlateau(epsilon=0.5).min_delta == 0.5


@pytest.mark.parametrize("kwargs,error,match", [
    (dict(factor=1.0), ValueError, "factor >= 1.0"),
    (dict(factor="x"), ValueError, "`factor` must be a number"),
    (dict(min_lr=-1), ValueError, "`min_lr` must be a number >= 0"),
    (dict(cooldown=-2), ValueError, "`cooldown`"),
    (dict(min_delta=0.1, epsilon=0.2), ValueError, "pass one of them"),
    (dict(mode="lowest"), ValueError, "`mode` must be one of"),
    (dict(verbos=1), TypeError, "verbos"),
])
def test_plateau_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        callbacks.ReduceLROnPlateau(**kwargs)


def test_plateau_verbose_message(capsys, scripted):
    model_cls, drive = scripted
    cb = callbacks.ReduceLROnPlateau(patience=1, factor=0.5, verbose=1)
    drive(cb, model_cls(layerkit.optimizers.SGD(0.1)), [{"val_loss": 1.0}] * 3)
    assert "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.05" in capsys.readouterr().out


SCHEDULES = {
    "exp_after_3": lambda epoch, lr: lr if epoch < 3 else lr * float(np.exp(-0.1)),
    "step": lambda epoch, lr: 0.1 / (1 + epoch // 2),
    "numpy_float32": lambda epoch, lr: np.float32(lr * 0.9),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_scheduler_rates_match_keras(keras_oracle, scripted, name):
    logs = [{"loss": 1.0}] * 8
    make = lambda m: m.callbacks.LearningRateScheduler(SCHEDULES[name])
    assert _rates(layerkit, make, logs, 0.05, scripted) == \
        _rates(keras_oracle, make, logs, 0.05, scripted)


def test_scheduler_takes_keras2_one_argument_schedules(scripted):
    def schedule(epoch):
        return 0.1 * 0.5 ** epoch
    rates, logged = _rates(layerkit, lambda m: m.callbacks.LearningRateScheduler(schedule),
                           [{"loss": 1.0}] * 4, 1.0, scripted)
    assert rates == [float(np.float32(0.1 * 0.5 ** e)) for e in range(4)] == logged


def test_scheduler_keeps_a_type_error_of_the_schedule(scripted):
    def schedule(epoch, lr):
        return lr + "oops"
    model_cls, drive = scripted
    with pytest.raises(TypeError, match="can only concatenate|unsupported operand"):
        drive(callbacks.LearningRateScheduler(schedule), model_cls(layerkit.optimizers.SGD()),
              [{"loss": 1.0}])


def test_scheduler_rejects_a_non_number(scripted):
    model_cls, drive = scripted
    with pytest.raises(ValueError, match="should be a float. Got: 'fast'"):
        drive(callbacks.LearningRateScheduler(lambda e, lr: "fast"),
              model_cls(layerkit.optimizers.SGD()), [{"loss": 1.0}])
    with pytest.raises(ValueError, match="`schedule` must be a function"):
        callbacks.LearningRateScheduler(0.1)


def _sgd_model(lr=0.1):
    model = layerkit.Sequential([layers.Dense(2, input_shape=(3,))])
    model.compile(layerkit.optimizers.SGD(lr), "mse")
    model.set_weights([np.full((3, 2), 0.3, "float32"), np.zeros(2, "float32")])
    return model


def _data():
    rng = np.random.default_rng(7)
    return rng.normal(size=(16, 3)).astype("float32"), rng.normal(size=(16, 2)).astype("float32")


def test_rate_set_between_epochs_reaches_the_compiled_step():
    """A rate of 0 for epoch 2 leaves the weights alone; epoch 3's rate is applied too:
    the result equals separate fits with each rate."""
    x, y = _data()
    weights = []
    rates = [0.1, 0.0, 0.05]

    class Record(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            weights.append(self.model.get_weights())

    model = _sgd_model()
    model.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0,
              callbacks=[callbacks.LearningRateScheduler(lambda e, lr: rates[e]), Record()])
    for a, b in zip(weights[0], weights[1]):
        np.testing.assert_array_equal(a, b)
    reference = _sgd_model(0.1)
    reference.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    reference.optimizer.learning_rate = 0.05      # plain assignment between fits
    reference.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert not np.allclose(weights[1][0], model.get_weights()[0])


def test_assignment_in_on_epoch_end_takes_effect_next_epoch():
    x, y = _data()

    class Zero(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.optimizer.learning_rate = 0.0
            self.after = self.model.get_weights()

    zero = Zero()
    model = _sgd_model()
    model.fit(x, y, epochs=3, batch_size=4, verbose=0, callbacks=[zero])
    for a, b in zip(zero.after, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert float(model.optimizer.learning_rate) == 0.0


def test_plateau_in_fit_matches_keras_fit(keras_oracle):
    """The same model, data and weights in Keras 3 and here: the learning rates
    ReduceLROnPlateau logs per epoch are the same (monitoring the training loss of a
    plateauing full-batch fit)."""
    x, y = _data()
    init = [np.full((3, 2), 0.3, "float32"), np.zeros(2, "float32")]

    def run(module):
        model = module.Sequential([module.Input((3,)), module.layers.Dense(2)])
        model.compile(module.optimizers.SGD(0.5), "mse")
        model.set_weights(init)
        cb = module.callbacks.ReduceLROnPlateau("loss", factor=0.5, patience=1, min_delta=1e-3)
        history = model.fit(x, y, epochs=12, batch_size=16, shuffle=False, verbose=0,
                            callbacks=[cb])
        return history.history["learning_rate"], history.history["loss"]

    (ours, our_loss), (theirs, their_loss) = run(layerkit), run(keras_oracle)
    np.testing.assert_allclose(our_loss, their_loss, rtol=1e-5)
    assert ours == theirs and len(set(ours)) > 2


def test_an_optimizer_on_a_schedule_is_read_but_not_overwritten(tmp_path):
    x, y = _data()
    schedule = layerkit.optimizers.schedules.ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5)
    model = layerkit.Sequential([layers.Dense(2, input_shape=(3,))])
    model.compile(layerkit.optimizers.SGD(schedule), "mse")
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0,
                        callbacks=[callbacks.TensorBoard(tmp_path)])
    assert len(history.epoch) == 2
    with pytest.raises(TypeError, match="created with a LearningRateSchedule"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[
            callbacks.LearningRateScheduler(lambda epoch, lr: lr / 2)])
    reduce = callbacks.ReduceLROnPlateau("loss")
    reduce.set_model(model)
    logs = {"loss": 1.0}
    reduce.on_epoch_end(0, logs)
    np.testing.assert_allclose(logs["learning_rate"], 0.1 * 0.5 ** (8 / 4), rtol=1e-6)
