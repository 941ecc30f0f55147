"""Independent numpy references (no Keras needed): SGD with momentum / Nesterov, Adam,
and Keras 2's `SGD(lr=..., decay=..., momentum=..., nesterov=True)` and Nadam
`schedule_decay` formulas."""
import numpy as np
import pytest

from layerkit import optimizers


def sgd_reference(init, grads, lr, momentum=0.0, nesterov=False, decay=0.0):
    params = [p.astype(np.float64).copy() for p in init]
    vel = [np.zeros_like(p) for p in params]
    for t, gs in enumerate(grads):
        lr_t = lr / (1.0 + decay * t)        # Keras 2: iterations before the increment
        for i, g in enumerate(gs):
            vel[i] = momentum * vel[i] - lr_t * g
            if nesterov:
                params[i] = params[i] + momentum * vel[i] - lr_t * g
            else:
                params[i] = params[i] + vel[i]
    return params


def adam_reference(init, grads, lr=0.001, b1=0.9, b2=0.999, eps=1e-7):
    params = [p.astype(np.float64).copy() for p in init]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t, gs in enumerate(grads, start=1):
        for i, g in enumerate(gs):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            params[i] = params[i] - lr_t * m[i] / (np.sqrt(v[i]) + eps)
    return params


def nadam_keras2_reference(init, grads, lr=0.002, b1=0.9, b2=0.999, eps=1e-7,
                           schedule_decay=0.004):
    params = [p.astype(np.float64).copy() for p in init]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    m_schedule = 1.0
    for t, gs in enumerate(grads, start=1):
        mu_t = b1 * (1 - 0.5 * 0.96 ** (t * schedule_decay))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * schedule_decay))
        m_schedule_new = m_schedule * mu_t
        m_schedule_next = m_schedule_new * mu_next
        m_schedule = m_schedule_new
        for i, g in enumerate(gs):
            g_prime = g / (1 - m_schedule_new)
            m[i] = b1 * m[i] + (1 - b1) * g
            m_prime = m[i] / (1 - m_schedule_next)
            v[i] = b2 * v[i] + (1 - b2) * g * g
            v_prime = v[i] / (1 - b2 ** t)
            m_bar = (1 - mu_t) * g_prime + mu_next * m_prime
            params[i] = params[i] - lr * m_bar / (np.sqrt(v_prime) + eps)
    return params


@pytest.mark.parametrize("momentum,nesterov", [(0.0, False), (0.9, False), (0.9, True),
                                               (0.5, True)])
def test_sgd_matches_numpy(momentum, nesterov, runners, problem, close):
    init, grads = problem
    opt = optimizers.SGD(learning_rate=0.05, momentum=momentum, nesterov=nesterov)
    close(runners.layerkit(opt, init, grads), sgd_reference(init, grads, 0.05, momentum, nesterov))


@pytest.mark.parametrize("kwargs", [{}, {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.9}])
def test_adam_matches_numpy(kwargs, runners, problem, close):
    init, grads = problem
    opt = optimizers.Adam(**kwargs)
    ref = adam_reference(init, grads, lr=kwargs.get("learning_rate", 0.001),
                         b1=kwargs.get("beta_1", 0.9), b2=kwargs.get("beta_2", 0.999))
    close(runners.layerkit(opt, init, grads), ref)


def test_keras2_sgd_seed_spelling(runners, problem, close):
    # The seed's own line: SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True).
    init, grads = problem
    opt = optimizers.SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
    assert float(opt.lr) == pytest.approx(0.01)
    assert opt.decay == 1e-6
    close(runners.layerkit(opt, init, grads),
          sgd_reference(init, grads, 0.01, 0.9, True, decay=1e-6))


@pytest.mark.parametrize("decay", [0.1, 0.5])
def test_keras2_decay_is_applied_every_step(decay, runners, close, make):
    init, grads = make(steps=8)
    opt = optimizers.SGD(lr=0.1, decay=decay, momentum=0.9, nesterov=True)
    ours = runners.layerkit(opt, init, grads)
    close(ours, sgd_reference(init, grads, 0.1, 0.9, True, decay=decay))
    # ... and it makes a real difference: not silently dropped.
    no_decay = sgd_reference(init, grads, 0.1, 0.9, True)
    assert max(np.abs(a - b).max() for a, b in zip(ours, no_decay)) > 1e-2
    # The base learning rate itself is not decayed (Keras 2's `lr` variable).
    assert float(opt.lr) == pytest.approx(0.1)
    assert int(opt.iterations) == 8


def test_keras2_decay_with_adam(runners, problem, close):
    init, grads = problem
    ours = runners.layerkit(optimizers.Adam(lr=0.01, decay=0.3), init, grads)
    # Keras 2 Adam with decay: lr_t = lr / (1 + decay * iterations), then Adam's correction.
    params = [p.astype(np.float64).copy() for p in init]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t, gs in enumerate(grads, start=1):
        lr = 0.01 / (1 + 0.3 * (t - 1))
        for i, g in enumerate(gs):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            params[i] -= lr * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t) * m[i] / (np.sqrt(v[i]) + 1e-7)
    close(ours, params)


def test_keras2_nadam_schedule_decay(runners, problem, close):
    init, grads = problem
    ours = runners.layerkit(optimizers.Nadam(lr=0.002, schedule_decay=0.004), init, grads)
    close(ours, nadam_keras2_reference(init, grads))
    assert optimizers.Nadam(schedule_decay=0.004).get_config()["schedule_decay"] == 0.004


def test_iterations_count_steps(runners, problem):
    init, grads = problem
    opt = optimizers.RMSprop()
    runners.layerkit(opt, init, grads)
    assert int(opt.iterations) == len(grads)
    assert opt.iterations.dtype in ("int32", "int64")
    assert not opt.iterations.trainable
