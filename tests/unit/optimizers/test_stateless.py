"""The update inside a StatelessScope (how the JAX trainer runs it): the Variables stay
untouched and the scope records the new values."""
import numpy as np
import pytest

from layerkit import engine, optimizers


@pytest.mark.parametrize("name,kwargs", [("SGD", {"momentum": 0.9, "nesterov": True}),
                                         ("Adam", {"amsgrad": True}),
                                         ("Nadam", {}), ("RMSprop", {"centered": True})])
def test_update_inside_stateless_scope(name, kwargs, problem, close):
    init, grads = problem
    cls = getattr(optimizers, name)
    opt = cls(learning_rate=0.01, **kwargs)
    variables = [engine.Variable(x.copy()) for x in init]
    opt.build(variables)
    # Replaced values: the parameters shifted, the optimizer state taken from one real step.
    warm = cls(learning_rate=0.01, **kwargs)
    warm_vars = [engine.Variable(x.copy() + 1.0) for x in init]
    warm.apply([engine.convert_to_tensor(g) for g in grads[0]], warm_vars)
    # (Updates are out of place, so these tensors keep their values.)
    replaced_params = [v.value for v in warm_vars]
    replaced_opt = [v.value for v in warm.variables]
    before_opt = [v.numpy() for v in opt.variables]

    mapping = list(zip(variables, replaced_params)) + list(zip(opt.variables, replaced_opt))
    with engine.StatelessScope(state_mapping=mapping) as scope:
        opt.apply([engine.convert_to_tensor(g) for g in grads[1]], variables)
    # Nothing outside the scope changed.
    close([v.numpy() for v in variables], init, tol=0)
    close([v.numpy() for v in opt.variables], before_opt, tol=0)
    # The scope holds what the stateful optimizer computes from the same state.
    warm.apply([engine.convert_to_tensor(g) for g in grads[1]], warm_vars)
    recorded = [engine.convert_to_numpy(scope.get_current_value(v)) for v in variables]
    close(recorded, [v.numpy() for v in warm_vars])
    recorded_opt = [engine.convert_to_numpy(scope.get_current_value(v)) for v in opt.variables]
    close(recorded_opt, [v.numpy() for v in warm.variables])
    assert int(recorded_opt[0]) == 2


def test_stateless_apply_matches_apply(problem, close):
    init, grads = problem
    opt = optimizers.Adam(learning_rate=0.01)
    ref = optimizers.Adam(learning_rate=0.01)
    variables = [engine.Variable(x.copy()) for x in init]
    ref_vars = [engine.Variable(x.copy()) for x in init]
    opt.build(variables)
    params = [v.value for v in variables]
    state = [v.value for v in opt.variables]
    for g in grads:
        g = [engine.convert_to_tensor(x) for x in g]
        params, state = opt.stateless_apply(state, g, params)
        ref.apply(g, ref_vars)
    close([engine.convert_to_numpy(p) for p in params], [v.numpy() for v in ref_vars])
    close([v.numpy() for v in variables], init, tol=0)
    assert int(engine.convert_to_numpy(state[0])) == len(grads)


def test_jitted_step_is_not_retraced_when_lr_changes(engine_name, problem, close):
    if engine_name != "jax":
        pytest.skip("jit tracing is a JAX engine matter")
    import jax
    init, grads = problem
    opt = optimizers.SGD(learning_rate=0.1, momentum=0.9)
    variables = [engine.Variable(x.copy()) for x in init]
    opt.build(variables)
    traces = []

    def step(state, params, g):
        traces.append(1)
        params, state = opt.stateless_apply(state, g, params)
        return state, params

    jstep = jax.jit(step)
    params = [v.value for v in variables]
    state = [v.value for v in opt.variables]
    lr_index = opt.variables.index(opt.lr)
    ref = optimizers.SGD(learning_rate=0.1, momentum=0.9)
    ref_vars = [engine.Variable(x.copy()) for x in init]
    for t, g in enumerate(grads):
        if t == 2:
            opt.lr.assign(0.01)
            ref.lr = 0.01
            state[lr_index] = opt.lr.value
        g = [engine.convert_to_tensor(x) for x in g]
        state, params = jstep(state, params, g)
        ref.apply(g, ref_vars)
    assert len(traces) == 1
    close([np.asarray(p) for p in params], [v.numpy() for v in ref_vars])


def test_schedule_under_jit(engine_name):
    if engine_name != "jax":
        pytest.skip("jit tracing is a JAX engine matter")
    import jax
    import jax.numpy as jnp
    scheds = [optimizers.schedules.CosineDecay(0.1, 10, warmup_target=0.5, warmup_steps=3),
              optimizers.schedules.PiecewiseConstantDecay([2, 5], [1.0, 0.5, 0.1]),
              optimizers.schedules.PolynomialDecay(0.1, 4, cycle=True),
              optimizers.schedules.CosineDecayRestarts(0.1, 3),
              optimizers.schedules.ExponentialDecay(0.1, 3, 0.5, staircase=True),
              optimizers.schedules.InverseTimeDecay(0.1, 3, 0.5)]
    for s in scheds:
        f = jax.jit(s)
        for step in (0, 1, 3, 7, 20):
            np.testing.assert_allclose(np.asarray(f(jnp.asarray(step))), np.asarray(s(step)),
                                       rtol=1e-5)
