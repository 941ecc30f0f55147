"""Keras 2's fit() keyword spellings (training/legacy_keywords.py)."""
import numpy as np
import pytest

from layerkit.layers import Dense
from layerkit.models import Sequential


def _model():
    model = Sequential([Dense(2, input_dim=3)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_nb_epoch_is_epochs_with_a_warning():
    x, y = np.ones((8, 3), "float32"), np.zeros((8, 2), "float32")
    with pytest.warns(UserWarning, match="nb_epoch"):
        history = _model().fit(x, y, nb_epoch=3, batch_size=4, verbose=0)
    assert history.epoch == [0, 1, 2]


def test_an_unknown_fit_keyword_is_named():
    x, y = np.ones((8, 3), "float32"), np.zeros((8, 2), "float32")
    with pytest.raises(TypeError, match=r"fit: unrecognized keyword argument\(s\) \['nb_epochs'\]"):
        _model().fit(x, y, nb_epochs=3, verbose=0)
