"""A small classifier trained under mixed_bfloat16 and mixed_float16 reaches the
accuracy float32 reaches; a model with a policy saves and loads with it."""
import numpy as np
import pytest

import layerkit
from layerkit import layers, mixed_precision, ops
from layerkit.optimizers import Adam, LossScaleOptimizer


def _blobs(n=480, seed=5):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-3, 3, (3, 8))
    labels = rng.integers(0, 3, n)
    x = (centers[labels] + rng.standard_normal((n, 8)) * 1.3).astype("float32")
    return x, labels.astype("int32")


def _classifier(policy):
    mixed_precision.set_global_policy(policy)
    try:
        model = layerkit.Sequential([
            layers.Input((8,)), layers.Dense(32, activation="relu"),
            layers.Dense(16, activation="relu"), layers.Dense(3),
            # Keras's advice: the last softmax in float32.
            layers.Activation("softmax", dtype="float32")])
    finally:
        mixed_precision.set_global_policy("float32")
    return model


def _train(policy, weights, x, y):
    model = _classifier(policy)
    model.set_weights(weights)
    model.compile(Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x[:360], y[:360], batch_size=32, epochs=8, shuffle=False, verbose=0)
    loss, acc = model.evaluate(x[360:], y[360:], verbose=0)
    return model, history, acc


def test_mixed_precision_trains_to_the_float32_accuracy_band():
    x, y = _blobs()
    weights = _classifier("float32").get_weights()
    _, h32, acc32 = _train("float32", weights, x, y)
    assert acc32 >= 0.85
    for policy, compute in (("mixed_bfloat16", "bfloat16"), ("mixed_float16", "float16")):
        model, history, acc = _train(policy, weights, x, y)
        assert model.layers[0].compute_dtype == compute
        assert {v.dtype for v in model.weights} == {"float32"}
        assert isinstance(model.optimizer, LossScaleOptimizer) == (policy == "mixed_float16")
        assert abs(acc - acc32) <= 0.05, (policy, acc, acc32)
        assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
        np.testing.assert_allclose(history.history["loss"], h32.history["loss"], rtol=0.1,
                                   atol=0.02)
        preds = model.predict(x[:5], verbose=0)
        assert preds.dtype == np.float32
    # No step overflowed at these sizes: the float16 model never skipped one.
    assert int(model.optimizer.iterations.numpy()) == 8 * 12


@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_a_model_saved_with_a_policy_loads_with_it(ext, tmp_path):
    x, y = _blobs(64)
    model = _classifier("mixed_float16")
    model.compile(Adam(0.01), "sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    path = str(tmp_path / f"mixed.{ext}")
    model.save(path)
    loaded = layerkit.saving.load_model(path)
    assert [l.dtype_policy.name for l in loaded.layers] == \
        ["mixed_float16", "mixed_float16", "mixed_float16", "float32"]
    assert ops.dtype(loaded.layers[0](x[:2])) == "float16"
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert isinstance(loaded.optimizer, LossScaleOptimizer)


def test_keras_loads_a_layerkit_file_with_its_policies(tmp_path, keras_oracle):
    x, _ = _blobs(16)
    model = _classifier("mixed_bfloat16")
    path = str(tmp_path / "mixed.keras")
    model.save(path)
    theirs = keras_oracle.saving.load_model(path)
    assert [l.dtype_policy.name for l in theirs.layers] == \
        ["mixed_bfloat16", "mixed_bfloat16", "mixed_bfloat16", "float32"]
    np.testing.assert_allclose(np.asarray(theirs.predict(x, verbose=0)),
                               model.predict(x, verbose=0), rtol=2e-2, atol=2e-2)


def test_a_keras_file_with_policies_loads_as_keras_loads_it(tmp_path, keras_oracle):
    k = keras_oracle
    k.config.set_dtype_policy("mixed_float16")
    theirs = k.Sequential([k.Input((4,)), k.layers.Dense(3, activation="relu"),
                           k.layers.Dense(2), k.layers.Activation("softmax", dtype="float32")])
    k.config.set_dtype_policy("float32")
    path = str(tmp_path / "keras_mixed.keras")
    theirs.save(path)
    ours = layerkit.saving.load_model(path)
    assert [l.dtype_policy.name for l in ours.layers] == \
        [l.dtype_policy.name for l in theirs.layers] == \
        ["mixed_float16", "mixed_float16", "float32"]
    x = np.random.rand(3, 4).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0),
                               np.asarray(theirs.predict(x, verbose=0)), rtol=1e-3, atol=1e-3)
