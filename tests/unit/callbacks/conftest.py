"""Fixtures shared by the progress-bar and callback tests: a fake clock, the
display mode, lazy engine-scalar stand-ins, and a scripted model that drives one callback
the same way for layerkit and for real Keras."""
import numpy as np
import pytest

from layerkit.utils import progbar as progbar_module


class FakeClock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


class Lazy:
    """An engine scalar stand-in that counts how often it is read on the host."""

    def __init__(self, value):
        self.value = value
        self.reads = 0

    def __float__(self):
        self.reads += 1
        return float(self.value)


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(progbar_module, "_clock", fake)
    return fake


@pytest.fixture
def dynamic(monkeypatch):
    monkeypatch.setenv("LAYERKIT_PROGBAR_DYNAMIC", "1")


@pytest.fixture
def static(monkeypatch):
    monkeypatch.setenv("LAYERKIT_PROGBAR_DYNAMIC", "0")


@pytest.fixture
def lazy():
    return Lazy


class ScriptedModel:
    """A stand-in model for driving a callback with scripted epoch logs, the same way
    for layerkit's callback and real Keras's: `get_weights` returns the epoch it is
    called in, `set_weights` records which epoch's weights came back."""

    def __init__(self, optimizer=None):
        self.optimizer = optimizer
        self.stop_training = False
        self.epoch = -1
        self.restored = None

    def get_weights(self):
        return [np.array(self.epoch)]

    def set_weights(self, weights):
        self.restored = int(weights[0])


def drive_epochs(callback, model, epoch_logs):
    """Runs `callback` through fit's epoch hooks with `epoch_logs` (a list of dicts) until
    it sets `stop_training`; returns (epochs run, the logs dicts as the callbacks left
    them, the learning rate each epoch trained with or None)."""
    callback.set_model(model)
    callback.on_train_begin({})
    seen, rates = [], []
    for epoch, logs in enumerate(epoch_logs):
        model.epoch = epoch
        callback.on_epoch_begin(epoch, {})
        if model.optimizer is not None:
            lr = model.optimizer.learning_rate
            rates.append(float(lr.numpy() if hasattr(lr, "numpy") else lr))
        logs = dict(logs)
        callback.on_epoch_end(epoch, logs)
        seen.append(logs)
        if model.stop_training:
            break
    callback.on_train_end({})
    return len(seen), seen, rates


@pytest.fixture
def scripted():
    return ScriptedModel, drive_epochs
