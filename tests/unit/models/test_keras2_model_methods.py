"""Keras 2's Sequential.predict_classes / predict_proba, train_on_batch and
test_on_batch return values (checked against real Keras 3, which kept them), and the
Keras 1 keywords of the generator methods."""
import numpy as np
import pytest

import layerkit
from layerkit import layers


def _softmax_model():
    model = layerkit.Sequential([layers.Input((4,)), layers.Dense(3, activation="softmax")])
    model.layers[0].kernel.assign(np.arange(12, dtype="float32").reshape(4, 3) / 10 - 0.5)
    return model


def test_predict_classes_is_the_argmax():
    model = _softmax_model()
    x = np.random.RandomState(0).randn(40, 4).astype("float32")
    proba = model.predict(x, verbose=0)
    classes = model.predict_classes(x)
    np.testing.assert_array_equal(classes, proba.argmax(axis=-1))
    assert classes.shape == (40,)
    assert len(set(classes.tolist())) > 1


def test_predict_classes_thresholds_one_sigmoid_unit():
    model = layerkit.Sequential([layers.Input((2,)), layers.Dense(1, activation="sigmoid")])
    model.layers[0].kernel.assign(np.array([[1.0], [-1.0]], "float32"))
    x = np.array([[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]], "float32")
    classes = model.predict_classes(x)
    assert classes.dtype == np.int32 and classes.shape == (3, 1)
    np.testing.assert_array_equal(classes[:, 0], [1, 0, 0])  # sigmoid(0) = 0.5 is not > 0.5


def test_predict_proba_warns_outside_zero_one():
    model = _softmax_model()
    x = np.ones((5, 4), "float32")
    np.testing.assert_allclose(model.predict_proba(x), model.predict(x, verbose=0))
    linear = layerkit.Sequential([layers.Input((2,)), layers.Dense(1)])
    linear.layers[0].kernel.assign(np.array([[3.0], [3.0]], "float32"))
    with pytest.warns(UserWarning, match="outside"):
        linear.predict_proba(np.ones((2, 2), "float32"))


def _twin_models(keras):
    init = np.random.RandomState(1).randn(4, 3).astype("float32") * 0.3
    lk = layerkit.Sequential([layers.Input((4,)), layers.Dense(3, activation="softmax")])
    kr = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    for m in (lk, kr):
        m.layers[0].kernel.assign(init)
        m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["acc"])
    return lk, kr


def test_train_and_test_on_batch_return_what_keras_returns(keras_oracle):
    lk, kr = _twin_models(keras_oracle)
    rng = np.random.RandomState(2)
    x, y = rng.randn(16, 4).astype("float32"), rng.randint(0, 3, size=16)
    for _ in range(3):
        got, want = lk.train_on_batch(x, y), kr.train_on_batch(x, y)
        assert isinstance(got, list) and len(got) == len(want) == 2
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(lk.test_on_batch(x, y), kr.test_on_batch(x, y), rtol=1e-5)
    got = lk.test_on_batch(x, y, return_dict=True)
    want = kr.test_on_batch(x, y, return_dict=True)
    assert set(got) == {"loss", "acc"} and set(want) >= {"loss"}
    np.testing.assert_allclose(got["loss"], want["loss"], rtol=1e-5)


def test_train_on_batch_without_metrics_is_a_scalar():
    model = layerkit.Sequential([layers.Input((3,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    out = model.train_on_batch(np.ones((4, 3)), np.zeros((4, 1)))
    assert isinstance(out, float)
    assert model.test_on_batch(np.ones((4, 3)), np.zeros((4, 1))) < out


def _gen():
    while True:
        yield np.ones((4, 3), "float32"), np.zeros((4, 1), "float32")


def test_generator_methods_take_keras1_keywords_with_a_warning():
    model = layerkit.Sequential([layers.Input((3,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    with pytest.warns(UserWarning, match="samples_per_epoch"):
        history = model.fit_generator(_gen(), samples_per_epoch=2, nb_epoch=2, verbose=0,
                                      nb_worker=1, pickle_safe=False, max_q_size=5)
    assert history.epoch == [0, 1]
    with pytest.warns(UserWarning, match="max_q_size"):
        assert np.isfinite(model.evaluate_generator(_gen(), steps=2, max_q_size=3))
    with pytest.raises(TypeError, match="no_such_argument"):
        model.predict_generator(_gen(), steps=1, no_such_argument=1)
