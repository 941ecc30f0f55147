"""Whole-program oracle, fit's features: sample and class weights, validation, a
multi-input/multi-output model with loss weights, regression, weighted metrics. Each
program runs on layerkit and on real Keras 3 (JAX backend) from the same weights on
unshuffled data; the per-epoch history (every key, val_ keys included, named as
Keras names them) and the final weights agree to 1e-4 relative."""
import numpy as np
import pytest

from keras_fit_harness import (assert_histories_match, assert_weights_match,
                               classification_data, fit_both, regression_data, seed_mlp)

EPOCHS = 3
BATCH = 48      # 256 samples: five full batches and a partial one of 16


@pytest.fixture(scope="module")
def data():
    x, y, labels = classification_data()
    weights = np.random.default_rng(3).uniform(0.2, 2.0, len(x)).astype("float32")
    return x, y, labels, weights


def _classifier(loss="categorical_crossentropy", metrics=("accuracy",), **extra):
    def compile_kwargs(lib):
        return {"optimizer": lib.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                "loss": loss, "metrics": list(metrics), **extra}
    return compile_kwargs


def _check(keras, build, compile_kwargs, x, y, keys, **fit_kwargs):
    ours, theirs, models = fit_both(keras, build, compile_kwargs, x, y, epochs=EPOCHS,
                                    batch_size=BATCH, **fit_kwargs)
    assert sorted(ours) == sorted(keys)
    assert_histories_match(ours, theirs)
    assert_weights_match(*models)
    return ours, theirs, models


def test_sample_weight(keras_oracle, data):
    x, y, _, sw = data
    _check(keras_oracle, seed_mlp, _classifier(), x, y, ["loss", "accuracy"],
           sample_weight=sw)


def test_class_weight(keras_oracle, data):
    x, y, _, _ = data
    class_weight = {k: 0.5 + 0.2 * k for k in range(10)}
    _check(keras_oracle, seed_mlp, _classifier(), x, y, ["loss", "accuracy"],
           class_weight=class_weight)


def test_class_weight_with_integer_labels(keras_oracle, data):
    x, _, labels, _ = data
    class_weight = {k: 2.0 if k % 3 == 0 else 0.5 for k in range(10)}
    _check(keras_oracle, seed_mlp,
           _classifier("sparse_categorical_crossentropy",
                       ("accuracy", "sparse_top_k_categorical_accuracy")),
           x, labels, ["loss", "accuracy", "sparse_top_k_categorical_accuracy"],
           class_weight=class_weight)


def test_validation_split_takes_the_last_samples(keras_oracle, data):
    x, y, _, sw = data
    ours, _, _ = _check(keras_oracle, seed_mlp, _classifier(), x, y,
                        ["loss", "accuracy", "val_loss", "val_accuracy"],
                        validation_split=0.25, sample_weight=sw)
    assert ours["val_loss"][0] != pytest.approx(ours["loss"][0], rel=1e-3)


def test_validation_data_with_sample_weights(keras_oracle, data):
    x, y, _, sw = data
    _check(keras_oracle, seed_mlp, _classifier(), x[:192], y[:192],
           ["loss", "accuracy", "val_loss", "val_accuracy"],
           validation_data=(x[192:], y[192:], sw[192:]))


def test_seed_binary_mlp(keras_oracle, data):
    x, _, labels, _ = data
    y = (labels % 2).astype("float32")[:, None]

    def build(lib):
        L = lib.layers
        return lib.Sequential([lib.Input((20,)), L.Dense(64, activation="relu"),
                               L.Dropout(0.0), L.Dense(64, activation="relu"), L.Dropout(0.0),
                               L.Dense(1, activation="sigmoid")])

    def compile_kwargs(lib):
        return {"optimizer": "rmsprop", "loss": "binary_crossentropy",
                "metrics": ["accuracy", lib.metrics.Precision(), lib.metrics.Recall()]}
    _check(keras_oracle, build, compile_kwargs, x, y,
           ["loss", "accuracy", "precision", "recall"])


def test_loss_and_metric_objects_on_logits(keras_oracle, data):
    x, y, _, _ = data

    def build(lib):
        return lib.Sequential([lib.Input((20,)), lib.layers.Dense(32, activation="relu"),
                               lib.layers.Dense(10)])

    def compile_kwargs(lib):
        loss = lib.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)
        metrics = [lib.metrics.CategoricalAccuracy(), lib.metrics.TopKCategoricalAccuracy(k=3),
                   lib.metrics.AUC(from_logits=True)]
        return {"optimizer": lib.optimizers.Adam(0.01), "loss": loss, "metrics": metrics}
    _check(keras_oracle, build, compile_kwargs, x, y,
           ["loss", "categorical_accuracy", "top_k_categorical_accuracy", "auc"])


