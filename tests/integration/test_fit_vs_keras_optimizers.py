"""Whole-program oracle, optimizers: the seed MLP (Dropout at rate 0, since the random
streams differ) trained by `fit` for 3 epochs on unshuffled data gives the same
per-epoch loss and accuracy as real Keras 3 (JAX backend) to 1e-4 relative, and the
same final weights, on either layerkit engine."""
import pytest

from keras_fit_harness import (assert_histories_match, assert_weights_match,
                               classification_data, fit_both, seed_mlp)

EPOCHS = 3
BATCH = 48      # 256 samples: five full batches and a partial one of 16


def _compile_with(name, **kwargs):
    def compile_kwargs(lib):
        optimizer = getattr(lib.optimizers, name)(**kwargs)
        return {"optimizer": optimizer, "loss": "categorical_crossentropy",
                "metrics": ["accuracy"]}
    return compile_kwargs


OPTIMIZERS = {
    "sgd_nesterov": ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    "sgd_momentum": ("SGD", {"learning_rate": 0.05, "momentum": 0.9}),
    "sgd": ("SGD", {"learning_rate": 0.1}),
    "adam": ("Adam", {"learning_rate": 0.01}),
    "adam_amsgrad": ("Adam", {"learning_rate": 0.01, "amsgrad": True}),
    "adamw": ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.05}),
    "rmsprop": ("RMSprop", {"learning_rate": 0.01}),
    "rmsprop_centered_momentum": ("RMSprop", {"learning_rate": 0.005, "momentum": 0.5,
                                              "centered": True}),
    "adagrad": ("Adagrad", {"learning_rate": 0.1}),
    "adadelta": ("Adadelta", {"learning_rate": 1.0}),
    "adamax": ("Adamax", {"learning_rate": 0.01}),
    # With the default epsilon, a weight whose gradient is ~0 moves by +-lr with the sign
    # of float32 rounding noise (m/sqrt(v) of two tiny numbers), and Nadam's products,
    # rounded in another order than Keras's, flip it: a larger epsilon keeps the
    # comparison about the update rule (it matches to 1e-7 then).
    "nadam": ("Nadam", {"learning_rate": 0.01, "epsilon": 1e-3}),
    "lion": ("Lion", {"learning_rate": 0.001}),
    "ftrl": ("Ftrl", {"learning_rate": 0.1, "l1_regularization_strength": 0.001,
                      "l2_regularization_strength": 0.01}),
}

# Settings of the Optimizer base class every optimizer shares.
BASE_SETTINGS = {
    "weight_decay_on_adam": ("Adam", {"learning_rate": 0.01, "weight_decay": 0.05}),
    "clipnorm": ("SGD", {"learning_rate": 0.5, "clipnorm": 0.1}),
    "clipvalue": ("SGD", {"learning_rate": 0.5, "clipvalue": 0.01}),
    "global_clipnorm": ("SGD", {"learning_rate": 0.5, "global_clipnorm": 0.1}),
    "ema": ("Adam", {"learning_rate": 0.01, "use_ema": True, "ema_momentum": 0.9}),
    "ema_overwrite": ("Adam", {"learning_rate": 0.01, "use_ema": True, "ema_momentum": 0.9,
                               "ema_overwrite_frequency": 4}),
    "gradient_accumulation": ("SGD", {"learning_rate": 0.1, "momentum": 0.9,
                                      "gradient_accumulation_steps": 2}),
}


@pytest.fixture(scope="module")
def data():
    x, y, _ = classification_data()
    return x, y


def _run(keras, data, name, kwargs):
    x, y = data
    ours, theirs, (model, keras_model) = fit_both(
        keras, seed_mlp, _compile_with(name, **kwargs), x, y, epochs=EPOCHS, batch_size=BATCH)
    assert sorted(ours) == ["accuracy", "loss"]
    assert len(ours["loss"]) == EPOCHS
    assert_histories_match(ours, theirs)
    # The same history could come from a wrong update of a weight the loss hardly sees;
    # the weights themselves must agree too (with EMA: the averages fit leaves behind).
    assert_weights_match(model, keras_model)
    return ours


@pytest.mark.parametrize("case", sorted(OPTIMIZERS))
def test_seed_mlp_fit_matches_keras(keras_oracle, data, case):
    name, kwargs = OPTIMIZERS[case]
    history = _run(keras_oracle, data, name, kwargs)
    # The program learns something in 3 epochs, so the comparison is not of two flat lines.
    assert history["loss"][-1] < history["loss"][0]


@pytest.mark.parametrize("case", sorted(BASE_SETTINGS))
def test_optimizer_base_settings_match_keras(keras_oracle, data, case):
    name, kwargs = BASE_SETTINGS[case]
    _run(keras_oracle, data, name, kwargs)


def _schedule(kind):
    def make(lib):
        s = lib.optimizers.schedules
        return {
            "exponential": lambda: s.ExponentialDecay(0.1, decay_steps=3, decay_rate=0.5,
                                                      staircase=True),
            "piecewise": lambda: s.PiecewiseConstantDecay([5, 10], [0.1, 0.05, 0.01]),
            "polynomial": lambda: s.PolynomialDecay(0.1, decay_steps=12, end_learning_rate=0.01,
                                                    power=2.0),
            "cosine_warmup": lambda: s.CosineDecay(0.02, decay_steps=10, warmup_target=0.05,
                                                   warmup_steps=5),
        }[kind]()
    return make


@pytest.mark.parametrize("kind", ["exponential", "piecewise", "polynomial", "cosine_warmup"])
def test_learning_rate_schedules_match_keras(keras_oracle, data, kind):
    schedule = _schedule(kind)
    x, y = data

    def compile_kwargs(lib):
        return {"optimizer": lib.optimizers.SGD(schedule(lib), momentum=0.9),
                "loss": "categorical_crossentropy", "metrics": ["accuracy"]}
    ours, theirs, models = fit_both(keras_oracle, seed_mlp, compile_kwargs, x, y,
                                    epochs=EPOCHS, batch_size=BATCH)
    assert_histories_match(ours, theirs)
    assert_weights_match(*models)
