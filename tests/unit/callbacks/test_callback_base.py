"""Callback, CallbackList, History, ProgbarLogger and LambdaCallback."""
import pytest

from layerkit import callbacks
from layerkit.callbacks import (
    Callback, CallbackList, History, LambdaCallback, ProgbarLogger)


class FakeModel:
    stop_training = False


class Recorder(Callback):
    """Records every hook call into a shared journal."""

    def __init__(self, name, journal):
        super().__init__()
        self.name = name
        self.journal = journal

    def _log(self, hook, *args):
        self.journal.append((self.name, hook) + args)


for _hook in ("on_train_begin", "on_train_end", "on_test_begin", "on_test_end",
              "on_predict_begin", "on_predict_end"):
    setattr(Recorder, _hook, (lambda h: lambda self, logs=None: self._log(h, logs))(_hook))
for _hook in ("on_epoch_begin", "on_epoch_end", "on_train_batch_begin", "on_train_batch_end",
              "on_test_batch_begin", "on_test_batch_end", "on_predict_batch_begin",
              "on_predict_batch_end"):
    setattr(Recorder, _hook, (lambda h: lambda self, i, logs=None: self._log(h, i, logs))(_hook))


class EpochOnly(Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append((epoch, logs))


class BatchAlias(Callback):
    """Keras 2 style: overrides only the old `on_batch_*` names."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def on_batch_begin(self, batch, logs=None):
        self.calls.append(("begin", batch, logs))

    def on_batch_end(self, batch, logs=None):
        self.calls.append(("end", batch, logs))


def _fit(cbs, epochs, steps, clock, batch_logs, epoch_logs, validation=False, known=True):
    """Drives a CallbackList the way the trainer does for `fit`."""
    cbs.on_train_begin()
    for epoch in range(epochs):
        cbs.on_epoch_begin(epoch)
        for step in range(steps):
            cbs.on_train_batch_begin(step)
            clock.now += 0.003
            cbs.on_train_batch_end(step, batch_logs(epoch, step))
        logs = dict(epoch_logs(epoch))
        if validation:
            cbs.on_test_begin()
            for step in range(2):
                cbs.on_test_batch_begin(step)
                cbs.on_test_batch_end(step, {"loss": 9.0})
            cbs.on_test_end({"loss": 0.75})
            logs["val_loss"] = 0.75
        cbs.on_epoch_end(epoch, logs)
    cbs.on_train_end(logs)


# ---------------------------------------------------------------- Callback base
def test_callback_defaults_and_setters():
    cb = Callback()
    assert cb.model is None and cb.params == {}
    model = FakeModel()
    cb.set_model(model)
    cb.set_params({"verbose": 1, "epochs": 3, "steps": 10})
    assert cb.model is model
    assert cb.params == {"verbose": 1, "epochs": 3, "steps": 10}
    for hook in ("on_train_begin", "on_train_end", "on_test_begin", "on_test_end",
                 "on_predict_begin", "on_predict_end"):
        assert getattr(cb, hook)(logs={}) is None
    for hook in ("on_epoch_begin", "on_epoch_end", "on_batch_begin", "on_batch_end",
                 "on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
                 "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end"):
        assert getattr(cb, hook)(0, logs={}) is None
    assert not cb._implements_train_batch_hooks()
    assert not cb._implements_test_batch_hooks()
    assert not cb._implements_predict_batch_hooks()


def test_train_batch_hooks_forward_to_keras2_aliases():
    cb = BatchAlias()
    cb.on_train_batch_begin(3, {"a": 1})
    cb.on_train_batch_end(3, {"loss": 0.5})
    assert cb.calls == [("begin", 3, {"a": 1}), ("end", 3, {"loss": 0.5})]
    assert cb._implements_train_batch_hooks()
    assert not cb._implements_test_batch_hooks()


def test_public_names():
    for name in ("Callback", "CallbackList", "History", "ProgbarLogger", "LambdaCallback"):
        assert getattr(callbacks, name).__module__.startswith("layerkit.callbacks.")


# ---------------------------------------------------------------- CallbackList
def test_dispatch_order_and_defaults_added():
    journal = []
    a, b = Recorder("a", journal), Recorder("b", journal)
    model = FakeModel()
    cbs = CallbackList([a, b], add_history=True, add_progbar=True, model=model,
                       verbose=0, epochs=1, steps=2)
    assert isinstance(cbs.callbacks[0], ProgbarLogger)  # first: prints before the others
    assert cbs.callbacks[1:3] == [a, b]
    assert isinstance(cbs.callbacks[-1], History)       # last: sees what others add
    assert len(cbs) == 4 and list(cbs) == cbs.callbacks
    assert model.history is cbs.callbacks[-1]
    for cb in cbs:
        assert cb.model is model
        assert cb.params == {"verbose": 0, "epochs": 1, "steps": 2}

    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    cbs.on_train_batch_begin(0)
    cbs.on_train_batch_end(0, {"loss": 1.0})
    cbs.on_epoch_end(0, {"loss": 1.0})
    cbs.on_train_end({"loss": 1.0})
    cbs.on_test_begin()
    cbs.on_test_batch_begin(0)
    cbs.on_test_batch_end(0, {"loss": 2.0})
    cbs.on_test_end({"loss": 2.0})
    cbs.on_predict_begin()
    cbs.on_predict_batch_begin(0)
    cbs.on_predict_batch_end(0, {"outputs": [1, 2]})
    cbs.on_predict_end()
    assert journal == [
        ("a", "on_train_begin", {}), ("b", "on_train_begin", {}),
        ("a", "on_epoch_begin", 0, {}), ("b", "on_epoch_begin", 0, {}),
        ("a", "on_train_batch_begin", 0, {}), ("b", "on_train_batch_begin", 0, {}),
        ("a", "on_train_batch_end", 0, {"loss": 1.0}), ("b", "on_train_batch_end", 0, {"loss": 1.0}),
        ("a", "on_epoch_end", 0, {"loss": 1.0}), ("b", "on_epoch_end", 0, {"loss": 1.0}),
        ("a", "on_train_end", {"loss": 1.0}), ("b", "on_train_end", {"loss": 1.0}),
        ("a", "on_test_begin", {}), ("b", "on_test_begin", {}),
        ("a", "on_test_batch_begin", 0, {}), ("b", "on_test_batch_begin", 0, {}),
        ("a", "on_test_batch_end", 0, {"loss": 2.0}), ("b", "on_test_batch_end", 0, {"loss": 2.0}),
        ("a", "on_test_end", {"loss": 2.0}), ("b", "on_test_end", {"loss": 2.0}),
        ("a", "on_predict_begin", {}), ("b", "on_predict_begin", {}),
        ("a", "on_predict_batch_begin", 0, {}), ("b", "on_predict_batch_begin", 0, {}),
        ("a", "on_predict_batch_end", 0, {"outputs": [1, 2]}),
        ("b", "on_predict_batch_end", 0, {"outputs": [1, 2]}),
        ("a", "on_predict_end", {}), ("b", "on_predict_end", {}),
    ]


def test_given_history_and_progbar_are_not_added_twice():
    history, progbar = History(), ProgbarLogger()
    cbs = CallbackList([history, progbar], add_history=True, add_progbar=True, verbose=1,
                       epochs=1, steps=1)
    assert cbs.callbacks == [history, progbar]
    cbs = CallbackList(None)
    assert cbs.callbacks == []
    one = EpochOnly()
    assert CallbackList(one).callbacks == [one]  # a single callback, not in a list


def test_append_sets_model_and_params():
    model = FakeModel()
    cbs = CallbackList([], model=model, verbose=1, epochs=2, steps=3)
    assert not cbs._needs_batch_logs
    alias = BatchAlias()
    cbs.append(alias)
    assert alias.model is model and alias.params["epochs"] == 2
    assert cbs._needs_train_batch_logs and cbs._needs_batch_logs


def test_not_a_callback_is_a_type_error():
    with pytest.raises(TypeError, match="Callback"):
        CallbackList([object()])


def test_keras2_alias_hooks_are_dispatched():
    alias = BatchAlias()
    cbs = CallbackList([alias])
    cbs.on_train_batch_begin(0)
    cbs.on_train_batch_end(0, {"loss": 1.5})
    cbs.on_batch_begin(1)                 # the Keras 2 names on the list too
    cbs.on_batch_end(1, {"loss": 0.5})
    cbs.on_test_batch_end(0, {"loss": 9.0})  # not a train batch: not forwarded
    assert alias.calls == [("begin", 0, {}), ("end", 0, {"loss": 1.5}),
                           ("begin", 1, {}), ("end", 1, {"loss": 0.5})]


def test_needs_batch_logs_flags(static):
    params = dict(verbose=1, epochs=1, steps=4)
    plain = CallbackList([EpochOnly(), LambdaCallback(on_epoch_end=lambda e, l: None)],
                         add_history=True, add_progbar=True, **params)
    assert not plain._needs_batch_logs
    assert plain._should_call_train_batch_hooks  # the bar draws at verbose=1

    quiet = CallbackList([EpochOnly()], add_history=True, add_progbar=True,
                         verbose=2, epochs=1, steps=4)
    assert not quiet._should_call_train_batch_hooks  # nothing to do per batch
    assert not quiet._should_call_test_batch_hooks
    assert not quiet._needs_batch_logs
    unknown = CallbackList([], add_progbar=True, verbose=2, epochs=1, steps=None)
    assert unknown._should_call_train_batch_hooks  # counts the steps
    assert not unknown._needs_batch_logs

    for user, mode in [(BatchAlias(), "train"),
                       (LambdaCallback(on_batch_end=lambda b, l: None), "train"),
                       (LambdaCallback(on_train_batch_begin=lambda b, l: None), "train"),
                       (LambdaCallback(on_test_batch_end=lambda b, l: None), "test"),
                       (LambdaCallback(on_predict_batch_begin=lambda b, l: None), "predict")]:
        cbs = CallbackList([user], add_history=True, add_progbar=True, **params)
        assert cbs._needs_batch_logs
        for other in ("train", "test", "predict"):
            assert getattr(cbs, f"_needs_{other}_batch_logs") == (other == mode)
            assert getattr(cbs, f"_should_call_{other}_batch_hooks")  # verbose=1 bar

    class MyHistory(History):  # a subclass with a batch hook is user code
        def on_train_batch_end(self, batch, logs=None):
            pass

    assert CallbackList([MyHistory()], **params)._needs_train_batch_logs


def test_batch_logs_converted_only_for_user_batch_callbacks(clock, static, capsys, lazy):
    params = dict(verbose=1, epochs=1, steps=2)
    # Only the built-ins: batch logs pass through untouched, nothing is read.
    cbs = CallbackList([EpochOnly()], add_history=True, add_progbar=True, **params)
    first = lazy(0.5)
    cbs.on_epoch_begin(0)
    cbs.on_train_batch_end(0, {"loss": first})
    assert first.reads == 0
    # With a user batch callback, it gets Python floats, read once per batch.
    alias = BatchAlias()
    cbs = CallbackList([alias], add_history=True, add_progbar=True, **params)
    second = lazy(0.25)
    cbs.on_epoch_begin(0)
    cbs.on_train_batch_end(0, {"loss": second})
    assert second.reads == 1
    assert alias.calls == [("end", 0, {"loss": 0.25})]
    assert type(alias.calls[0][2]["loss"]) is float
    capsys.readouterr()


def test_epoch_logs_are_python_numbers(engine_name, lazy):
    from layerkit import ops
    epoch_only = EpochOnly()
    cbs = CallbackList([epoch_only], add_history=True)
    lazy = lazy(0.5)
    logs = {"loss": ops.convert_to_tensor(0.125), "acc": lazy, "n": 3}
    cbs.on_train_begin()
    cbs.on_epoch_end(0, logs)
    seen = epoch_only.seen[0][1]
    assert seen == {"loss": 0.125, "acc": 0.5, "n": 3}
    assert type(seen["loss"]) is float and type(seen["acc"]) is float
    assert lazy.reads == 1          # once for all callbacks
    assert logs["acc"] is lazy      # the trainer's dict is left alone
    assert cbs.callbacks[-1].history == {"loss": [0.125], "acc": [0.5], "n": [3]}


def test_engine_scalar_batch_logs_converted_for_user_callback(engine_name):
    from layerkit import ops
    alias = BatchAlias()
    cbs = CallbackList([alias])
    cbs.on_train_batch_end(0, {"loss": ops.convert_to_tensor(1.5)})
    assert alias.calls == [("end", 0, {"loss": 1.5})]
    assert type(alias.calls[0][2]["loss"]) is float


# ---------------------------------------------------------------- History
def test_history_records_every_epoch():
    model = FakeModel()
    history = History()
    cbs = CallbackList([history], model=model)
    cbs.on_train_begin()
    for epoch, (loss, acc) in enumerate([(2.0, 0.1), (1.5, 0.3), (1.25, 0.5)]):
        cbs.on_epoch_begin(epoch)
        cbs.on_epoch_end(epoch, {"loss": loss, "accuracy": acc, "val_loss": loss + 1})
    cbs.on_train_end()
    assert history.epoch == [0, 1, 2]
    assert history.history == {"loss": [2.0, 1.5, 1.25], "accuracy": [0.1, 0.3, 0.5],
                               "val_loss": [3.0, 2.5, 2.25]}
    assert model.history is history


def test_history_reused_across_fits_accumulates_values():
    history = History()
    cbs = CallbackList([history], model=FakeModel())
    for run in range(2):
        cbs.on_train_begin()
        for epoch in range(2):
            cbs.on_epoch_end(epoch, {"loss": float(run * 2 + epoch)})
    assert history.epoch == [0, 1]                       # reset per fit
    assert history.history == {"loss": [0.0, 1.0, 2.0, 3.0]}  # as tf.keras 2.x


def test_history_without_model(lazy):
    history = History()
    history.on_train_begin()
    history.on_epoch_end(0, {"loss": lazy(0.5)})
    assert history.history == {"loss": [0.5]}


# ---------------------------------------------------------------- LambdaCallback
def test_lambda_callback_hooks():
    got = []
    cb = LambdaCallback(
        on_epoch_begin=lambda epoch, logs: got.append(("epoch_begin", epoch)),
        on_epoch_end=lambda epoch, logs: got.append(("epoch_end", epoch, logs["loss"])),
        on_batch_begin=lambda batch, logs: got.append(("batch_begin", batch)),
        on_batch_end=lambda batch, logs: got.append(("batch_end", batch, logs["loss"])),
        on_train_begin=lambda logs: got.append(("train_begin",)),
        on_train_end=lambda logs: got.append(("train_end",)),
        on_test_begin=lambda logs: got.append(("test_begin",)),
        on_predict_batch_end=lambda batch, logs: got.append(("predict_batch_end", batch)))
    cbs = CallbackList([cb])
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    cbs.on_train_batch_begin(0)
    cbs.on_train_batch_end(0, {"loss": 0.5})
    cbs.on_epoch_end(0, {"loss": 0.25})
    cbs.on_train_end()
    cbs.on_test_begin()
    cbs.on_predict_batch_end(4, {"outputs": None})
    assert got == [("train_begin",), ("epoch_begin", 0), ("batch_begin", 0),
                   ("batch_end", 0, 0.5), ("epoch_end", 0, 0.25), ("train_end",),
                   ("test_begin",), ("predict_batch_end", 4)]


def test_lambda_callback_unset_hooks_do_nothing():
    cb = LambdaCallback()
    cb.on_epoch_end(0, {})
    cb.on_train_batch_end(0, {})
    assert not cb._implements_train_batch_hooks()


def test_lambda_callback_rejects_unknown_keywords():
    with pytest.raises(TypeError, match="on_epoch_ending"):
        LambdaCallback(on_epoch_ending=lambda e, l: None)
    with pytest.raises(TypeError, match="on_epoch_end"):
        LambdaCallback(on_epoch_end="print")


# ---------------------------------------------------------------- ProgbarLogger
def _batch_logs(epoch, step):
    return {"loss": 1.0 - 0.1 * epoch, "accuracy": 0.5}


def _epoch_logs(epoch):
    return {"loss": 1.0 - 0.1 * epoch, "accuracy": 0.5}


def test_fit_verbose1_output(clock, static, capsys):
    cbs = CallbackList([], add_history=True, add_progbar=True, verbose=1, epochs=2, steps=3)
    _fit(cbs, 2, 3, clock, _batch_logs, _epoch_logs, validation=True)
    assert capsys.readouterr().out == (
        "Epoch 1/2\n"
        "3/3 [==============================] - 0s 3ms/step - loss: 1.0000 - accuracy: 0.5000"
        " - val_loss: 0.7500\n"
        "Epoch 2/2\n"
        "3/3 [==============================] - 0s 3ms/step - loss: 0.9000 - accuracy: 0.5000"
        " - val_loss: 0.7500\n")


def test_fit_verbose1_dynamic_output(clock, dynamic, capsys):
    cbs = CallbackList([], add_progbar=True, verbose=1, epochs=1, steps=2)
    _fit(cbs, 1, 2, clock, _batch_logs, _epoch_logs)
    line1 = "1/2 [==============>...............] - ETA: 0s - loss: 1.0000 - accuracy: 0.5000"
    line2 = "2/2 [==============================] - 0s 3ms/step - loss: 1.0000 - accuracy: 0.5000"
    # One epoch: no "Epoch 1/1" line, as tf.keras 2.x.
    assert capsys.readouterr().out == "\r" + line1 + "\b" * len(line1) + "\r" + line2 + "\n"


def test_fit_verbose2_output(clock, dynamic, capsys):
    cbs = CallbackList([], add_history=True, add_progbar=True, verbose=2, epochs=2, steps=4)
    _fit(cbs, 2, 4, clock, _batch_logs, _epoch_logs, validation=True)
    assert capsys.readouterr().out == (
        "Epoch 1/2\n"
        "4/4 - 0s - loss: 1.0000 - accuracy: 0.5000 - val_loss: 0.7500 - 12ms/epoch - 3ms/step\n"
        "Epoch 2/2\n"
        "4/4 - 0s - loss: 0.9000 - accuracy: 0.5000 - val_loss: 0.7500 - 12ms/epoch - 3ms/step\n")


def test_fit_verbose0_prints_nothing(clock, dynamic, capsys):
    cbs = CallbackList([], add_history=True, add_progbar=True, verbose=0, epochs=3, steps=2)
    _fit(cbs, 3, 2, clock, _batch_logs, _epoch_logs, validation=True)
    assert capsys.readouterr().out == ""


def test_fit_unknown_steps_learns_them_in_the_first_epoch(clock, dynamic, capsys):
    cbs = CallbackList([], add_progbar=True, verbose=1, epochs=2, steps=None)
    _fit(cbs, 2, 2, clock, lambda e, s: {"loss": 0.5}, lambda e: {"loss": 0.5})
    out = capsys.readouterr().out.replace("\b", "")
    # Batch 2 comes 3ms after batch 1: inside the 0.05s interval, not drawn.
    assert out == (
        "Epoch 1/2\n"
        "\r      1/Unknown - 0s 3ms/step - loss: 0.5000"
        "\r2/2 [==============================] - 0s 3ms/step - loss: 0.5000\n"
        "Epoch 2/2\n"
        "\r1/2 [==============>...............] - ETA: 0s - loss: 0.5000"
        "\r2/2 [==============================] - 0s 3ms/step - loss: 0.5000\n")


def test_logged_values_are_shown_as_given_by_default(clock, static, capsys):
    # The trainer logs running means: the bar must not average them again.
    cbs = CallbackList([], add_progbar=True, verbose=1, epochs=1, steps=2)
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    clock.now += 0.004
    cbs.on_train_batch_end(0, {"loss": 4.0})
    cbs.on_train_batch_end(1, {"loss": 2.0})
    cbs.on_epoch_end(0, {"loss": 2.0})
    assert capsys.readouterr().out.endswith(" - loss: 2.0000\n")


def test_explicit_stateful_metrics_average_the_others(clock, static, capsys):
    # Named metrics are shown as given; the others are averaged over the
    # batch updates and the epoch-end update, as tf.keras's bar does.
    logger = ProgbarLogger(stateful_metrics=["acc"])
    cbs = CallbackList([logger], verbose=1, epochs=1, steps=2)
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    clock.now += 0.002
    cbs.on_train_batch_end(0, {"loss": 4.0, "acc": 0.25})
    clock.now += 0.002
    cbs.on_train_batch_end(1, {"loss": 2.0, "acc": 0.5})
    cbs.on_epoch_end(0, {"loss": 6.0, "acc": 0.75})
    assert capsys.readouterr().out == (
        "2/2 [==============================] - 0s 2ms/step - loss: 4.0000 - acc: 0.7500\n")


def test_evaluate_prints_its_own_bar(clock, static, capsys):
    cbs = CallbackList([], add_progbar=True, verbose=1, epochs=1, steps=2)
    cbs.on_test_begin()
    for step in range(2):
        cbs.on_test_batch_begin(step)
        clock.now += 0.002
        cbs.on_test_batch_end(step, {"loss": 0.5, "accuracy": 0.75})
    cbs.on_test_end({"loss": 0.5, "accuracy": 0.75})
    assert capsys.readouterr().out == (
        "2/2 [==============================] - 0s 2ms/step - loss: 0.5000 - accuracy: 0.7500\n")


def test_predict_prints_a_bar_without_values(clock, static, capsys):
    cbs = CallbackList([], add_progbar=True, verbose=1, epochs=1, steps=4)
    cbs.on_predict_begin()
    for step in range(4):
        cbs.on_predict_batch_begin(step)
        clock.now += 0.0005
        cbs.on_predict_batch_end(step, {"outputs": [[0.1, 0.9]]})
    cbs.on_predict_end()
    assert capsys.readouterr().out == "4/4 [==============================] - 0s 500us/step\n"


def test_progbar_logger_reads_values_only_when_printing(clock, static, capsys, lazy):
    cbs = CallbackList([], add_history=True, add_progbar=True, verbose=1, epochs=1, steps=5)
    batch_values = [lazy(0.5) for _ in range(5)]
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    for step, value in enumerate(batch_values):
        clock.now += 0.001
        cbs.on_train_batch_end(step, {"loss": value})
    assert [v.reads for v in batch_values] == [0] * 5
    final = lazy(0.5)
    cbs.on_epoch_end(0, {"loss": final})
    assert final.reads == 1  # converted once by CallbackList for all callbacks
    assert capsys.readouterr().out.endswith(" - loss: 0.5000\n")


def test_bad_count_mode():
    with pytest.raises(ValueError, match="count_mode"):
        ProgbarLogger(count_mode="batches")


def test_count_mode_samples(clock, static, capsys):
    logger = ProgbarLogger(count_mode="samples")
    cbs = CallbackList([logger], verbose=1, epochs=1, samples=80)
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    for step, (size, seconds) in enumerate([(32, 0.004), (32, 0.002), (16, 0.002)]):
        clock.now += seconds
        cbs.on_train_batch_end(step, {"loss": 1.0, "size": size})
    cbs.on_epoch_end(0, {"loss": 1.0})
    assert capsys.readouterr().out == (
        "80/80 [==============================] - 0s 100us/sample - loss: 1.0000\n")
