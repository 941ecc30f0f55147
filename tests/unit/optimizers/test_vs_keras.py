"""Each optimizer and variant against the real Keras 3: same start, same gradients,
five steps, agreement to 1e-5."""
import numpy as np
import pytest

from layerkit import optimizers

CASES = [
    ("SGD", {}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    ("RMSprop", {}),
    ("RMSprop", {"rho": 0.8, "momentum": 0.5}),
    ("RMSprop", {"centered": True}),
    ("RMSprop", {"centered": True, "momentum": 0.9, "learning_rate": 0.01}),
    ("Adam", {}),
    ("Adam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-6}),
    ("Adam", {"amsgrad": True}),
    ("AdamW", {}),
    ("AdamW", {"weight_decay": 0.1, "learning_rate": 0.05, "amsgrad": True}),
    ("Adamax", {}),
    ("Adamax", {"learning_rate": 0.02, "beta_1": 0.7}),
    ("Nadam", {}),
    ("Nadam", {"learning_rate": 0.01, "beta_2": 0.9}),
    ("Adagrad", {}),
    ("Adagrad", {"initial_accumulator_value": 0.5, "learning_rate": 0.1}),
    ("Adadelta", {}),
    ("Adadelta", {"rho": 0.8, "learning_rate": 1.0}),
    ("Ftrl", {}),
    ("Ftrl", {"learning_rate": 0.1, "l1_regularization_strength": 0.01,
              "l2_regularization_strength": 0.02, "l2_shrinkage_regularization_strength": 0.05,
              "beta": 0.3}),
    ("Ftrl", {"learning_rate": 0.1, "learning_rate_power": -0.7,
              "initial_accumulator_value": 0.5}),
    ("Lion", {}),
    ("Lion", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9}),
]


def _ids(case):
    name, kw = case
    return name + "".join(f"-{k}={v}" for k, v in kw.items())


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_matches_keras(case, keras_oracle, runners, problem, close):
    name, kwargs = case
    init, grads = problem
    ours = runners.layerkit(getattr(optimizers, name)(**kwargs), init, grads)
    theirs = runners.keras(keras_oracle, getattr(keras_oracle.optimizers, name)(**kwargs),
                           init, grads)
    close(ours, theirs)


@pytest.mark.parametrize("kwargs", [
    {"clipnorm": 0.5}, {"clipvalue": 0.3}, {"global_clipnorm": 0.7},
    {"weight_decay": 0.05}, {"loss_scale_factor": 128.0},
    {"use_ema": True}, {"use_ema": True, "ema_momentum": 0.5, "ema_overwrite_frequency": 2},
    {"gradient_accumulation_steps": 2},
], ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
@pytest.mark.parametrize("name", ["SGD", "Adam", "Nadam"])
def test_base_options_match_keras(name, kwargs, keras_oracle, runners, close, make):
    init, grads = make(seed=3, scale=3.0, steps=6)
    extra = {"momentum": 0.9} if name == "SGD" else {}
    ours = runners.layerkit(getattr(optimizers, name)(**extra, **kwargs), init, grads)
    theirs = runners.keras(keras_oracle,
                           getattr(keras_oracle.optimizers, name)(**extra, **kwargs),
                           init, grads)
    close(ours, theirs)


@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adam", "Adamax", "Nadam", "Adagrad",
                                  "Adadelta", "AdamW", "Ftrl", "Lion"])
def test_schedule_learning_rate_matches_keras(name, keras_oracle, runners, problem, close):
    init, grads = problem
    ours = optimizers.schedules.ExponentialDecay(0.05, decay_steps=2, decay_rate=0.5)
    theirs = keras_oracle.optimizers.schedules.ExponentialDecay(0.05, decay_steps=2,
                                                                decay_rate=0.5)
    a = runners.layerkit(getattr(optimizers, name)(learning_rate=ours), init, grads)
    b = runners.keras(keras_oracle, getattr(keras_oracle.optimizers, name)(learning_rate=theirs),
                      init, grads)
    close(a, b)


@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adam", "Adamax", "Nadam", "Adagrad",
                                  "Adadelta", "AdamW", "Ftrl", "Lion"])
def test_variable_order_and_names_match_keras(name, keras_oracle, problem):
    init, _ = problem
    from layerkit import engine
    extra = {"momentum": 0.9} if name == "SGD" else {}
    ours = getattr(optimizers, name)(**extra)
    theirs = getattr(keras_oracle.optimizers, name)(**extra)
    ours.build([engine.Variable(x) for x in init])
    theirs.build([keras_oracle.Variable(x) for x in init])
    assert [tuple(v.shape) for v in ours.variables] == [tuple(v.shape) for v in theirs.variables]
    # Slot names end like Keras's ("..._momentum"); Keras leaves Nadam's u_product unnamed.
    for a, b in zip(ours.variables[2:], theirs.variables[2:]):
        if not b.name.startswith("variable"):
            assert a.name.endswith(b.name.rsplit("_", 1)[-1]), (a.name, b.name)
    for a, b in zip(ours.variables, theirs.variables):
        np.testing.assert_array_equal(a.numpy(), np.asarray(b.numpy()))


def test_none_gradient_matches_keras(keras_oracle, runners, problem, close):
    init, grads = problem
    grads = [[None if i == 1 else g for i, g in enumerate(step)] for step in grads]
    with pytest.warns(UserWarning):
        ours = runners.layerkit(optimizers.Adam(learning_rate=0.01), init, grads)
    theirs = runners.keras(keras_oracle, keras_oracle.optimizers.Adam(learning_rate=0.01),
                           init, grads)
    close(ours, theirs)
    np.testing.assert_array_equal(ours[1], init[1])


def test_scalar_variable_matches_keras(keras_oracle, runners, close, make):
    # A 0-d variable (e.g. a learned temperature) keeps its shape through the update.
    init, grads = make(seed=5, shapes=[(), (2,)])
    ours = runners.layerkit(optimizers.Adam(learning_rate=0.1), init, grads)
    theirs = runners.keras(keras_oracle, keras_oracle.optimizers.Adam(learning_rate=0.1),
                           init, grads)
    assert ours[0].shape == ()
    close(ours, theirs)
