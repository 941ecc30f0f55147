"""Stateless scopes and the training flag are per thread: a thread inside a scope
or a `training=True` call never changes what another thread sees."""
import threading

import numpy as np

from layerkit import engine, layers, ops
from layerkit.engine import StatelessScope, get_stateless_scope


def _in_lockstep(first, second):
    """Runs `first(step)` in a new thread and `second(step)` here, alternating: each
    `step()` call hands over to the other side, so their bodies interleave."""
    turns = [threading.Event(), threading.Event()]
    errors = []

    def step_first():
        turns[1].set()
        turns[0].wait(10)
        turns[0].clear()

    def step_second():
        turns[0].set()
        turns[1].wait(10)
        turns[1].clear()

    def run():
        try:
            turns[0].wait(10)
            turns[0].clear()
            first(step_first)
        except BaseException as e:  # reported in the main thread
            errors.append(e)
        finally:
            turns[1].set()

    t = threading.Thread(target=run)
    t.start()
    second(step_second)
    turns[0].set()
    t.join(10)
    assert not t.is_alive()
    if errors:
        raise errors[0]


def test_a_scope_in_one_thread_is_invisible_in_another():
    v = engine.Variable(np.zeros(2, "float32"), name="w")
    seen = {}

    def in_scope(step):
        with StatelessScope([(v, ops.ones((2,)))]):
            step()                                   # the other thread reads now
            seen["inside"] = engine.convert_to_numpy(v.value)
            v.assign(np.full(2, 7.0, "float32"))     # recorded in this thread's scope
            step()

    def reader(step):
        step()
        seen["other"] = (engine.convert_to_numpy(v.value), get_stateless_scope())
        step()
        seen["other_after_assign"] = engine.convert_to_numpy(v.value)

    _in_lockstep(in_scope, reader)
    np.testing.assert_array_equal(seen["inside"], np.ones(2))
    value, scope = seen["other"]
    np.testing.assert_array_equal(value, np.zeros(2))
    assert scope is None
    np.testing.assert_array_equal(seen["other_after_assign"], np.zeros(2))
    np.testing.assert_array_equal(v.numpy(), np.zeros(2))


class _Probe(layers.Layer):
    """Records the `training` value each call receives."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, x, training=False):
        self.seen.append((threading.current_thread().name, training))
        self.step()
        return x


class _Outer(layers.Layer):
    def __init__(self, probe, **kwargs):
        super().__init__(**kwargs)
        self.probe = probe

    def call(self, x):
        return self.probe(x)          # no `training`: inherits the caller's


def test_training_flag_does_not_leak_between_threads():
    probe = _Probe()
    training_outer, plain_outer = _Outer(probe), _Outer(probe)
    x = ops.ones((1, 2))

    def trains(step):
        probe.step = step
        training_outer(x, training=True)    # the probe runs (and hands over) inside

    def infers(step):
        step()                              # the other thread is inside training=True
        probe.step = lambda: None
        plain_outer(x)
        probe.step = step

    _in_lockstep(trains, infers)
    by_thread = {}
    for name, training in probe.seen:
        by_thread.setdefault(name == threading.main_thread().name, []).append(training)
    assert by_thread[False] == [True]       # the training thread
    assert by_thread[True] == [False]       # the main thread, while the other trained
