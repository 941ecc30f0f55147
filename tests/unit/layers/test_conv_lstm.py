"""ConvLSTM1D/2D/3D and ConvLSTMCell: against the real Keras 3 (outputs, states and the
gradients with respect to inputs, initial states and weights; weight paths; configs),
the layer contract, dropout as Keras computes it, stateful calls, and bad input."""
import pathlib
import sys

import numpy as np
import pytest

import layerkit
from layerkit import layers

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from keras_compare import compare_config  # noqa: E402
from layer_contract import run_layer_contract  # noqa: E402
from rnn_compare import assert_matches_keras, share_weights, to_np  # noqa: E402

RNG = np.random.default_rng(11)
SHAPES = {1: (3, 5, 7, 2), 2: (3, 4, 6, 5, 2), 3: (2, 3, 4, 5, 3, 2)}
# Right-padded rows, a row with a hole, a fully unmasked row.
MASKS = {3: np.array([[1, 1, 1, 1], [1, 0, 1, 0], [1, 1, 0, 0]], bool),
         2: np.array([[1, 0, 1], [1, 1, 0]], bool)}


def _x(rank, channels_first=False):
    x = RNG.normal(size=SHAPES[rank]).astype("float32")
    return np.moveaxis(x, -1, 2) if channels_first else x


def _pair(keras, rank, kwargs):
    name = f"ConvLSTM{rank}D"
    kwargs = dict({"filters": 3, "kernel_size": 2}, name="conv_lstm_under_test", **kwargs)
    return getattr(layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)


CASES = [
    (1, {}),
    (1, {"padding": "same", "return_sequences": True, "go_backwards": True}),
    (1, {"strides": 2, "return_state": True, "unit_forget_bias": False}),
    (2, {}),
    (2, {"padding": "same", "return_sequences": True, "return_state": True}),
    (2, {"dilation_rate": 2, "padding": "same", "use_bias": False, "kernel_size": (2, 3)}),
    (2, {"data_format": "channels_first", "return_sequences": True, "strides": (2, 1)}),
    (2, {"activation": "relu", "recurrent_activation": "hard_sigmoid", "go_backwards": True}),
    (3, {"return_sequences": True}),
    (3, {"data_format": "channels_first", "padding": "same", "return_state": True}),
]


@pytest.mark.parametrize("rank,kwargs", CASES)
def test_outputs_and_gradients_match_keras(keras_oracle, rank, kwargs):
    ours, theirs = _pair(keras_oracle, rank, kwargs)
    x = _x(rank, kwargs.get("data_format") == "channels_first")
    assert_matches_keras(ours, theirs, x, atol=5e-5)
    compare_config(ours, theirs)
    batchless = (None,) + x.shape[1:]
    assert _shapes(ours.compute_output_shape(batchless)) == \
        _shapes(theirs.compute_output_shape(batchless))


def _shapes(shape):
    """A shape or a list of shapes, as a list of tuples."""
    return [tuple(s) for s in shape] if isinstance(shape[0], (list, tuple)) else [tuple(shape)]


def _keras_masked_loop(cell, x, mask, go_backwards=False, zero_output_for_mask=False):
    """Keras's cell stepped by hand with Keras's mask rule (a masked step keeps the
    states and shows the previous output, or zeros): Keras 3's own ConvLSTM fails on
    masks under JAX (its scan broadcasts a (batch, 1) mask against 4-D states)."""
    import jax.numpy as jnp
    states = [np.asarray(s) for s in cell.get_initial_state(x.shape[0])]
    outputs = []
    order = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    for t in order:
        h, new = cell(jnp.asarray(x[:, t]), [jnp.asarray(s) for s in states])
        keep = mask[:, t].reshape((-1,) + (1,) * (x.ndim - 2))
        previous = np.zeros_like(h) if zero_output_for_mask else states[0]
        outputs.append(np.where(keep, np.asarray(h), previous))
        states = [np.where(keep, np.asarray(n), s) for n, s in zip(new, states)]
    return np.stack(outputs, 1), states


