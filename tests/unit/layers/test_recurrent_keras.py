"""SimpleRNN, LSTM, GRU, RNN(cell) and StackedRNNCells against the real Keras 3: outputs
and gradients (inputs, initial states, weights) with masks, go_backwards, return_state,
initial_state, reset_after, stateful calls; weight paths and configs."""
import re
import pathlib
import sys

import numpy as np
import pytest

from layerkit import layers

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from keras_compare import compare_config  # noqa: E402
from rnn_compare import assert_matches_keras, share_weights, to_np  # noqa: E402

RNG = np.random.default_rng(7)
X = RNG.normal(size=(4, 6, 3)).astype("float32")
# Right-padded rows (the packed fused path on torch), a left-padded row and a row with a
# hole (the loop), and a fully unmasked row.
RIGHT = np.array([[1] * 6, [1] * 4 + [0] * 2, [1] * 2 + [0] * 4, [1] * 5 + [0]], bool)
MIXED = np.array([[1] * 6, [0, 0, 1, 1, 1, 1], [1, 0, 1, 1, 0, 1], [1] * 5 + [0]], bool)

LAYERS = [("SimpleRNN", {}), ("LSTM", {}), ("LSTM", {"unit_forget_bias": False}),
          ("GRU", {}), ("GRU", {"reset_after": False})]


def _pair(keras, name, kwargs):
    kwargs = dict(kwargs, name="rnn_under_test")
    return getattr(layers, name)(5, **kwargs), getattr(keras.layers, name)(5, **kwargs)


@pytest.mark.parametrize("name,kwargs", LAYERS)
@pytest.mark.parametrize("options", [{}, {"go_backwards": True, "return_sequences": True},
                                     {"return_state": True, "use_bias": False}])
def test_outputs_and_gradients(keras_oracle, name, kwargs, options):
    ours, theirs = _pair(keras_oracle, name, dict(kwargs, **options))
    assert_matches_keras(ours, theirs, X)
    compare_config(ours, theirs)


@pytest.mark.parametrize("name,kwargs", LAYERS)
@pytest.mark.parametrize("mask,options", [
    (RIGHT, {"return_sequences": True, "return_state": True}),
    (MIXED, {"return_sequences": True, "go_backwards": True}),
    (RIGHT, {"return_sequences": True, "zero_output_for_mask": True}),
    (MIXED, {"return_state": True, "zero_output_for_mask": True})],
    ids=["right_padded", "mixed_backwards", "right_zero_output", "mixed_zero_output"])
def test_masks(keras_oracle, name, kwargs, mask, options):
    ours, theirs = _pair(keras_oracle, name, dict(kwargs, **options))
    assert_matches_keras(ours, theirs, X, mask=mask)


@pytest.mark.parametrize("name,kwargs", LAYERS)
def test_initial_state_and_its_gradient(keras_oracle, name, kwargs):
    ours, theirs = _pair(keras_oracle, name, dict(kwargs, return_sequences=True,
                                                  return_state=True))
    n = 2 if name == "LSTM" else 1
    states = [RNG.normal(size=(4, 5)).astype("float32") for _ in range(n)]
    assert_matches_keras(ours, theirs, X, mask=MIXED, initial_state=states)


def test_rnn_of_cells_and_stacked_cells(keras_oracle):
    k = keras_oracle.layers
    for make in (lambda m: m.RNN(m.SimpleRNNCell(4), return_sequences=True),
                 lambda m: m.RNN([m.LSTMCell(4), m.GRUCell(3), m.SimpleRNNCell(2)],
                                 return_state=True),
                 lambda m: m.RNN(m.StackedRNNCells([m.GRUCell(3, reset_after=False),
                                                    m.LSTMCell(2)]), go_backwards=True)):
        assert_matches_keras(make(layers), make(k), X, mask=MIXED)
    ours = layers.RNN([layers.LSTMCell(4), layers.GRUCell(3)])
    theirs = k.RNN([k.LSTMCell(4), k.GRUCell(3)])
    ours.build(X.shape), theirs.build(X.shape)
    # Cell names without the counter suffix: other tests in the process move each
    # framework's counters differently.
    def names(layer):
        return [[re.sub(r"_\d+$", "", part) for part in v.path.split("/")[-2:]]
                for v in layer.weights]
    assert names(ours) == names(theirs)


def test_stateful_calls_carry_the_state(keras_oracle):
    ours, theirs = _pair(keras_oracle, "LSTM", {"stateful": True, "return_sequences": True})
    share_weights(ours, theirs, X.shape)
    for _ in range(2):   # the second call starts from the first one's final state
        np.testing.assert_allclose(to_np(ours(X)), np.asarray(theirs(X)), atol=1e-5)
    for ours_state, their_state in zip(ours.states, theirs.states):
        np.testing.assert_allclose(to_np(ours_state), np.asarray(their_state), atol=1e-5)
    assert ours.count_params() == theirs.count_params()   # states are not weights
    assert len(ours.weights) == 3
    ours.reset_states(), theirs.reset_states()
    np.testing.assert_allclose(to_np(ours(X)), np.asarray(theirs(X)), atol=1e-5)
    ours.reset_states([np.ones((4, 5), "float32"), np.zeros((4, 5), "float32")])
    np.testing.assert_array_equal(to_np(ours.states[0]), np.ones((4, 5)))


def test_weight_paths_and_configs_match_keras(keras_oracle):
    for name, kwargs in LAYERS + [("LSTM", {"dropout": 0.2, "recurrent_dropout": 0.1,
                                            "seed": 3, "kernel_regularizer": "l2",
                                            "recurrent_constraint": "non_neg"})]:
        ours, theirs = _pair(keras_oracle, name, kwargs)
        share_weights(ours, theirs, (None, 6, 3))
        compare_config(ours, theirs)
        revived = type(ours).from_config(ours.get_config())
        assert revived.get_config() == ours.get_config()
    cell, their_cell = layers.GRUCell(3, reset_after=False), \
        keras_oracle.layers.GRUCell(3, reset_after=False)
    compare_config(cell, their_cell)
    ours = layers.RNN(layers.LSTMCell(2), unroll=True)
    theirs = keras_oracle.layers.RNN(keras_oracle.layers.LSTMCell(2), unroll=True)
    assert set(ours.get_config()) == set(theirs.get_config())
    compare_config(ours.cell, theirs.cell)
    revived = layers.RNN.from_config(ours.get_config())
    assert isinstance(revived.cell, layers.LSTMCell) and revived.unroll


def test_unit_forget_bias_and_orthogonal_recurrent_kernel():
    layer = layers.LSTM(4, bias_initializer="zeros")
    layer.build((None, 3, 2))
    bias = to_np(layer.cell.bias)
    np.testing.assert_array_equal(bias, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])
    # Orthogonal recurrent kernel (4, 16): its rows are orthonormal.
    rk = to_np(layer.cell.recurrent_kernel)
    np.testing.assert_allclose(rk @ rk.T, np.eye(4), atol=1e-5)
