"""Recurrent layers on the current engine: the layer contract, the engine kernels against
the generic cell loop, dropout, unroll and time_major, Functional seq2seq with symbolic
initial states, masks from Embedding, stateful training, and bad input."""
import pathlib
import sys

import numpy as np
import pytest

import layerkit
from layerkit import layers

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from layer_contract import run_layer_contract  # noqa: E402
from rnn_compare import our_outputs_and_grads, to_np  # noqa: E402

RNG = np.random.default_rng(11)
X = RNG.normal(size=(3, 7, 4)).astype("float32")
MASKS = {
    "right_padded": np.array([[1] * 7, [1] * 3 + [0] * 4, [1] * 6 + [0]], bool),
    "mixed": np.array([[0, 1, 1, 1, 1, 1, 1], [1, 1, 0, 1, 1, 0, 0], [1] * 7], bool),
}


@pytest.mark.parametrize("cls,kwargs,names,out_shape", [
    (layers.SimpleRNN, {"units": 3}, ["kernel", "recurrent_kernel", "bias"], (2, 3)),
    (layers.LSTM, {"units": 3, "return_sequences": True},
     ["kernel", "recurrent_kernel", "bias"], (2, 5, 3)),
    (layers.GRU, {"units": 3, "go_backwards": True, "reset_after": False},
     ["kernel", "recurrent_kernel", "bias"], (2, 3)),
    (layers.LSTM, {"units": 2, "use_bias": False, "zero_output_for_mask": True},
     ["kernel", "recurrent_kernel"], (2, 2)),
])
def test_layer_contract(cls, kwargs, names, out_shape):
    run_layer_contract(cls, kwargs, input_shape=(2, 5, 4), expected_output_shape=out_shape,
                       expected_num_trainable_weights=len(names),
                       expected_num_non_trainable_weights=0, expected_weight_names=names,
                       symbolic_shape=(None, None, 4), supports_masking=True)


def test_layer_contract_rnn_of_stacked_cells():
    run_layer_contract(layers.RNN, {"cell": layers.StackedRNNCells(
        [layers.GRUCell(3), layers.SimpleRNNCell(2)]), "return_sequences": True},
        input_shape=(2, 5, 4), expected_output_shape=(2, 5, 2),
        expected_num_trainable_weights=6, symbolic_shape=(None, None, 4))


def _grads(layer, x, mask=None, state=None):
    out = layer(x) if mask is None else layer(x, mask=mask)
    shapes = [np.shape(to_np(o)) for o in (out if isinstance(out, list) else [out])]
    cot = [np.random.default_rng(0).uniform(-1, 1, s).astype("float32") for s in shapes]
    return our_outputs_and_grads(layer, x, cot, mask, state)


@pytest.mark.parametrize("cls,kwargs", [(layers.LSTM, {}), (layers.GRU, {}),
                                        (layers.GRU, {"reset_after": False}),
                                        (layers.SimpleRNN, {})])
@pytest.mark.parametrize("mask", [None, "right_padded", "mixed"])
@pytest.mark.parametrize("options", [
    {"return_sequences": True, "return_state": True},
    {"go_backwards": True, "return_sequences": True},
    {"return_state": True, "zero_output_for_mask": True, "unroll": True}])
def test_engine_kernel_equals_the_generic_cell_loop(cls, kwargs, mask, options):
    """The engine's lstm/gru hook (torch: the fused kernel where it applies; JAX: the
    input projection hoisted out of the scan) and SimpleRNN's hoisted projection give
    the outputs and gradients of the cell run step by step in the generic loop."""
    mask = None if mask is None else MASKS[mask]
    fused = cls(4, **kwargs, **options)
    loop = cls(4, **kwargs, **options)
    fused.build(X.shape), loop.build(X.shape)
    loop.set_weights(fused.get_weights())
    loop._engine_loop = lambda *a: None   # forces the generic loop
    state = [RNG.normal(size=(3, 4)).astype("float32")] * (2 if cls is layers.LSTM else 1)
    a, b = _grads(fused, X, mask, state), _grads(loop, X, mask, state)
    for mine, ref in zip(a[0] + [a[1]] + a[2] + a[3], b[0] + [b[1]] + b[2] + b[3]):
        np.testing.assert_allclose(mine, ref, atol=2e-5, rtol=1e-4)


