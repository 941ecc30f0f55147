"""Constraints, weight-decay exclusion, dtype groups, growing the variable set, weights
I/O and Keras 3-style subclasses with a per-variable `update_step`."""
import numpy as np
import pytest

from layerkit import engine, ops, optimizers


def test_constraint_is_applied_after_the_update():
    v = engine.Variable(np.array([0.05, -0.05, 0.0], "float32"),
                         constraint=lambda w: ops.clip(w, -0.1, 0.1))
    free = engine.Variable(np.array([1.0, 2.0], "float32"))
    opt = optimizers.SGD(learning_rate=1.0)
    opt.apply([engine.convert_to_tensor(np.array([-1.0, 1.0, 0.02], "float32")),
               engine.convert_to_tensor(np.array([0.5, 0.5], "float32"))], [v, free])
    np.testing.assert_allclose(v.numpy(), [0.1, -0.1, -0.02], rtol=1e-6)
    np.testing.assert_allclose(free.numpy(), [0.5, 1.5], rtol=1e-6)


def test_exclude_from_weight_decay_matches_keras(keras_oracle, runners, problem, close):
    init, grads = problem
    from layerkit import engine as B
    ours_vars = [B.Variable(x.copy(), name=f"w{i}" if i % 2 else f"bias{i}")
                 for i, x in enumerate(init)]
    theirs_vars = [keras_oracle.Variable(x.copy(), name=f"w{i}" if i % 2 else f"bias{i}")
                   for i, x in enumerate(init)]
    ours = optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
    theirs = keras_oracle.optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
    ours.exclude_from_weight_decay(var_names=["bias"])
    theirs.exclude_from_weight_decay(var_names=["bias"])
    for g in grads:
        ours.apply([B.convert_to_tensor(x) for x in g], ours_vars)
        theirs.apply([keras_oracle.ops.convert_to_tensor(x) for x in g], theirs_vars)
    close([v.numpy() for v in ours_vars], [np.asarray(v.numpy()) for v in theirs_vars])
    with pytest.raises(ValueError, match="before"):
        ours.exclude_from_weight_decay(var_names=["w"])


def test_mixed_dtypes_are_updated_in_their_own_dtype(problem):
    init, grads = problem
    half = [engine.Variable(x.astype("float16")) for x in init[:2]]
    full = [engine.Variable(x.copy()) for x in init[2:]]
    opt = optimizers.Adam(learning_rate=0.01)
    for g in grads:
        opt.apply([engine.convert_to_tensor(x.astype("float16")) for x in g[:2]]
                  + [engine.convert_to_tensor(x) for x in g[2:]], half + full)
    assert [v.dtype for v in half] == ["float16", "float16"]
    assert [engine.standardize_dtype(v.value.dtype) for v in half] == ["float16"] * 2
    ref_full = [engine.Variable(x.copy()) for x in init[2:]]
    ref = optimizers.Adam(learning_rate=0.01)
    for g in grads:
        ref.apply([engine.convert_to_tensor(x) for x in g[2:]], ref_full)
    for a, b in zip(full, ref_full):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    ref_half = [engine.Variable(x.copy()) for x in init[:2]]
    ref = optimizers.Adam(learning_rate=0.01)
    for g in grads:
        ref.apply([engine.convert_to_tensor(x) for x in g[:2]], ref_half)
    for a, b in zip(half, ref_half):
        np.testing.assert_allclose(a.numpy().astype("float32"), b.numpy(), atol=2e-3)


def test_grads_of_another_dtype_or_numpy_are_converted(problem, close):
    init, grads = problem
    a = [engine.Variable(x.copy()) for x in init]
    b = [engine.Variable(x.copy()) for x in init]
    opt_a, opt_b = optimizers.Adam(), optimizers.Adam()
    for g in grads:
        opt_a.apply([engine.convert_to_tensor(x) for x in g], a)
        opt_b.apply([x.astype("float64") for x in g], b)
    close([v.numpy() for v in a], [v.numpy() for v in b])
    assert all(v.dtype == "float32" for v in b)


def test_subset_and_new_variables(problem):
    init, grads = problem
    variables = [engine.Variable(x.copy()) for x in init]
    opt = optimizers.SGD(learning_rate=0.1, momentum=0.9)
    opt.build(variables[:2])
    n = len(opt.variables)
    opt.build(variables[:2])            # no-op
    assert len(opt.variables) == n
    # A subset in another order, then a variable the optimizer has not seen.
    opt.apply([engine.convert_to_tensor(grads[0][1]), engine.convert_to_tensor(grads[0][0])],
              [variables[1], variables[0]])
    np.testing.assert_allclose(variables[0].numpy(), init[0] - 0.1 * grads[0][0], rtol=1e-6)
    np.testing.assert_allclose(variables[1].numpy(), init[1] - 0.1 * grads[0][1], rtol=1e-6)
    opt.apply([engine.convert_to_tensor(grads[1][2])], [variables[2]])
    assert len(opt.variables) == n + 1
    np.testing.assert_allclose(variables[2].numpy(), init[2] - 0.1 * grads[1][2], rtol=1e-6)
    assert int(opt.iterations) == 2


def test_weights_round_trip(problem, runners):
    init, grads = problem
    opt = optimizers.Adam(learning_rate=0.01)
    runners.layerkit(opt, init, grads[:2])
    weights = opt.get_weights()
    store = {}
    opt.save_own_variables(store)
    other = optimizers.Adam(learning_rate=0.5)
    other.build([engine.Variable(x) for x in init])
    other.set_weights(weights)
    for a, b in zip(other.get_weights(), weights):
        np.testing.assert_array_equal(a, b)
    third = optimizers.Adam()
    third.build([engine.Variable(x) for x in init])
    third.load_own_variables(store)
    assert int(third.iterations) == 2
    assert float(third.lr) == pytest.approx(0.01)
    with pytest.raises(ValueError, match="expected"):
        third.set_weights(weights[:-1])


def test_keras3_style_subclass_with_update_step(problem, runners, close):
    class SignSGD(optimizers.Optimizer):
        def __init__(self, learning_rate=0.01, **kwargs):
            super().__init__(learning_rate=learning_rate, **kwargs)

        def build(self, var_list):
            if self.built:
                return
            super().build(var_list)
            self.steps_taken = [self.add_variable_from_reference(v, "count") for v in var_list]

        def update_step(self, gradient, variable, learning_rate):
            i = self._get_variable_index(variable)
            self.assign_add(self.steps_taken[i], ops.ones_like(gradient))
            self.assign_sub(variable, learning_rate * ops.sign(gradient))

    init, grads = problem
    opt = SignSGD(learning_rate=0.1)
    ours = runners.layerkit(opt, init, grads)
    expected = [x - 0.1 * sum(np.sign(g[i]) for g in grads) for i, x in enumerate(init)]
    close(ours, expected)
    np.testing.assert_array_equal(opt.steps_taken[0].numpy(), np.full(init[0].shape, 5.0))


def test_use_ema_finalize(problem, runners):
    init, grads = problem
    opt = optimizers.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.5)
    variables = [engine.Variable(x.copy()) for x in init]
    values = []
    for g in grads:
        opt.apply([engine.convert_to_tensor(x) for x in g], variables)
        values.append(variables[0].numpy())
    avg = values[0]
    for v in values[1:]:
        avg = 0.5 * avg + 0.5 * v
    opt.finalize_variable_values(variables)
    np.testing.assert_allclose(variables[0].numpy(), avg, rtol=1e-5)
