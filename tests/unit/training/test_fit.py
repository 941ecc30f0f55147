"""compile/fit on the engine under test: arguments, History, logs and callbacks."""
import numpy as np
import pytest

from layerkit import engine
from layerkit.callbacks import Callback, LambdaCallback
from layerkit.layers import Dense, Dropout, Input
from layerkit.models import Model, Sequential
from layerkit.utils import set_random_seed, to_categorical


def _data(n=256, d=8, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, d)).astype("float32")
    labels = (x[:, 0] * classes).astype(int).clip(0, classes - 1)
    return x, to_categorical(labels, classes), labels


def _mlp(d=8, classes=3, metrics=("accuracy",), optimizer="adam", **compile_kw):
    model = Sequential([Dense(32, activation="relu", input_dim=d),
                        Dense(classes, activation="softmax")])
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=list(metrics),
                  **compile_kw)
    return model


def test_fit_learns_and_history_holds_every_epoch():
    set_random_seed(1)
    x, y, _ = _data()
    from layerkit.optimizers import Adam
    model = _mlp(optimizer=Adam(0.02))
    history = model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    assert list(history.history) == ["loss", "accuracy"]
    assert len(history.history["loss"]) == 30 and history.epoch == list(range(30))
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.8
    assert model.history is history


def test_log_keys_follow_what_the_user_wrote():
    x, y, _ = _data(64)
    h1 = _mlp(metrics=["acc"]).fit(x, y, epochs=1, validation_split=0.25, verbose=0)
    assert list(h1.history) == ["loss", "acc", "val_loss", "val_acc"]
    h2 = _mlp(metrics=["accuracy"]).fit(x, y, epochs=1, validation_data=(x, y), verbose=0)
    assert list(h2.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]


def test_epoch_loss_is_the_mean_over_the_epoch_of_batch_losses():
    # With lr 0 the weights never move, so the epoch loss must equal evaluate's.
    from layerkit.optimizers import SGD
    x, y, _ = _data(100)
    model = _mlp(optimizer=SGD(learning_rate=0.0))
    h = model.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
    loss, acc = model.evaluate(x, y, batch_size=7, verbose=0)
    assert h.history["loss"][0] == pytest.approx(loss, rel=1e-5)
    assert h.history["accuracy"][0] == pytest.approx(acc, rel=1e-5)


def test_batch_logs_nobody_reads_are_not_computed_but_epoch_logs_are_right(monkeypatch):
    # Without batch callbacks the step skips the logs; the epoch's come at its end
    # and must still equal the logs a per-batch reader sees after the last batch.
    x, y, _ = _data(96)
    model = _mlp(optimizer="sgd")
    model.fit(x[:32], y[:32], epochs=1, batch_size=32, verbose=0)
    calls = []
    original = model.metric_results
    monkeypatch.setattr(model, "metric_results", lambda: calls.append(1) or original())
    set_random_seed(3)
    state = model.get_weights()
    quiet = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    assert len(calls) <= 2          # at most once per epoch (JAX: at trace time only)
    seen = []
    model.set_weights(state)
    set_random_seed(3)
    loud = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0,
                     callbacks=[LambdaCallback(on_batch_end=lambda b, logs: seen.append(logs))])
    assert len(seen) == 24
    for key in ("loss", "accuracy"):
        assert quiet.history[key] == pytest.approx(loud.history[key], rel=1e-5)
    assert loud.history["loss"][-1] == pytest.approx(seen[-1]["loss"], rel=1e-6)


