"""The learning rate lives in a Variable: read, set and compared between steps (as
Keras 2 callbacks do with K.get_value/K.set_value), and a schedule is read at
`iterations`."""
import numpy as np
import pytest

from layerkit import engine, optimizers


def _sgd_steps(params, grads, lrs):
    params = [p.astype(np.float64).copy() for p in params]
    for gs, lr in zip(grads, lrs):
        params = [p - lr * g for p, g in zip(params, gs)]
    return params


def test_lr_is_the_variable_and_behaves_like_a_number():
    opt = optimizers.SGD(learning_rate=0.01)
    assert isinstance(opt.lr, engine.Variable)
    assert opt.lr is opt.learning_rate
    assert opt.lr in opt.variables
    assert float(opt.lr) == pytest.approx(0.01)
    assert bool(opt.lr > 0.001) and bool(opt.lr < 0.1)
    assert opt.lr.dtype == "float32" and not opt.lr.trainable
    np.testing.assert_allclose(engine.convert_to_numpy(opt.lr), 0.01)


def test_changing_lr_between_steps(runners, problem, close):
    init, grads = problem
    opt = optimizers.SGD(learning_rate=0.1)
    variables_before = list(opt.variables)

    def before_step(o, t):
        if t == 1:
            o.learning_rate = 0.01          # Keras 3 spelling
        elif t == 2:
            o.lr = 0.02                     # Keras 2 attribute
        elif t == 3:
            o.lr.assign(0.03)               # what K.set_value(model.optimizer.lr, v) does
        elif t == 4:
            o.learning_rate = np.float32(0.04)
    ours = runners.layerkit(opt, init, grads, before_step)
    close(ours, _sgd_steps(init, grads, [0.1, 0.01, 0.02, 0.03, 0.04]))
    # The same Variable throughout: a compiled step sees the new value, not a new program.
    assert opt.variables[:2] == variables_before[:2]
    assert float(opt.lr) == pytest.approx(0.04)


def test_assign_numpy_scalar_to_lr():
    # K.set_value(opt.lr, v) assigns np.asarray(v): a 0-d array must keep shape ().
    opt = optimizers.SGD(learning_rate=0.1)
    opt.lr.assign(np.asarray(0.25, dtype="float32"))
    assert float(opt.lr) == pytest.approx(0.25)
    assert tuple(opt.lr.shape) == ()


def test_keras2_backend_set_value_on_the_learning_rate():
    import layerkit.backend as K
    opt = optimizers.RMSprop(lr=0.001)
    K.set_value(opt.lr, 0.0005)
    assert float(K.get_value(opt.lr)) == pytest.approx(0.0005)


def test_schedule_is_read_at_iterations(runners, problem, close):
    init, grads = problem
    sched = optimizers.schedules.PiecewiseConstantDecay([1, 3], [0.1, 0.01, 0.001])
    opt = optimizers.SGD(learning_rate=sched)
    assert all(v.name != "learning_rate" for v in opt.variables)
    ours = runners.layerkit(opt, init, grads)
    # step k uses schedule(k): k <= 1 -> 0.1, 1 < k <= 3 -> 0.01, then 0.001
    close(ours, _sgd_steps(init, grads, [0.1, 0.1, 0.01, 0.01, 0.001]))
    assert float(engine.convert_to_numpy(opt.learning_rate)) == pytest.approx(0.001)
    with pytest.raises(TypeError, match="LearningRateSchedule"):
        opt.learning_rate = 0.5


def test_callable_learning_rate(runners, problem, close):
    init, grads = problem
    opt = optimizers.SGD(learning_rate=lambda: 0.07)
    close(runners.layerkit(opt, init, grads), _sgd_steps(init, grads, [0.07] * 5))


def test_switching_to_a_schedule():
    opt = optimizers.SGD(learning_rate=0.1)
    n = len(opt.variables)
    opt.learning_rate = optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    assert len(opt.variables) == n - 1
    assert float(engine.convert_to_numpy(opt.learning_rate)) == pytest.approx(0.1)
