"""Bad input: clear errors that name what was expected and received, and leave the model as it was."""
import numpy as np
import pytest

from layerkit.layers import Dense
from layerkit.models import Sequential


def _model():
    model = Sequential([Dense(4, input_dim=20, name="hidden"), Dense(10, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def _unchanged(model, before):
    return all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_input_shape_mismatch_names_the_input():
    model = _model()
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"expected shape \(None, 20\).*\(8, 12\)"):
        model.fit(np.zeros((8, 12)), np.zeros((8, 10)), verbose=0)
    assert _unchanged(model, before)


def test_target_that_does_not_fit_the_loss():
    model = _model()
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"(?i)categorical_crossentropy|shape"):
        model.fit(np.zeros((8, 20)), np.zeros((8, 1)), verbose=0)
    assert _unchanged(model, before)


def test_x_and_y_of_different_lengths():
    model = _model()
    with pytest.raises(ValueError, match=r"Data cardinality is ambiguous[\s\S]*'x' sizes: 8[\s\S]*'y' sizes: 7"):
        model.fit(np.zeros((8, 20)), np.zeros((7, 10)), verbose=0)


@pytest.mark.parametrize("kind,kwargs,pattern", [
    ("optimizer", dict(optimizer="adamm", loss="mse"), "adamm"),
    ("loss", dict(optimizer="sgd", loss="mean_sqare_error"), "mean_sqare_error"),
])
def test_unknown_names_in_compile(kind, kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        _model().compile(**kwargs)


def test_unknown_metric_name():
    model = Sequential([Dense(1, input_dim=2)])
    with pytest.raises(ValueError, match="acuracy"):
        model.compile("sgd", "mse", metrics=["acuracy"])


def test_unknown_activation_and_initializer():
    with pytest.raises(ValueError, match="relux"):
        Dense(3, activation="relux")
    with pytest.raises(ValueError, match="glorot_unifrom"):
        Sequential([Dense(3, input_dim=2, kernel_initializer="glorot_unifrom")])


def test_non_numeric_array():
    model = _model()
    with pytest.raises(TypeError, match=r'Input ".+" of model ".+" received an array of dtype <U'):
        model.fit(np.array([["a"] * 20] * 4), np.zeros((4, 10)), verbose=0)


def test_nan_in_the_data():
    model = _model()
    before = model.get_weights()
    x = np.zeros((8, 20))
    x[3, 5] = np.nan
    with pytest.raises(ValueError, match=r"`x` contains NaN at index \(3, 5\)"):
        model.fit(x, np.zeros((8, 10)), verbose=0)
    assert _unchanged(model, before)


def test_fit_before_compile():
    model = Sequential([Dense(1, input_dim=2)])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.zeros((4, 2)), np.zeros((4, 1)), verbose=0)


def test_bad_batch_size_and_unknown_keyword():
    model = _model()
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(np.zeros((4, 20)), np.zeros((4, 10)), batch_size=0, verbose=0)
    with pytest.raises(TypeError, match="epochz"):
        model.fit(np.zeros((4, 20)), np.zeros((4, 10)), epochz=3, verbose=0)