def test_validation_split_takes_the_last_samples_before_shuffling():
    seen = []
    x, y, _ = _data(100)
    model = _mlp()

    class Spy(Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(logs["val_loss"])
    model.fit(x, y, epochs=1, validation_split=0.2, verbose=0, callbacks=[Spy()])
    expected = model.evaluate(x[80:], y[80:], verbose=0)[0]
    assert seen[0] == pytest.approx(expected, rel=1e-5)


def test_validation_freq_and_initial_epoch():
    x, y, _ = _data(64)
    h = _mlp().fit(x, y, epochs=4, initial_epoch=1, validation_data=(x, y),
                   validation_freq=2, verbose=0)
    assert h.epoch == [1, 2, 3]
    assert len(h.history["loss"]) == 3
    assert len(h.history["val_loss"]) == 2   # epochs 1 and 3: (epoch + 1) % 2 == 0


def test_steps_per_epoch_with_a_generator_and_validation_steps():
    x, y, _ = _data(64)

    def gen():
        while True:
            for i in range(0, 64, 16):
                yield x[i:i + 16], y[i:i + 16]
    batches = []
    cb = LambdaCallback(on_train_batch_end=lambda b, logs: batches.append(b))
    h = _mlp().fit(gen(), steps_per_epoch=3, epochs=2, validation_data=gen(), validation_steps=2,
                   verbose=0, callbacks=[cb])
    assert batches == [0, 1, 2, 0, 1, 2]
    assert len(h.history["val_loss"]) == 2


def test_float_steps_per_epoch_rounds_up_like_keras2():
    x, y, _ = _data(50)

    def gen():
        while True:
            yield x[:16], y[:16]
    batches = []
    _mlp().fit_generator(gen(), steps_per_epoch=50 / 16, epochs=1, verbose=0,
                         callbacks=[LambdaCallback(on_batch_end=lambda b, l: batches.append(b))])
    assert batches == [0, 1, 2, 3]


def test_sample_weight_and_class_weight_change_the_loss():
    from layerkit.optimizers import SGD
    x, y, labels = _data(96)
    base = _mlp(optimizer=SGD(0.0))
    weights = base.get_weights()
    plain = base.evaluate(x, y, verbose=0)[0]
    sw = np.where(labels == 0, 3.0, 1.0).astype("float32")
    weighted = base.evaluate(x, y, sample_weight=sw, verbose=0)[0]
    per = engine.convert_to_numpy(base(x))
    ce = -np.sum(y * np.log(np.clip(per, 1e-7, 1 - 1e-7)), axis=1)
    assert plain == pytest.approx(ce.mean(), rel=1e-4)
    assert weighted == pytest.approx((ce * sw).mean(), rel=1e-4)
    m2 = _mlp(optimizer=SGD(0.0))
    m2.set_weights(weights)
    h = m2.fit(x, y, class_weight={0: 3.0, 1: 1.0, 2: 1.0}, batch_size=96, epochs=1,
               shuffle=False, verbose=0)
    assert h.history["loss"][0] == pytest.approx((ce * sw).mean(), rel=1e-4)


def test_stop_training_from_a_callback():
    x, y, _ = _data(64)
    model = _mlp()

    class Stop(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True
    h = model.fit(x, y, epochs=10, verbose=0, callbacks=[Stop()])
    assert len(h.history["loss"]) == 2


def test_batch_callbacks_see_python_floats_and_current_weights():
    x, y, _ = _data(64)
    model = _mlp()
    seen = []

    class Spy(Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append((type(logs["loss"]), self.model.layers[0].get_weights()[0].copy()))
    model.fit(x, y, epochs=1, batch_size=32, verbose=0, callbacks=[Spy()])
    assert all(t is float for t, _ in seen)
    assert not np.allclose(seen[0][1], seen[1][1])
    np.testing.assert_allclose(seen[-1][1], model.layers[0].get_weights()[0])


def test_same_seed_same_training_run():
    x, y, _ = _data(64)

    def run():
        set_random_seed(42)
        model = Sequential([Dense(16, activation="relu", input_dim=8), Dropout(0.3),
                            Dense(3, activation="softmax")])
        model.compile("sgd", "categorical_crossentropy")
        model.fit(x, y, epochs=2, batch_size=16, verbose=0)
        return model.get_weights()
    for a, b in zip(run(), run()):
        np.testing.assert_array_equal(a, b)


def test_steps_per_execution_matches_single_steps():
    from layerkit.optimizers import SGD
    x, y, _ = _data(96)
    results = []
    for k in (1, 4):
        set_random_seed(3)
        model = _mlp(optimizer=SGD(0.1), steps_per_execution=k)
        model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_multi_output_losses_weights_and_log_order():
    inp = Input(shape=(4,))
    a = Dense(1, name="reg")(inp)
    b = Dense(2, activation="softmax", name="cls")(inp)
    model = Model(inp, [a, b])
    model.compile(optimizer="adam", loss=["mse", "categorical_crossentropy"],
                  loss_weights=[1.0, 0.5], metrics={"cls": ["accuracy"]})
    x = np.random.random((32, 4)).astype("float32")
    ya = np.random.random((32, 1)).astype("float32")
    yb = to_categorical(np.random.randint(0, 2, 32), 2)
    h = model.fit(x, [ya, yb], epochs=1, verbose=0)
    assert list(h.history) == ["loss", "reg_loss", "cls_loss", "cls_accuracy"]
    result = model.evaluate(x, [ya, yb], verbose=0)
    assert len(result) == 4
    assert result[0] == pytest.approx(result[1] + 0.5 * result[2], rel=1e-4)
    as_dict = model.evaluate(x, {"reg": ya, "cls": yb}, verbose=0, return_dict=True)
    assert list(as_dict) == ["loss", "reg_loss", "cls_loss", "cls_accuracy"]


def test_regularization_penalty_is_added_to_the_loss():
    from layerkit.optimizers import SGD
    x, y, _ = _data(32)
    model = Sequential([Dense(3, activation="softmax", input_dim=8, kernel_regularizer="l2")])
    model.compile(SGD(0.0), "categorical_crossentropy")
    loss = model.evaluate(x, y, verbose=0)
    k = model.layers[0].get_weights()[0]
    per = engine.convert_to_numpy(model(x))
    ce = -np.sum(y * np.log(np.clip(per, 1e-7, 1 - 1e-7)), axis=1).mean()
    assert loss == pytest.approx(ce + 0.01 * np.sum(k ** 2), rel=1e-4)


def test_learning_rate_settable_between_epochs():
    from layerkit.optimizers import SGD
    x, y, _ = _data(32)
    model = _mlp(optimizer=SGD(0.1))
    model.fit(x, y, epochs=1, verbose=0)
    model.optimizer.learning_rate = 0.0
    before = model.get_weights()
    model.fit(x, y, epochs=1, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_custom_backend_metric_like_the_seed():
    import layerkit.backend as K

    def mean_pred(y_true, y_pred):
        return K.mean(y_pred)
    x = np.random.random((40, 8)).astype("float32")
    y = np.random.randint(0, 2, (40, 1))
    model = Sequential([Dense(1, activation="sigmoid", input_dim=8)])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy",
                  metrics=["accuracy", mean_pred])
    h = model.fit(x, y, epochs=1, batch_size=40, verbose=0)
    assert list(h.history) == ["loss", "accuracy", "mean_pred"]
    loss, acc, mp = model.evaluate(x, y, batch_size=40, verbose=0)
    assert mp == pytest.approx(float(model.predict(x, verbose=0).mean()), rel=1e-5)


def test_fit_a_model_without_trainable_weights():
    # Keras fits a frozen model: the loss is logged and nothing moves.
    from layerkit import layers, models
    model = models.Sequential([layers.Input((3,)), layers.Dense(2, trainable=False)])
    model.compile("sgd", "mse")
    before = [w.copy() for w in model.get_weights()]
    x, y = np.ones((8, 3), "float32"), np.zeros((8, 2), "float32")
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert len(history.history["loss"]) == 2
    for b, a in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
