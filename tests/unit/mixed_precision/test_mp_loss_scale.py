"""LossScaleOptimizer: the scale grows after `dynamic_growth_steps` finite steps,
halves on a non-finite step which changes nothing else, wraps under mixed_float16,
saves and resumes, and matches Keras 3 step by step."""
import numpy as np
import pytest

import layerkit
from layerkit import layers, mixed_precision, optimizers
from layerkit.optimizers import SGD, Adam, LossScaleOptimizer


def _model(policy=None):
    model = layerkit.Sequential([layers.Input((4,)), layers.Dense(6, activation="tanh"),
                                 layers.Dense(2)])
    return model


def _data(n=16):
    rng = np.random.default_rng(3)
    return rng.standard_normal((n, 4)).astype("float32"), \
        rng.standard_normal((n, 2)).astype("float32")


def _state(opt):
    return float(opt.dynamic_scale.numpy()), int(opt.step_counter.numpy()), \
        int(opt.iterations.numpy())


def test_the_scale_grows_after_n_finite_steps_in_a_compiled_fit():
    model = _model()
    opt = LossScaleOptimizer(SGD(0.05), initial_scale=4.0, dynamic_growth_steps=3)
    model.compile(opt, "mse")
    x, y = _data(16)
    seen = []
    for _ in range(7):
        model.train_on_batch(x, y)
        seen.append(_state(opt))
    assert seen == [(4.0, 1, 1), (4.0, 2, 2), (8.0, 0, 3), (8.0, 1, 4), (8.0, 2, 5),
                    (16.0, 0, 6), (16.0, 1, 7)]


def test_a_non_finite_step_is_skipped_and_halves_the_scale():
    model = _model()
    opt = LossScaleOptimizer(Adam(0.01), initial_scale=2.0 ** 10, dynamic_growth_steps=100)
    model.compile(opt, "mse")
    x, y = _data(16)
    model.train_on_batch(x, y)
    model.train_on_batch(x, y)
    weights = model.get_weights()
    inner = [v.numpy().copy() for v in opt.inner_optimizer.variables]
    assert _state(opt) == (1024.0, 2, 2)
    # A scale this large overflows float32 in the backward pass: inf gradients.
    opt.dynamic_scale.assign(2.0 ** 126)
    model.train_on_batch(x, y * 1e4)
    assert _state(opt) == (2.0 ** 125, 0, 2)
    for a, b in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, v in zip(inner, opt.inner_optimizer.variables):
        np.testing.assert_array_equal(a, v.numpy())
    # Then training goes on at the halved scale.
    opt.dynamic_scale.assign(512.0)
    model.train_on_batch(x, y)
    assert _state(opt) == (512.0, 1, 3)
    assert any(not np.array_equal(a, b) for a, b in zip(weights, model.get_weights()))