@pytest.mark.parametrize("rank", [2, 3])
@pytest.mark.parametrize("options", [{}, {"go_backwards": True},
                                     {"zero_output_for_mask": True}])
def test_masks_follow_keras_cell_and_mask_rule(keras_oracle, rank, options):
    ours, theirs = _pair(keras_oracle, rank, dict(options, padding="same",
                                                  return_sequences=True, return_state=True))
    x = _x(rank)
    mask = MASKS[x.shape[0]]
    share_weights(ours, theirs, x.shape)
    expected, (h, c) = _keras_masked_loop(theirs.cell, x, mask, **options)
    got = [to_np(o) for o in ours(x, mask=mask)]
    for a, b in zip(got, [expected, h, c]):
        np.testing.assert_allclose(a, b, atol=5e-5, rtol=1e-4)
    assert ours.compute_mask(x, mask)[0] is mask


@pytest.mark.parametrize("rank", [1, 2])
def test_initial_state_and_its_gradient(keras_oracle, rank):
    ours, theirs = _pair(keras_oracle, rank, {"return_sequences": True,
                                              "return_state": True, "padding": "same"})
    x = _x(rank)
    state_shape = (x.shape[0],) + x.shape[2:-1] + (3,)
    states = [RNG.normal(size=state_shape).astype("float32") for _ in range(2)]
    assert_matches_keras(ours, theirs, x, initial_state=states, atol=5e-5)
    # Keras 2's form: the states as extra inputs.
    np.testing.assert_allclose(to_np(ours([x] + states)[0]),
                               to_np(ours(x, initial_state=states)[0]), atol=1e-6)


def test_stateful_calls_carry_the_state(keras_oracle):
    ours, theirs = _pair(keras_oracle, 2, {"stateful": True, "padding": "same"})
    x = _x(2)
    share_weights(ours, theirs, x.shape)
    for _ in range(2):   # the second call starts from the first one's final state
        np.testing.assert_allclose(to_np(ours(x)), np.asarray(theirs(x)), atol=5e-5)
    for mine, their in zip(ours.states, theirs.states):
        np.testing.assert_allclose(to_np(mine), np.asarray(their), atol=5e-5)
    assert ours.count_params() == theirs.count_params() and len(ours.weights) == 3
    ours.reset_states(), theirs.reset_states()
    np.testing.assert_allclose(to_np(ours(x)), np.asarray(theirs(x)), atol=5e-5)


def test_dropout_matches_keras_given_the_same_masks(keras_oracle):
    """Keras 3 draws four input masks and four recurrent masks (one per gate), the same
    at every step; ours convolves the four masked copies as one grouped convolution."""
    import jax.numpy as jnp
    rate = {"dropout": 0.4, "recurrent_dropout": 0.3, "padding": "same", "seed": 1,
            "return_sequences": True}
    ours, theirs = _pair(keras_oracle, 2, rate)
    x = _x(2)
    share_weights(ours, theirs, x.shape)
    step_shape, state_shape = x.shape[:1] + x.shape[2:], x.shape[:1] + x.shape[2:-1] + (3,)
    dp = [(RNG.random(step_shape) > 0.4).astype("float32") / 0.6 for _ in range(4)]
    rec = [(RNG.random(state_shape) > 0.3).astype("float32") / 0.7 for _ in range(4)]

    def fixed(step_inputs, state, training):
        ours.cell._dropout_masks = ([layerkit.ops.convert_to_tensor(m) for m in dp],
                                    [layerkit.ops.convert_to_tensor(m) for m in rec])
    ours.cell.prepare_dropout = fixed
    got = to_np(ours(x, training=True))
    cell = theirs.cell
    cell._dropout_mask = [jnp.asarray(m) for m in dp]
    cell._recurrent_dropout_mask = [jnp.asarray(m) for m in rec]
    states = cell.get_initial_state(x.shape[0])
    expected = []
    for t in range(x.shape[1]):
        h, states = cell(jnp.asarray(x[:, t]), states, training=True)
        expected.append(np.asarray(h))
    np.testing.assert_allclose(got, np.stack(expected, 1), atol=5e-5, rtol=1e-4)
    # Inference ignores dropout; training with the real draws differs from it.
    fresh, _ = _pair(keras_oracle, 2, rate)
    share_weights(fresh, theirs, x.shape)
    inference = to_np(fresh(x))
    np.testing.assert_allclose(inference, np.asarray(theirs(x)), atol=5e-5)
    assert not np.allclose(to_np(fresh(x, training=True)), inference)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_layer_contract(rank):
    x = _x(rank)[:2, :3]
    filters = 2
    spatial = tuple(s - 1 for s in x.shape[2:-1])
    run_layer_contract(getattr(layers, f"ConvLSTM{rank}D"), {"filters": filters, "kernel_size": 2,
                             "return_sequences": True, "recurrent_dropout": 0.1,
                             "kernel_regularizer": "l2"},
                       input_data=x, expected_output_shape=x.shape[:2] + spatial + (filters,),
                       expected_num_trainable_weights=3, expected_num_non_trainable_weights=0,
                       expected_weight_names=["kernel", "recurrent_kernel", "bias"],
                       supports_masking=True)


