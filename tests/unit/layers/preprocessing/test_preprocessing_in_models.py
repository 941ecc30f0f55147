"""Preprocessing layers inside models on the current engine: the layer contract for
the numeric ones, Normalization's statistics as weights (adapt on Datasets and
Sequences, set_weights and set_state seen by the compiled step), and host layers
on integer inputs and with steps_per_execution."""
import os
import sys

import numpy as np
import pytest

import layerkit
from layerkit import engine, layers
from layerkit.data import Dataset
from layerkit.utils import Sequence

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from layer_contract import run_layer_contract  # noqa: E402


def _np(x):
    return np.asarray(engine.convert_to_numpy(x))


CONTRACT = [
    (layers.CategoryEncoding, {"num_tokens": 5, "output_mode": "multi_hot"},
     np.array([[0, 1, 4], [2, 2, 3]], "int32"), (2, 5)),
    (layers.CategoryEncoding, {"num_tokens": 5, "output_mode": "one_hot"},
     np.array([[0], [4]], "int32"), (2, 5)),
    (layers.Discretization, {"bin_boundaries": [-0.5, 0.0, 0.5]},
     np.linspace(-1, 1, 8, dtype="float32").reshape(2, 4), (2, 4)),
    (layers.RandomFlip, {"seed": 1}, None, (2, 6, 6, 3)),
    (layers.RandomRotation, {"factor": 0.1, "seed": 1}, None, (2, 6, 6, 3)),
    (layers.RandomZoom, {"height_factor": 0.2, "seed": 1}, None, (2, 6, 6, 3)),
    (layers.RandomTranslation, {"height_factor": 0.1, "width_factor": 0.1, "seed": 1}, None,
     (2, 6, 6, 3)),
    (layers.RandomContrast, {"factor": 0.2, "seed": 1, "value_range": (-1, 1)}, None,
     (2, 6, 6, 3)),
    (layers.RandomBrightness, {"factor": 0.2, "seed": 1, "value_range": (-1, 1)}, None,
     (2, 6, 6, 3)),
    (layers.RandomCrop, {"height": 4, "width": 5, "seed": 1}, None, (2, 4, 5, 3)),
]


@pytest.mark.parametrize("cls,kwargs,data,out_shape", CONTRACT,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CONTRACT)])
def test_layer_contract(cls, kwargs, data, out_shape):
    # A random layer called eagerly without `training` augments (Keras 3's default),
    # so the contract's "predict equals an eager call" does not hold for it; its fit
    # is checked in test_random_and_string_layers.py.
    random = cls.__name__.startswith("Random")
    run_layer_contract(cls, kwargs, input_data=data,
                       input_shape=None if data is not None else (2, 6, 6, 3),
                       expected_output_shape=out_shape, expected_num_trainable_weights=0,
                       expected_num_non_trainable_weights=0, run_training_check=not random)


def test_normalization_adapts_on_dataset_and_sequence():
    data = np.random.default_rng(0).normal(2, 3, (300, 3)).astype("float32")
    reference = layers.Normalization()
    reference.adapt(data)
    want = _np(reference(data))
    from_dataset = layers.Normalization()
    from_dataset.adapt(Dataset.from_tensor_slices(data))     # unbatched: batched by 128
    np.testing.assert_allclose(_np(from_dataset(data)), want, atol=1e-5)

    class Batches(Sequence):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return data[i * 100:(i + 1) * 100], np.zeros(100)

    from_sequence = layers.Normalization()
    from_sequence.adapt(Batches())
    np.testing.assert_allclose(_np(from_sequence(data)), want, atol=1e-5)
    assert int(_np(from_sequence.count.value)) == 300