def test_loss_scaling_leaves_the_float32_update_unchanged():
    x, y = _data(32)
    plain, scaled = _model(), _model()
    scaled.set_weights(plain.get_weights())
    plain.compile(SGD(0.1), "mse")
    scaled.compile(LossScaleOptimizer(SGD(0.1), initial_scale=2.0 ** 12), "mse")
    h1 = plain.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    h2 = scaled.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-5)
    for a, b in zip(plain.get_weights(), scaled.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def _grads(shapes, steps, bad_steps):
    rng = np.random.default_rng(0)
    out = []
    for i in range(steps):
        g = [rng.standard_normal(s).astype("float32") for s in shapes]
        if i in bad_steps:
            g[i % len(g)][(0,) * len(shapes[i % len(g)])] = np.inf if i % 2 else np.nan
        out.append(g)
    return out


def test_matches_keras_step_by_step_with_skipped_steps(keras_oracle):
    k = keras_oracle
    shapes = [(3, 2), (2,)]
    init = [np.random.standard_normal(s).astype("float32") for s in shapes]
    steps = _grads(shapes, 9, bad_steps={2, 3, 7})
    ours_vars = [layerkit.Variable(w) for w in init]
    ours = LossScaleOptimizer(Adam(0.01), initial_scale=64.0, dynamic_growth_steps=2)
    ours.build(ours_vars)
    # Keras's JAX form: stateless_apply on values (its stateful apply is for TF/torch).
    theirs_vars = [k.Variable(w) for w in init]
    theirs = k.optimizers.LossScaleOptimizer(k.optimizers.Adam(0.01), initial_scale=64.0,
                                             dynamic_growth_steps=2)
    theirs.build(theirs_vars)
    names = [v.path.split("/")[-1] for v in theirs.variables]
    assert [v.path.split("/")[-1] for v in ours.variables][:4] == names[:4] == \
        ["iteration", "learning_rate", "step_counter", "dynamic_scale"]
    assert len(ours.variables) == len(theirs.variables)
    tv = [np.asarray(v.value) for v in theirs_vars]
    ov = [np.asarray(v.value) for v in theirs.variables]
    for i, g in enumerate(steps):
        scale = float(ours.dynamic_scale.numpy())
        assert scale == float(ov[names.index("dynamic_scale")]), i
        ours.apply([gi * scale for gi in g], ours_vars)
        tv, ov = theirs.stateless_apply(ov, [gi * scale for gi in g], tv)
        for mine, theirs_value in zip(ours.variables, ov):
            np.testing.assert_allclose(mine.numpy(), np.asarray(theirs_value), rtol=1e-5,
                                       atol=1e-6, err_msg=f"step {i}: {mine.path}")
        for a, b in zip(ours_vars, tv):
            np.testing.assert_allclose(a.numpy(), np.asarray(b), rtol=1e-5, atol=1e-6)
    # Three skipped steps: the inner optimizer counted only the six applied ones.
    assert int(ours.iterations.numpy()) == 6


def test_compile_wraps_under_mixed_float16_only():
    mixed_precision.set_global_policy("mixed_float16")
    model = _model()
    model.compile("adam", "mse")
    assert isinstance(model.optimizer, LossScaleOptimizer)
    assert model.optimizer.name == "loss_scale_optimizer"
    assert isinstance(model.optimizer.inner_optimizer, Adam)
    model.compile("adam", "mse", auto_scale_loss=False)
    assert isinstance(model.optimizer, Adam)
    mine = LossScaleOptimizer(SGD(), initial_scale=8.0)
    model.compile(mine, "mse")
    assert model.optimizer is mine
    mixed_precision.set_global_policy("mixed_bfloat16")
    bf16 = _model()
    bf16.compile("adam", "mse")
    assert isinstance(bf16.optimizer, Adam)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"inner_optimizer": "adam"}, TypeError, "must be an Optimizer instance"),
    ({"initial_scale": 0}, ValueError, "initial_scale.*positive"),
    ({"dynamic_growth_steps": 1.5}, ValueError, "dynamic_growth_steps.*integer"),
    ({"dynamic": False}, ValueError, "dynamic=False.*loss_scale_factor"),
    ({"clipnorm": 1.0}, ValueError, "does not support `clipnorm`"),
    ({"momentum": 0.9}, TypeError, "unrecognized keyword.*momentum"),
])
def test_bad_arguments_are_named(kwargs, error, words):
    kwargs = dict(kwargs)
    inner = kwargs.pop("inner_optimizer", SGD())
    with pytest.raises(error, match=words):
        LossScaleOptimizer(inner, **kwargs)


def test_config_round_trip_and_keras_reads_it(keras_oracle):
    opt = LossScaleOptimizer(Adam(0.002), initial_scale=256.0, dynamic_growth_steps=10)
    config = optimizers.serialize(opt)
    again = optimizers.deserialize(config)
    assert isinstance(again, LossScaleOptimizer) and isinstance(again.inner_optimizer, Adam)
    assert (again.initial_scale, again.dynamic_growth_steps) == (256.0, 10)
    assert again.learning_rate.numpy() == pytest.approx(0.002)
    theirs = keras_oracle.optimizers.deserialize(config)
    assert type(theirs).__name__ == "LossScaleOptimizer"
    assert theirs.initial_scale == 256.0 and theirs.dynamic_growth_steps == 10


def test_the_scale_is_saved_and_a_resumed_fit_goes_on_with_it(tmp_path):
    x, y = _data(16)
    model = _model()
    model.compile(LossScaleOptimizer(SGD(0.05), initial_scale=4.0, dynamic_growth_steps=2),
                  "mse")
    for _ in range(3):
        model.train_on_batch(x, y)
    assert _state(model.optimizer) == (8.0, 1, 3)
    path = str(tmp_path / "scaled.keras")
    model.save(path)
    loaded = layerkit.saving.load_model(path)
    assert isinstance(loaded.optimizer, LossScaleOptimizer)
    assert _state(loaded.optimizer) == (8.0, 1, 3)
    loaded.train_on_batch(x, y)
    model.train_on_batch(x, y)
    assert _state(loaded.optimizer) == _state(model.optimizer) == (16.0, 0, 4)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