def test_cells_and_weight_shapes(keras_oracle):
    from keras.src.layers.rnn.conv_lstm import ConvLSTMCell as KerasCell
    ours = layers.ConvLSTMCell(rank=2, filters=3, kernel_size=(2, 3), padding="same")
    theirs = KerasCell(rank=2, filters=3, kernel_size=(2, 3), padding="same")
    ours.build((None, 5, 6, 4)), theirs.build((None, 5, 6, 4))
    assert [tuple(v.shape) for v in ours.weights] == [tuple(v.shape) for v in theirs.weights]
    assert [tuple(v.shape) for v in ours.weights] == [(2, 3, 4, 12), (2, 3, 3, 12), (12,)]
    config = ours.get_config()
    assert config.pop("rank") == 2   # Keras's cell config lacks it and cannot rebuild
    assert set(config) == set(theirs.get_config())
    assert layers.ConvLSTMCell.from_config(ours.get_config()).get_config() == ours.get_config()
    cell2 = layers.ConvLSTM2DCell(3, 2)   # Keras 2's 2-D cell
    assert cell2.rank == 2 and "rank" not in cell2.get_config()
    assert type(layers.ConvLSTM2DCell.from_config(cell2.get_config())) is layers.ConvLSTM2DCell
    bias = layers.ConvLSTM1D(2, 3)
    bias.build((None, 4, 6, 1))
    np.testing.assert_array_equal(to_np(bias.cell.bias), [0, 0, 1, 1, 0, 0, 0, 0])


def test_rnn_of_a_conv_lstm_cell_runs_the_cell_step_by_step():
    layer = layers.ConvLSTM2D(3, 2, padding="same", return_sequences=True)
    x = _x(2)
    expected = to_np(layer(x))
    cell = layer.cell
    states = cell.get_initial_state(x.shape[0])
    outs = []
    for t in range(x.shape[1]):
        h, states = cell(x[:, t], states)
        outs.append(to_np(h))
    np.testing.assert_allclose(expected, np.stack(outs, 1), atol=1e-5)