def test_normalization_statistics_follow_weights_in_compiled_steps():
    data = np.random.default_rng(1).normal(5, 2, (40, 3)).astype("float32")
    norm = layers.Normalization()
    norm.adapt(data)
    model = layerkit.Sequential([layerkit.Input((3,)), norm, layers.Dense(2)])
    model.compile("sgd", "mse")
    model.fit(data, np.zeros((40, 2), "float32"), epochs=1, batch_size=8, verbose=0)
    before = model.predict(data, verbose=0)
    # New statistics by set_weights reach the compiled predict step at once.
    norm.set_weights([np.zeros(3, "float32"), np.ones(3, "float32"), np.array(1)])
    expected = data @ _np(model.layers[-1].kernel.value) + _np(model.layers[-1].bias.value)
    np.testing.assert_allclose(model.predict(data, verbose=0), expected, rtol=1e-4, atol=1e-4)
    # set_state (what saving and resuming use) brings the adapted statistics back.
    norm.adapt(data)
    state = model.get_state()
    norm.set_weights([np.zeros(3, "float32"), np.ones(3, "float32"), np.array(1)])
    model.set_state(state)
    np.testing.assert_allclose(model.predict(data, verbose=0), before, rtol=1e-4, atol=1e-4)


def test_integer_lookup_and_hashing_on_int_inputs_in_fit():
    ids = np.array([[3], [7], [3], [11], [7], [3]] * 2, "int32")
    y = np.array([1, 0, 1, 0, 0, 1] * 2, "float32")
    lookup = layers.IntegerLookup(output_mode="one_hot")
    lookup.adapt(ids)
    a = layerkit.Input((1,), dtype="int32", name="a")
    b = layerkit.Input((1,), dtype="int32", name="b")
    hashed = layers.Hashing(5, output_mode="one_hot")(b)
    x = layers.Concatenate()([lookup(a), hashed])
    model = layerkit.Model([a, b], layers.Dense(1, activation="sigmoid")(x))
    model.compile("adam", "binary_crossentropy", steps_per_execution=2)
    history = model.fit([ids, ids], y, batch_size=3, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    pred = model.predict([ids, ids], batch_size=4, verbose=0)
    np.testing.assert_allclose(pred, _np(model([ids, ids])), atol=1e-5)
    logs = model.evaluate([ids, ids], y, batch_size=4, verbose=0, return_dict=True)
    assert np.isfinite(logs["loss"])


def test_string_input_feeding_two_layers_is_refused_clearly():
    inputs = layerkit.Input((1,), dtype="string")
    first = layers.StringLookup(vocabulary=["a"])(inputs)
    second = layers.StringLookup(vocabulary=["b"])(inputs)
    model = layerkit.Model(inputs, layers.Concatenate()([first, second]))
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="may feed exactly one host layer"):
        model.fit(np.array([["a"], ["b"]]), np.zeros((2, 2), "float32"), verbose=0)


HOST_CONTRACT = [
    (layers.Hashing, {"num_bins": 4}, np.array([[3, 1], [12, 7]]), (2, 2)),
    (layers.Hashing, {"num_bins": 4, "output_mode": "multi_hot"},
     np.array([["a", "b"], ["c", "a"]]), (2, 4)),
    (layers.IntegerLookup, {"vocabulary": [4, 7, 9]}, np.array([[4, 5], [9, 7]]), (2, 2)),
    (layers.StringLookup, {"vocabulary": ["x", "y"], "output_mode": "count"},
     np.array([["x", "x", "q"], ["y", "q", "q"]]), (2, 3)),
    (layers.TextVectorization, {"vocabulary": ["a", "b"], "output_sequence_length": 3},
     np.array([["a b c"], ["b"]]), (2, 3)),
]


@pytest.mark.parametrize("cls,kwargs,data,out_shape", HOST_CONTRACT,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(HOST_CONTRACT)])
def test_host_layer_contract(cls, kwargs, data, out_shape):
    """Config round trip, symbolic and eager shapes for the host layers. An int output
    is int64 as Keras declares it, stored as the engine's widest int (int32 on JAX
    without x64); the fit check is the model tests', as the output is not trainable."""
    symbolic_dtype = cls(**kwargs).output_dtype
    dtype = engine.core.default_int_dtype() if symbolic_dtype == "int64" else symbolic_dtype
    out = run_layer_contract(cls, kwargs, input_data=data, expected_output_shape=out_shape,
                             expected_num_trainable_weights=0, run_training_check=False,
                             expected_output_dtype=dtype)
    assert out.shape == out_shape