@pytest.mark.parametrize("cls,kwargs", [
    (layers.SimpleRNN, {"dropout": 0.3, "recurrent_dropout": 0.4}),
    (layers.LSTM, {"dropout": 0.3}), (layers.GRU, {"dropout": 0.3})])
def test_dropout_masks_in_the_engine_loop_are_the_cells(cls, kwargs):
    """Training outputs through the engine loop (the projection outside the loop) equal
    the cell's step by step: one input mask and one state mask per call, every step."""
    fast = cls(4, seed=5, return_sequences=True, **kwargs)
    loop = cls(4, seed=5, return_sequences=True, **kwargs)
    fast.build(X.shape), loop.build(X.shape)
    loop.set_weights(fast.get_weights())
    loop._engine_loop = lambda *a: None
    got, want = to_np(fast(X, training=True)), to_np(loop(X, training=True))
    np.testing.assert_allclose(got, want, atol=2e-5, rtol=1e-4)
    assert not np.allclose(got, to_np(fast(X, training=False)))


def test_dropout_is_training_only_and_recurrent_dropout_runs():
    layer = layers.LSTM(5, dropout=0.5, recurrent_dropout=0.3, seed=1, return_sequences=True)
    eval_out = to_np(layer(X, training=False))
    np.testing.assert_array_equal(eval_out, to_np(layer(X)))
    train_a, train_b = to_np(layer(X, training=True)), to_np(layer(X, training=True))
    assert not np.allclose(train_a, eval_out) and not np.allclose(train_a, train_b)
    gru = layers.GRU(3, dropout=0.4)
    assert to_np(gru(X, training=True)).shape == (3, 3)
    model = layerkit.Sequential([layerkit.Input((7, 4)), layers.SimpleRNN(
        3, dropout=0.2, recurrent_dropout=0.2), layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(X, np.ones((3, 1)), epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))


def test_unroll_and_time_major_give_the_same_numbers():
    base = layers.GRU(3, return_sequences=True)
    unrolled = layers.GRU(3, return_sequences=True, unroll=True)
    major = layers.GRU(3, return_sequences=True, time_major=True)
    for layer in (base, unrolled, major):
        layer.build(X.shape if layer is not major else (7, 3, 4))
    unrolled.set_weights(base.get_weights()), major.set_weights(base.get_weights())
    want = to_np(base(X, mask=MASKS["mixed"]))
    np.testing.assert_allclose(to_np(unrolled(X, mask=MASKS["mixed"])), want, atol=1e-6)
    got = to_np(major(np.swapaxes(X, 0, 1), mask=MASKS["mixed"].T))
    np.testing.assert_allclose(np.swapaxes(got, 0, 1), want, atol=1e-6)
    assert major.compute_output_shape((7, None, 4)) == (7, None, 3)
    assert major.get_config()["time_major"] is True
    assert "time_major" not in base.get_config()


def test_seq2seq_with_symbolic_initial_states_and_embedding_masks():
    enc_in = layerkit.Input((None,), dtype="int32")
    embedded = layers.Embedding(12, 4, mask_zero=True)(enc_in)
    _, h, c = layers.LSTM(6, return_state=True, name="encoder")(embedded)
    dec_in = layerkit.Input((None, 3))
    seq = layers.LSTM(6, return_sequences=True, name="decoder")(dec_in, initial_state=[h, c])
    model = layerkit.Model([enc_in, dec_in], layers.Dense(2)(seq))
    assert seq.shape == (None, None, 6)
    ids = RNG.integers(1, 12, size=(4, 5))
    ids[:, 3:] = 0
    x_dec = RNG.normal(size=(4, 6, 3)).astype("float32")
    model.compile("adam", "mse")
    history = model.fit([ids, x_dec], np.zeros((4, 6, 2)), epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    # The padded ids change nothing: the encoder's masked steps keep its states.
    ids2 = ids.copy()
    ids2[:, 3:] = 0
    longer = np.concatenate([ids2, np.zeros((4, 3), ids.dtype)], axis=1)
    np.testing.assert_allclose(model.predict([ids, x_dec], verbose=0),
                               model.predict([longer, x_dec], verbose=0), atol=1e-5)
    # The output mask of return_sequences is passed on; without sequences it is dropped.
    enc = model.get_layer("encoder")
    mask = to_np(layers.Embedding(12, 4, mask_zero=True).compute_mask(ids))
    assert enc.compute_mask(None, mask)[0] is None
    assert layers.GRU(2, return_sequences=True).compute_mask(None, mask) is mask


def test_initial_state_as_extra_inputs_keras2_style():
    layer = layers.GRU(4)
    state = RNG.normal(size=(3, 4)).astype("float32")
    a = to_np(layer([X, state]))
    np.testing.assert_allclose(a, to_np(layer(X, initial_state=[state])), atol=1e-6)


def test_stateful_training_carries_states_across_batches():
    model = layerkit.Sequential([layers.LSTM(3, stateful=True, batch_input_shape=(2, 4, 2)),
                                 layers.Dense(1)])
    lstm = model.layers[0]
    assert model.count_params() == 4 * 3 * (2 + 3 + 1) + 4 and len(lstm.states) == 2
    model.compile("sgd", "mse")
    x = RNG.normal(size=(6, 4, 2)).astype("float32")
    model.fit(x, np.ones((6, 1)), batch_size=2, epochs=1, shuffle=False, verbose=0)
    assert np.abs(to_np(lstm.states[0])).sum() > 0
    first = model.predict(x[:2], batch_size=2, verbose=0)
    second = model.predict(x[:2], batch_size=2, verbose=0)
    assert not np.allclose(first, second)   # the second call starts from the first's state
    lstm.reset_states()
    assert np.all(to_np(lstm.states[1]) == 0)
    np.testing.assert_allclose(model.predict(x[:2], batch_size=2, verbose=0),
                               _fresh_prediction(model, x[:2]), atol=1e-5)


def _fresh_prediction(model, x):
    model.reset_states()   # Keras 2's Model.reset_states reaches the stateful layers
    return model.predict(x, batch_size=2, verbose=0)


def test_bad_input_names_the_layer():
    with pytest.raises(ValueError, match=r'LSTM "bad_rank".*rank 3.*\(4, 3\)'):
        layers.LSTM(2, name="bad_rank")(np.zeros((4, 3), "float32"))
    with pytest.raises(ValueError, match=r'GRU "bad_mask".*mask.*\(3, 7\).*\(3, 5\)'):
        layers.GRU(2, name="bad_mask")(X, mask=np.ones((3, 5), bool))
    with pytest.raises(ValueError, match=r'LSTM "bad_state".*2 initial state.*received 1'):
        layers.LSTM(2, name="bad_state")(X, initial_state=[np.zeros((3, 2), "float32")])
    with pytest.raises(ValueError, match=r"initial state 0 must have shape \(3, 2\)"):
        layers.SimpleRNN(2)(X, initial_state=[np.zeros((3, 5), "float32")])
    with pytest.raises(TypeError, match=r"Dense.*return_state"):
        layers.Dense(2, return_state=True)
    with pytest.raises(ValueError, match=r"stateful RNN needs a fixed batch size"):
        layers.LSTM(2, stateful=True)(layerkit.Input((5, 3)))
    with pytest.raises(ValueError, match=r"built for batches of 3 samples, received .* 2"):
        layer = layers.GRU(2, stateful=True)
        layer(X)
        layer(X[:2])
    with pytest.raises(ValueError, match=r'`units` must be a positive integer'):
        layers.LSTM(0)
    with pytest.raises(ValueError, match=r"`dropout` must be a float in \[0, 1\]"):
        layers.GRU(2, dropout=1.5)
    with pytest.raises(ValueError, match=r"use_cudnn=True needs"):
        layers.LSTM(2, activation="relu", use_cudnn=True)
    with pytest.raises(ValueError, match=r"cannot unroll"):
        layers.LSTM(2, unroll=True)(layerkit.Input((None, 3)))
    with pytest.raises(ValueError, match=r"the cell must have a `call`"):
        layers.RNN(object())