def test_bad_input_names_the_layer():
    with pytest.raises(ValueError, match=r'ConvLSTM2D "c".*rank 5.*received.*\(2, 3, 4, 2\)'):
        layers.ConvLSTM2D(2, 2, name="c")(np.zeros((2, 3, 4, 2), "float32"))
    with pytest.raises(ValueError, match=r"kernel.*spans 5 cells.*padding='valid'"):
        layers.ConvLSTM1D(2, 5)(np.zeros((2, 3, 4, 2), "float32"))
    with pytest.raises(ValueError, match=r"strides > 1 cannot be combined with dilation"):
        layers.ConvLSTM2D(2, 2, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match=r"`padding` must be one of.*causal"):
        layers.ConvLSTM1D(2, 2, padding="causal")
    with pytest.raises(ValueError, match=r"`data_format`.*channels_middle"):
        layers.ConvLSTM3D(2, 2, data_format="channels_middle")
    with pytest.raises(ValueError, match=r"`filters` must be a positive integer"):
        layers.ConvLSTM2D(0, 2)
    with pytest.raises(ValueError, match=r"`dropout` must be a float in \[0, 1\]"):
        layers.ConvLSTM2D(2, 2, dropout=1.5)
    with pytest.raises(ValueError, match=r"initial state 0 must have shape \(2, 3, 4, 2\)"):
        layers.ConvLSTM2D(2, 2, padding="same")(
            np.zeros((2, 5, 3, 4, 1), "float32"),
            initial_state=[np.zeros((2, 3, 3, 2), "float32")] * 2)


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_model_trains_and_files_round_trip_with_keras(tmp_path, keras_oracle, suffix):
    def model(k):
        inputs = k.Input((3, 6, 6, 1))
        x = k.layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True)(inputs)
        x = k.layers.ConvLSTM2D(2, 3, data_format="channels_last")(x)
        return k.Model(inputs, k.layers.Dense(1)(k.layers.Flatten()(x)))

    x = RNG.random((4, 3, 6, 6, 1)).astype("float32")
    y = RNG.random((4, 1)).astype("float32")
    ours = model(layerkit)
    ours.compile(optimizer="adam", loss="mse")
    history = ours.fit(x, y, epochs=2, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]
    ours.save(tmp_path / f"ours{suffix}")
    # Keras 3 cannot compile its .h5 files whose loss is a string (see
    # tests/unit/saving/test_keras_oracle_files.py), so those load uncompiled.
    theirs = keras_oracle.models.load_model(tmp_path / f"ours{suffix}",
                                            compile=suffix == ".keras")
    np.testing.assert_allclose(np.asarray(theirs.predict(x, verbose=0)),
                               ours.predict(x, verbose=0), rtol=1e-4, atol=1e-5)
    back = layerkit.models.load_model(tmp_path / f"ours{suffix}")
    np.testing.assert_allclose(back.predict(x, verbose=0), ours.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    keras_model = model(keras_oracle)
    keras_model.save(tmp_path / f"theirs{suffix}")
    loaded = layerkit.models.load_model(tmp_path / f"theirs{suffix}")
    np.testing.assert_allclose(loaded.predict(x, verbose=0),
                               np.asarray(keras_model.predict(x, verbose=0)),
                               rtol=1e-4, atol=1e-5)
    assert [type(layer).__name__ for layer in loaded.layers][1:3] == ["ConvLSTM2D"] * 2


def test_bidirectional_and_time_distributed_match_keras(keras_oracle):
    def model(k):
        inputs = k.Input((3, 5, 5, 2))
        x = k.layers.Bidirectional(k.layers.ConvLSTM2D(2, 3, padding="same",
                                                       return_sequences=True))(inputs)
        return k.Model(inputs, k.layers.TimeDistributed(k.layers.Conv2D(1, 1))(x))

    ours, theirs = model(layerkit), model(keras_oracle)
    assert [v.path for v in ours.weights] == [v.path for v in theirs.weights]
    theirs.set_weights(ours.get_weights())
    x = RNG.normal(size=(2, 3, 5, 5, 2)).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               atol=5e-5, rtol=1e-4)


def test_keras2_h5_model_loads_and_predicts_as_tf_keras():
    """tests/fixtures/make_conv_lstm_fixture.py: two ConvLSTM2D (recurrent dropout,
    strides, go_backwards) trained and saved by tf_keras (Keras 2)."""
    fixtures = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "tf_keras"
    data = np.load(fixtures / "conv_lstm.npz")
    model = layerkit.models.load_model(fixtures / "conv_lstm.h5")
    first, second = model.layers[0], model.layers[1]
    assert type(first) is layers.ConvLSTM2D and first.recurrent_dropout == 0.1
    assert second.go_backwards and second.strides == (1, 2)
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["predict"],
                               atol=1e-5, rtol=1e-5)
