"""One contract that every layer passes, on the current engine (the idea of Keras 3's
`run_layer_test`, written for layerkit).

    from layer_contract import run_layer_contract
    run_layer_contract(layers.Conv2D, {"filters": 4, "kernel_size": 3},
                       input_shape=(2, 9, 8, 3), expected_output_shape=(2, 7, 6, 4),
                       expected_weight_names=["kernel", "bias"])

It checks, each against the others rather than against stored numbers:
- config: get_config() is JSON-serializable; from_config(config) and
  deserialize_keras_object(serialize_keras_object(layer)) give a layer with the
  same config;
- build: build(input_shape) makes the expected trainable / non-trainable weights,
  named as expected, and count_params() is the sum of their sizes;
- shapes: a symbolic call (batch None, plus any `symbolic_shape` with more None
  dims) gives compute_output_shape's shape; an eager call gives the same shape with
  the batch filled in, and the expected dtype (and values, if given);
- masking: `supports_masking` where the caller states it;
- training: the layer inside a Functional model compiles and fits one batch (mse
  against a random target); the loss is finite and every trainable weight moved;
  afterwards predict() equals an eager call of the trained layer.

Test files add this folder to sys.path (pytest runs with --import-mode=importlib)
and import it by name.
"""
import json

import numpy as np

import layerkit
from layerkit import engine
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.saving import deserialize_keras_object, serialize_keras_object


def _jsonable(config):
    """The config as JSON text (tuples become lists), so two configs compare as
    they would after saving."""
    return json.dumps(config, sort_keys=True, default=repr)


def _to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


def _shape_matches(expected, actual):
    return len(expected) == len(actual) and all(
        e is None or e == a for e, a in zip(expected, actual))


def _make_input(input_shape, input_dtype, rng):
    if input_dtype.startswith("float"):
        return rng.uniform(-1, 1, size=input_shape).astype(input_dtype)
    return rng.integers(0, 5, size=input_shape).astype(input_dtype)


def check_config(layer_cls, init_kwargs):
    layer = layer_cls(**init_kwargs)
    config = layer.get_config()
    text = _jsonable(config)
    json.loads(text)
    revived = layer_cls.from_config(config)
    assert type(revived) is layer_cls
    assert _jsonable(revived.get_config()) == text, "from_config(get_config()) differs"
    revived = deserialize_keras_object(json.loads(json.dumps(serialize_keras_object(layer))))
    assert type(revived) is layer_cls
    assert _jsonable(revived.get_config()) == text, "serialization round trip differs"
    return config


def check_weights(layer, trainable, non_trainable, names):
    assert layer.built
    if trainable is not None:
        assert len(layer.trainable_weights) == trainable, \
            f"{len(layer.trainable_weights)} trainable weights, expected {trainable}"
    if non_trainable is not None:
        assert len(layer.non_trainable_weights) == non_trainable, \
            f"{len(layer.non_trainable_weights)} non-trainable weights, expected {non_trainable}"
    if names is not None:
        got = [v.path.split("/")[-1] for v in layer.weights]
        assert got == list(names), f"weights {got}, expected {list(names)}"
    sizes = sum(int(np.prod(v.shape)) for v in layer.weights)
    assert layer.count_params() == sizes


def run_layer_contract(layer_cls, init_kwargs, input_shape=None, input_data=None,
                       input_dtype="float32", call_kwargs=None, expected_output_shape=None,
                       expected_output_dtype=None, expected_output=None,
                       expected_num_trainable_weights=None,
                       expected_num_non_trainable_weights=None, expected_weight_names=None,
                       symbolic_shape=None, supports_masking=None, run_training_check=True,
                       atol=1e-5):
    """Runs the checks above; see the module docstring. Returns the eager output."""
    call_kwargs = dict(call_kwargs or {})
    rng = np.random.default_rng(0)
    if input_data is None:
        input_data = _make_input(tuple(input_shape), input_dtype, rng)
    input_shape = tuple(np.shape(input_data))
    input_dtype = str(np.asarray(input_data).dtype)

    check_config(layer_cls, init_kwargs)
    if supports_masking is not None:
        assert layer_cls(**init_kwargs).supports_masking == supports_masking

    # Build: the weights come from the shape alone.
    layer = layer_cls(**init_kwargs)
    layer.build(input_shape)
    check_weights(layer, expected_num_trainable_weights, expected_num_non_trainable_weights,
                  expected_weight_names)

    # Symbolic calls: the batch unknown, then every dimension the caller lists unknown.
    layer = layer_cls(**init_kwargs)
    symbolic_in = SymbolicTensor((None,) + input_shape[1:], input_dtype)
    symbolic_out = layer(symbolic_in, **call_kwargs)
    check_weights(layer, expected_num_trainable_weights, expected_num_non_trainable_weights,
                  expected_weight_names)
    assert isinstance(symbolic_out, SymbolicTensor)
    assert tuple(symbolic_out.shape) == tuple(layer.compute_output_shape(symbolic_in.shape))
    if expected_output_shape is not None:
        assert _shape_matches((None,) + tuple(expected_output_shape)[1:], symbolic_out.shape), \
            f"symbolic output {symbolic_out.shape}, expected {expected_output_shape}"
    if symbolic_shape is not None:
        loose = layer_cls(**init_kwargs)(SymbolicTensor(tuple(symbolic_shape), input_dtype),
                                         **call_kwargs)
        assert _shape_matches(loose.shape, symbolic_out.shape), \
            f"symbolic output {loose.shape} for input {symbolic_shape} does not fit " \
            f"{symbolic_out.shape}"

    # Eager call: same shape as the symbolic one, batch filled in.
    layer = layer_cls(**init_kwargs)
    output = layer(input_data, **call_kwargs)
    out_np = _to_np(output)
    assert _shape_matches(symbolic_out.shape, out_np.shape), \
        f"eager output {out_np.shape}, symbolic {symbolic_out.shape}"
    assert out_np.shape[0] == input_shape[0]
    if expected_output_shape is not None:
        assert out_np.shape == tuple(expected_output_shape), \
            f"eager output {out_np.shape}, expected {expected_output_shape}"
    dtype = expected_output_dtype or symbolic_out.dtype
    assert engine.standardize_dtype(output.dtype) == dtype, \
        f"eager output dtype {output.dtype}, expected {dtype}"
    if expected_output is not None:
        np.testing.assert_allclose(out_np, np.asarray(expected_output), atol=atol, rtol=1e-4)
    check_weights(layer, expected_num_trainable_weights, expected_num_non_trainable_weights,
                  expected_weight_names)

    if run_training_check and not call_kwargs:
        _check_training(layer, input_data, out_np, rng)
    return out_np


def _check_training(layer, x, y, rng):
    """Fits one batch through a Functional model, then predicts with it."""
    inputs = layerkit.Input(batch_shape=(None,) + tuple(np.shape(x))[1:],
                            dtype=str(np.asarray(x).dtype))
    model = layerkit.Model(inputs, layer(inputs))
    model.compile(optimizer="sgd", loss="mse")
    before = [np.array(w) for w in layer.get_weights()]
    target = rng.uniform(-1, 1, size=y.shape).astype("float32")
    history = model.fit(x, target, batch_size=len(x), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    for variable, old in zip(layer.weights, before):
        if variable.trainable and layer.trainable:
            assert not np.array_equal(_to_np(variable.value), old), \
                f"{variable.path} did not change in the training step"
    predicted = model.predict(x, batch_size=len(x), verbose=0)
    np.testing.assert_allclose(predicted, _to_np(layer(x)), atol=1e-5, rtol=1e-5)
