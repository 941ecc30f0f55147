"""Fixtures shared by the progress-bar and callback tests: a fake clock, the
display mode, and lazy engine-scalar stand-ins."""
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
