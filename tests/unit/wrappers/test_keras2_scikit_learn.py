"""Keras 2's KerasClassifier / KerasRegressor (keras.wrappers.scikit_learn), in
scikit-learn's GridSearchCV and cross_val_score, on both engines."""
import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score  # noqa: E402

import layerkit  # noqa: E402
from layerkit import layers  # noqa: E402
from layerkit.wrappers.scikit_learn import KerasClassifier, KerasRegressor  # noqa: E402


def _blobs(n=60, seed=0):
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 3, size=n)
    centers = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.5]])
    x = (centers[y] + 0.3 * rng.randn(n, 2)).astype("float32")
    return x, y


def build_classifier(units=8, optimizer="adam"):
    layerkit.utils.set_random_seed(0)
    model = layerkit.Sequential([layers.Input((2,)), layers.Dense(units, activation="relu"),
                                 layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def test_classifier_learns_string_labels_and_scores_accuracy():
    x, y = _blobs()
    names = np.array(["cat", "dog", "emu"])[y]
    clf = KerasClassifier(build_fn=build_classifier, units=16, epochs=60, batch_size=16,
                          verbose=0)
    history = clf.fit(x, names)
    assert len(history.history["loss"]) == 60
    assert list(clf.classes_) == ["cat", "dog", "emu"] and clf.n_classes_ == 3
    pred = clf.predict(x)
    assert pred.dtype == names.dtype and set(pred) <= set(names)
    assert np.mean(pred == names) > 0.9
    proba = clf.predict_proba(x)
    assert proba.shape == (60, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    score = clf.score(x, names)
    assert score == pytest.approx(np.mean(pred == names), abs=1e-6)
    # A test fold without the last class still one-hot encodes to three columns.
    partial = y != 2
    assert clf.score(x[partial], names[partial]) == pytest.approx(
        np.mean(pred[partial] == names[partial]), abs=1e-6)


def test_one_sigmoid_unit_gives_two_probability_columns():
    def build():
        model = layerkit.Sequential([layers.Input((2,)), layers.Dense(1, activation="sigmoid")])
        model.compile("adam", "binary_crossentropy", metrics=["acc"])
        return model
    x, y = _blobs()
    y = (y == 0).astype(int)
    clf = KerasClassifier(build, epochs=5, verbose=0)
    clf.fit(x, y)
    proba = clf.predict_proba(x)
    assert proba.shape == (60, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert clf.predict(x).shape == (60, 1)
    assert 0.0 <= clf.score(x, y) <= 1.0


def test_sk_params_are_checked_and_exposed():
    with pytest.raises(ValueError, match="'nb_units' is not a legal parameter"):
        KerasClassifier(build_fn=build_classifier, nb_units=3)
    clf = KerasClassifier(build_fn=build_classifier, units=4, epochs=2)
    assert clf.get_params() == {"build_fn": build_classifier, "units": 4, "epochs": 2}
    clf.set_params(units=6, batch_size=8)
    assert clf.sk_params == {"units": 6, "epochs": 2, "batch_size": 8}
    with pytest.raises(ValueError, match="not a legal parameter"):
        clf.set_params(colour="red")
    assert "KerasClassifier" in repr(clf)


def test_score_without_accuracy_says_what_to_compile():
    def build():
        model = layerkit.Sequential([layers.Input((2,)), layers.Dense(3, activation="softmax")])
        model.compile("sgd", "sparse_categorical_crossentropy")
        return model
    x, y = _blobs()
    clf = KerasClassifier(build, epochs=1, verbose=0)
    clf.fit(x, y)
    with pytest.raises(ValueError, match="metrics=\\['accuracy'\\]"):
        clf.score(x, y)


def test_grid_search_varies_sk_params():
    x, y = _blobs(48)
    clf = KerasClassifier(build_fn=build_classifier, epochs=3, batch_size=16, verbose=0)
    # Each fit compiles a new model: the grid is kept small.
    grid = GridSearchCV(clf, {"units": [1, 8]}, cv=2, refit=False)
    grid.fit(x, y)
    assert set(grid.best_params_) == {"units"}
    scores = grid.cv_results_["mean_test_score"]
    assert len(scores) == 2 and np.all((scores >= 0) & (scores <= 1))
    assert clf.sk_params == {"epochs": 3, "batch_size": 16, "verbose": 0}


class _Builder:
    """build_fn may be an object with __call__; its arguments are taken from sk_params."""

    def __call__(self, hidden=4):
        model = layerkit.Sequential([layers.Input((2,)), layers.Dense(hidden, activation="tanh"),
                                     layers.Dense(1)])
        model.compile("adam", "mse")
        return model


def test_regressor_in_cross_val_score_scores_minus_the_loss():
    rng = np.random.RandomState(1)
    x = rng.randn(40, 2).astype("float32")
    y = (x @ np.array([1.5, -2.0]) + 0.5).astype("float32")
    reg = KerasRegressor(build_fn=_Builder(), hidden=8, epochs=2, batch_size=10, verbose=0)
    scores = cross_val_score(reg, x, y, cv=KFold(2))
    assert scores.shape == (2,) and np.all(scores < 0)
    reg.fit(x, y)
    assert reg.predict(x).shape == (40,)
    loss = reg.model.evaluate(x, y, verbose=0)
    assert reg.score(x, y) == pytest.approx(-loss, rel=1e-5)


def test_predict_before_fit_is_a_clear_error():
    with pytest.raises(RuntimeError, match="call fit"):
        KerasRegressor(build_fn=_Builder()).predict(np.ones((2, 2)))


def test_keras2_import_path(keras_alias):
    from keras.wrappers.scikit_learn import KerasClassifier as K2Classifier
    assert K2Classifier is KerasClassifier
