"""Keras 3's SKLearnClassifier / SKLearnRegressor / SKLearnTransformer, checked
against real Keras 3's wrappers where the result is deterministic (labels, shapes,
attributes, errors) and in a scikit-learn Pipeline and cross_val_score."""
import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import layerkit  # noqa: E402
from layerkit.wrappers import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer  # noqa: E402


def _data(n=40, seed=0):
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 2, size=n)
    x = (np.where(y[:, None] == 1, 1.5, -1.5) + 0.4 * rng.randn(n, 3)).astype("float32")
    return x, np.array(["no", "yes"])[y]


def make_mlp(keras):
    def build(X, y, loss="categorical_crossentropy", hidden=8):
        model = keras.Sequential([keras.Input((X.shape[1],)),
                                  keras.layers.Dense(hidden, activation="relu"),
                                  keras.layers.Dense(y.shape[1], activation="softmax")])
        model.compile(optimizer=keras.optimizers.Adam(0.05), loss=loss,
                      metrics=["accuracy"])
        return model
    return build


@pytest.mark.parametrize("which", ["layerkit", "keras"])
def test_classifier_behaves_as_keras3s(which, keras_oracle):
    api = layerkit if which == "layerkit" else keras_oracle
    cls = SKLearnClassifier if which == "layerkit" else keras_oracle.wrappers.SKLearnClassifier
    x, y = _data()
    est = cls(make_mlp(api), model_kwargs={"hidden": 16}, fit_kwargs={"epochs": 40,
                                                                        "verbose": 0})
    assert est.fit(x, y) is est
    assert list(est.classes_) == ["no", "yes"]
    pred = est.predict(x)
    assert pred.shape == (40,) and set(pred) <= {"no", "yes"}
    assert est.score(x, y) > 0.9
    assert est.decision_function(x).shape == (40, 2)
    assert len(est.history_.history["loss"]) == 40
    assert est.get_params()["model_kwargs"] == {"hidden": 16}
    with pytest.raises(ValueError, match="(?i)continuous|binary and multiclass"):
        est.fit(x, np.linspace(0, 1, 40))
    with pytest.raises(ValueError, match="(?i)one class|only one"):
        est.fit(x, np.array(["a"] * 40))


@pytest.mark.parametrize("which", ["layerkit", "keras"])
def test_regressor_and_transformer_shapes_match_keras3(which, keras_oracle):
    api = layerkit if which == "layerkit" else keras_oracle
    wrappers = (SKLearnRegressor, SKLearnTransformer) if which == "layerkit" else (
        keras_oracle.wrappers.SKLearnRegressor, keras_oracle.wrappers.SKLearnTransformer)
    x, _ = _data()
    y = x.sum(axis=1)

    def build(X, y, units=1):
        model = api.Sequential([api.Input((3,)), api.layers.Dense(units)])
        model.compile("sgd", "mse")
        return model
    reg = wrappers[0](build, fit_kwargs={"epochs": 2, "verbose": 0}).fit(x, y)
    assert reg.predict(x).shape == (40,)
    assert reg.predict(x).dtype == np.float32
    assert np.isfinite(reg.score(x, y))
    with pytest.raises(ValueError, match="1d array"):
        wrappers[0](build, fit_kwargs={"verbose": 0}).fit(x, np.stack([y, -y], axis=1))
    tr = wrappers[1](build, fit_kwargs={"verbose": 0}).fit(x, y)
    assert tr.transform(x).shape == (40, 1)  # the model's output, not squeezed
    with pytest.raises(Exception, match="(?i)not fitted"):
        wrappers[0](build).predict(x)


def test_a_compiled_model_is_cloned_unless_warm_start():
    model = layerkit.Sequential([layerkit.Input((3,)), layerkit.layers.Dense(1)])
    model.compile("sgd", "mse")
    before = [w.copy() for w in model.get_weights()]
    x, _ = _data()
    y = x.sum(axis=1)
    reg = SKLearnRegressor(model, fit_kwargs={"epochs": 2, "verbose": 0}).fit(x, y)
    assert reg.model_ is not model
    for w, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, b)  # the given model is left as it was
    warm = SKLearnRegressor(model, warm_start=True, fit_kwargs={"verbose": 0}).fit(x, y)
    assert warm.model_ is model
    first = [w.copy() for w in model.get_weights()]
    warm.fit(x, y)
    assert warm.model_ is model and not np.allclose(model.get_weights()[0], first[0])


def test_uncompiled_model_is_refused():
    def build(X, y):
        return layerkit.Sequential([layerkit.Input((3,)), layerkit.layers.Dense(1)])
    x, _ = _data()
    with pytest.raises(RuntimeError, match="compiled"):
        SKLearnRegressor(build).fit(x, x.sum(axis=1))


def test_in_a_pipeline_and_cross_val_score():
    x, y = _data(48)
    pipe = make_pipeline(StandardScaler(), SKLearnClassifier(
        make_mlp(layerkit), fit_kwargs={"epochs": 20, "verbose": 0}))
    scores = cross_val_score(pipe, x, y, cv=2)
    assert scores.shape == (2,) and np.all(scores > 0.8)
    copy = clone(pipe.steps[-1][1])
    assert copy.get_params()["model"] is pipe.steps[-1][1].model


def test_keras_path(keras_alias):
    from keras.wrappers import SKLearnClassifier as C
    assert C is SKLearnClassifier
