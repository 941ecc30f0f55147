"""Shared helpers for the optimizer tests: a few variables, a fixed gradient
sequence, and runners for layerkit and for the real Keras (the oracle)."""
import numpy as np
import pytest

SHAPES = [(3, 4), (4,), (2, 3, 2), (1,)]
STEPS = 5


def make_problem(seed=7, shapes=SHAPES, steps=STEPS, scale=1.0):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype("float32") for s in shapes]
    grads = [[(scale * rng.standard_normal(s)).astype("float32") for s in shapes]
             for _ in range(steps)]
    return init, grads


class Runners:
    @staticmethod
    def layerkit(opt, init, grads, before_step=None):
        from layerkit import engine
        variables = [engine.Variable(x.copy()) for x in init]
        for t, g in enumerate(grads):
            if before_step is not None:
                before_step(opt, t)
            opt.apply([None if x is None else engine.convert_to_tensor(x) for x in g],
                      variables)
        return [v.numpy() for v in variables]

    @staticmethod
    def keras(keras, opt, init, grads, before_step=None):
        variables = [keras.Variable(x.copy()) for x in init]
        for t, g in enumerate(grads):
            if before_step is not None:
                before_step(opt, t)
            opt.apply([None if x is None else keras.ops.convert_to_tensor(x) for x in g],
                      variables)
        return [np.asarray(v.numpy()) for v in variables]


@pytest.fixture
def runners():
    return Runners


@pytest.fixture
def problem():
    return make_problem()


def assert_close(actual, expected, tol=1e-5):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(a, e, rtol=tol, atol=tol)


@pytest.fixture
def close():
    return assert_close


@pytest.fixture
def make():
    """`make(seed=..., shapes=..., steps=..., scale=...)` -> (initial values, gradients)."""
    return make_problem