def test_weighted_metrics_and_repeated_names(keras_oracle, data):
    x, y, _, sw = data
    compile_kwargs = _classifier(metrics=("accuracy", "accuracy", "mse"),
                                 weighted_metrics=["accuracy", "categorical_crossentropy"])
    keys = ["loss", "accuracy", "accuracy_1", "mse", "weighted_accuracy",
            "categorical_crossentropy"]
    _check(keras_oracle, seed_mlp, compile_kwargs, x, y,
           keys + [f"val_{k}" for k in keys], sample_weight=sw, validation_split=0.2)


def _regressor(lib):
    return lib.Sequential([lib.Input((20,)), lib.layers.Dense(16, activation="tanh"),
                           lib.layers.Dense(1)])


def test_regression_mse_mae(keras_oracle):
    x, y = regression_data()

    def compile_kwargs(lib):
        return {"optimizer": lib.optimizers.Adam(0.01), "loss": "mse", "metrics": ["mae"]}
    ours, _, (model, keras_model) = _check(
        keras_oracle, _regressor, compile_kwargs, x, y, ["loss", "mae", "val_loss", "val_mae"],
        validation_split=0.2)
    assert ours["loss"][-1] < ours["loss"][0]
    got = model.evaluate(x, y, batch_size=BATCH, verbose=0, return_dict=True)
    want = keras_model.evaluate(x, y, batch_size=BATCH, verbose=0, return_dict=True)
    assert sorted(got) == sorted(want)
    for key in want:
        assert got[key] == pytest.approx(want[key], rel=1e-4)
    np.testing.assert_allclose(model.predict(x, verbose=0), keras_model.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-5)


def _two_in_two_out(lib):
    L = lib.layers
    a = lib.Input((20,), name="a")
    b = lib.Input((5,), name="b")
    h = L.Dense(16, activation="relu", name="h")(L.Concatenate(name="cat")([a, b]))
    return lib.Model([a, b], [L.Dense(10, activation="softmax", name="cls")(h),
                              L.Dense(1, name="reg")(h)])


@pytest.fixture(scope="module")
def two_inputs(data):
    x, y, _, _ = data
    xb = np.random.default_rng(5).random((len(x), 5)).astype("float32")
    y_reg = (x[:, :1] * 2.0 - xb[:, 1:2]).astype("float32")
    return x, xb, y, y_reg


MIMO_KEYS = ["loss", "cls_loss", "reg_loss", "cls_accuracy", "reg_mae"]


def test_multi_input_output_with_dict_loss_weights(keras_oracle, two_inputs):
    x, xb, y, y_reg = two_inputs

    def compile_kwargs(lib):
        return {"optimizer": lib.optimizers.Adam(0.01),
                "loss": {"cls": "categorical_crossentropy", "reg": "mse"},
                "loss_weights": {"cls": 1.0, "reg": 0.5},
                "metrics": {"cls": ["accuracy"], "reg": ["mae"]}}
    ours, _, _ = _check(keras_oracle, _two_in_two_out, compile_kwargs, [x, xb],
                        {"cls": y, "reg": y_reg}, MIMO_KEYS + [f"val_{k}" for k in MIMO_KEYS],
                        validation_split=0.25)
    # The total is the weighted sum of the per-output losses.
    np.testing.assert_allclose(ours["loss"][0], ours["cls_loss"][0] + 0.5 * ours["reg_loss"][0],
                               rtol=1e-4)


def test_multi_input_output_with_lists_and_weighted_metrics(keras_oracle, two_inputs, data):
    x, xb, y, y_reg = two_inputs
    sw = data[3]

    def compile_kwargs(lib):
        return {"optimizer": lib.optimizers.RMSprop(0.005),
                "loss": ["categorical_crossentropy", "mae"], "loss_weights": [0.3, 2.0],
                "metrics": [["accuracy"], ["mae"]],
                "weighted_metrics": [["accuracy"], ["mse"]]}
    _check(keras_oracle, _two_in_two_out, compile_kwargs, [x, xb], [y, y_reg],
           MIMO_KEYS + ["cls_weighted_accuracy", "reg_mse"], sample_weight=[sw, sw])
