"""Core layers: Dense, Activation, Dropout, Lambda, Identity, ActivityRegularization,
Masking — numbers against numpy and the real Keras, shapes, weights, config."""
import base64
import json
import marshal

import numpy as np
import pytest

from layerkit import engine, constraints, initializers, regularizers
from layerkit import layers
from layerkit.config import SafeModeScope
from layerkit.engine.common import naming
from layerkit.engine.common.symbolic_tensor import SymbolicTensor


def to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


def rand(*shape):
    return np.random.uniform(-1, 1, size=shape).astype("float32")


def module_level_double(x):
    return x * 2.0


def module_level_scale(x, factor=1.0):
    return x * factor


# --- Dense -------------------------------------------------------------------
def test_dense_eager_numpy_reference_and_rank3():
    layer = layers.Dense(4, activation="relu")
    k, b = rand(5, 4), rand(4)
    x = rand(3, 5)
    layer.build((None, 5))
    layer.set_weights([k, b])
    np.testing.assert_allclose(to_np(layer(x)), np.maximum(x @ k + b, 0), atol=1e-5)
    x3 = rand(2, 3, 5)
    y3 = to_np(layer(x3))
    assert y3.shape == (2, 3, 4)
    np.testing.assert_allclose(y3, np.maximum(x3 @ k + b, 0), atol=1e-5)
    assert layer.compute_output_shape((2, 3, 5)) == y3.shape
    ints = np.arange(10).reshape(2, 5)  # integer features are cast to the layer dtype
    np.testing.assert_allclose(to_np(layer(ints)), np.maximum(ints @ k + b, 0), atol=1e-4)


def test_dense_matches_keras(keras_oracle):
    keras = keras_oracle
    for shape in ((6, 5), (2, 3, 5)):
        ours = layers.Dense(4, activation="tanh")
        theirs = keras.layers.Dense(4, activation="tanh")
        ours.build((None, 5))
        theirs.build((None, 5))
        w = [rand(5, 4), rand(4)]
        ours.set_weights(w)
        theirs.set_weights(w)
        x = rand(*shape)
        np.testing.assert_allclose(to_np(ours(x)), np.asarray(theirs(x)), atol=1e-5)
    ours = layers.Dense(3, use_bias=False)
    theirs = keras.layers.Dense(3, use_bias=False)
    x = rand(4, 2)
    ours(x), theirs(x)
    k = rand(2, 3)
    ours.set_weights([k])
    theirs.set_weights([k])
    np.testing.assert_allclose(to_np(ours(x)), np.asarray(theirs(x)), atol=1e-5)


def test_dense_symbolic_call_and_weights():
    layer = layers.Dense(7)
    out = layer(SymbolicTensor((None, 20)))
    assert isinstance(out, SymbolicTensor) and out.shape == (None, 7)
    assert layer.built
    assert [v.shape for v in layer.weights] == [(20, 7), (7,)]
    assert [v.path for v in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]
    assert layer.count_params() == 20 * 7 + 7
    out3 = layers.Dense(2)(SymbolicTensor((None, 4, 20)))
    assert out3.shape == (None, 4, 2)
    assert len(layer._inbound_nodes) == 1


def test_dense_build_on_first_call_names():
    naming.reset_uids()
    a, b = layers.Dense(2), layers.Dense(2)
    assert (a.name, b.name) == ("dense", "dense_1")
    assert not a.built and a.weights == []
    a(rand(3, 6))
    assert a.kernel.path == "dense/kernel" and a.kernel.shape == (6, 2)
    assert a.bias.path == "dense/bias" and a.bias.shape == (2,)
    assert layers.Dense(1, use_bias=False, name="head")(rand(1, 3)).shape == (1, 1)


def test_dense_input_dim_and_input_shape_kwargs():
    assert layers.Dense(3, input_dim=8)._batch_input_shape == (None, 8)
    assert layers.Dense(3, input_shape=(8,))._batch_input_shape == (None, 8)
    with pytest.raises(ValueError, match="units"):
        layers.Dense(0)
    with pytest.raises(TypeError, match="bogus"):
        layers.Dense(3, bogus=1)


def test_dense_config_round_trip():
    layer = layers.Dense(5, activation="relu", use_bias=True,
                         kernel_initializer=initializers.RandomNormal(stddev=0.1, seed=3),
                         bias_initializer="ones",
                         kernel_regularizer=regularizers.L2(0.01),
                         bias_regularizer="l1",
                         activity_regularizer=regularizers.L1L2(l1=0.1, l2=0.2),
                         kernel_constraint=constraints.MaxNorm(2.0),
                         bias_constraint="non_neg", name="my_dense")
    config = layer.get_config()
    json.dumps(config)
    assert config["units"] == 5 and config["activation"] == "relu"
    assert config["name"] == "my_dense"
    clone = layers.Dense.from_config(config)
    assert clone.get_config() == config
    assert isinstance(clone.kernel_regularizer, regularizers.L2)
    assert isinstance(clone.kernel_constraint, constraints.MaxNorm)
    clone(rand(2, 3))
    np.testing.assert_allclose(to_np(clone.bias), np.ones(5))


def test_dense_trainable_switch():
    layer = layers.Dense(3)
    layer(rand(2, 4))
    assert len(layer.trainable_weights) == 2 and layer.non_trainable_weights == []
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    assert layer.get_config()["trainable"] is False
    layer.trainable = True
    assert len(layer.trainable_weights) == 2


def test_dense_set_weights_errors():
    layer = layers.Dense(3, name="dense_sw")
    layer(rand(2, 4))
    with pytest.raises(ValueError, match=r'dense_sw.*\(4, 3\).*\(5, 3\)'):
        layer.set_weights([rand(5, 3), rand(3)])
    with pytest.raises(ValueError, match="dense_sw"):
        layer.set_weights([rand(4, 3)])
    got = layer.get_weights()
    assert [w.shape for w in got] == [(4, 3), (3,)]


def test_dense_regularizer_losses_and_constraints():
    max_norm = constraints.MaxNorm(1.5)
    layer = layers.Dense(3, kernel_regularizer=regularizers.L2(0.1),
                         bias_regularizer=regularizers.L1(0.5), kernel_constraint=max_norm,
                         bias_initializer="ones")
    layer(rand(2, 4))
    assert layer.kernel.constraint is max_norm and layer.bias.constraint is None
    k = layer.get_weights()[0]
    losses = sorted(float(to_np(l)) for l in layer.losses)
    expected = sorted([0.1 * float(np.sum(k ** 2)), 0.5 * 3.0])
    np.testing.assert_allclose(losses, expected, rtol=1e-5)

    act = layers.Dense(2, activity_regularizer=regularizers.L2(0.5))
    x = rand(4, 3)
    y = to_np(act(x))
    assert len(act.losses) == 1
    np.testing.assert_allclose(float(to_np(act.losses[0])), 0.5 * np.sum(y ** 2) / 4,
                               rtol=1e-5)


def test_dense_input_spec_error_names_layer_and_shapes():
    layer = layers.Dense(3, name="spec_dense")
    layer(rand(2, 5))
    assert layer.input_spec.axes == {-1: 5} and layer.input_spec.min_ndim == 2
    with pytest.raises(ValueError, match=r'spec_dense.*5.*\(2, 6\)'):
        layer(rand(2, 6))
    with pytest.raises(ValueError, match="spec_dense"):
        layer(SymbolicTensor((None, 7)))
    with pytest.raises(ValueError, match="min_ndim=2"):
        layers.Dense(2, name="d1")(rand(5))


# --- Activation ----------------------------------------------------------------
def test_activation_by_name_and_callable(keras_oracle):
    x = rand(3, 4) * 3
    relu = layers.Activation("relu")
    np.testing.assert_allclose(to_np(relu(x)), np.maximum(x, 0), atol=1e-6)
    double = layers.Activation(module_level_double)
    np.testing.assert_allclose(to_np(double(x)), x * 2, atol=1e-6)
    for name in ("sigmoid", "softmax", "elu"):
        ours = to_np(layers.Activation(name)(x))
        theirs = np.asarray(keras_oracle.layers.Activation(name)(x))
        np.testing.assert_allclose(ours, theirs, atol=1e-5, err_msg=name)
    assert layers.Activation("relu")(SymbolicTensor((None, 8, 2))).shape == (None, 8, 2)


def test_activation_config():
    layer = layers.Activation("sigmoid", name="act")
    config = layer.get_config()
    json.dumps(config)
    assert config["activation"] == "sigmoid"
    clone = layers.Activation.from_config(config)
    assert clone.get_config() == config
    assert layers.Activation(module_level_double).get_config()["activation"] == \
        "module_level_double"


# --- Dropout -------------------------------------------------------------------
def test_dropout_inference_is_identity(keras_oracle):
    x = rand(8, 10)
    layer = layers.Dropout(0.5)
    np.testing.assert_array_equal(to_np(layer(x)), x)
    np.testing.assert_array_equal(to_np(layer(x, training=False)), x)
    np.testing.assert_allclose(np.asarray(keras_oracle.layers.Dropout(0.5)(x)), x)
    assert layer.weights == []
    assert layer(SymbolicTensor((None, 10))).shape == (None, 10)


def test_dropout_training_statistics():
    rate = 0.3
    x = np.ones((64, 64), dtype="float32")
    y = to_np(layers.Dropout(rate, seed=7)(x, training=True))
    zeros = np.mean(y == 0)
    assert abs(zeros - rate) < 0.03
    np.testing.assert_allclose(y[y != 0], 1.0 / (1.0 - rate), rtol=1e-6)


def test_dropout_seed_and_noise_shape():
    x = rand(64, 64) + 2.0
    a = to_np(layers.Dropout(0.5, seed=42)(x, training=True))
    b = to_np(layers.Dropout(0.5, seed=42)(x, training=True))
    np.testing.assert_array_equal(a, b)
    layer = layers.Dropout(0.5, seed=42)
    first, second = to_np(layer(x, training=True)), to_np(layer(x, training=True))
    assert not np.array_equal(first, second)  # the seed state advances
    assert len(layer._seed_generators) == 1 and layer.seed_generators == layer._seed_generators
    x3 = rand(4, 5, 6) + 2.0
    y3 = to_np(layers.Dropout(0.5, noise_shape=(None, 1, 6), seed=1)(x3, training=True))
    dropped = y3 == 0
    assert (dropped == dropped[:, :1, :]).all()  # the mask is shared along axis 1


def test_dropout_rate_validation_and_config():
    for bad in (-0.1, 1.5, "x"):
        with pytest.raises(ValueError, match="rate"):
            layers.Dropout(bad)
    x = rand(3, 3)
    np.testing.assert_array_equal(to_np(layers.Dropout(0.0)(x, training=True)), x)
    np.testing.assert_array_equal(to_np(layers.Dropout(1.0)(x, training=True)), 0 * x)
    layer = layers.Dropout(0.25, noise_shape=(None, 1), seed=5, name="drop")
    config = layer.get_config()
    json.dumps(config)
    assert (config["rate"], config["seed"], config["noise_shape"]) == (0.25, 5, [None, 1])
    assert layers.Dropout.from_config(config).get_config() == config


# --- Lambda --------------------------------------------------------------------
def test_lambda_eager_arguments_and_shapes():
    x = rand(4, 6)
    layer = layers.Lambda(module_level_scale, arguments={"factor": 3.0})
    np.testing.assert_allclose(to_np(layer(x)), 3 * x, atol=1e-6)
    inferred = layers.Lambda(lambda t: t[:, :2] * 2)
    out = inferred(SymbolicTensor((None, 6)))
    assert out.shape == (None, 2)
    assert inferred.compute_output_shape((None, 6)) == (None, 2)
    fixed = layers.Lambda(lambda t: t, output_shape=(3, 2))
    assert fixed(SymbolicTensor((None, 6))).shape == (None, 3, 2)
    assert fixed.compute_output_shape((None, 6)) == (None, 3, 2)
    fn_shape = layers.Lambda(lambda t: t, output_shape=lambda s: (s[0], 99))
    assert fn_shape(SymbolicTensor((None, 6))).shape == (None, 99)
    pair = layers.Lambda(lambda ts: ts[0] + ts[1])
    assert pair([SymbolicTensor((None, 3)), SymbolicTensor((None, 3))]).shape == (None, 3)
    np.testing.assert_allclose(to_np(pair([x, x])), 2 * x, atol=1e-6)


def test_lambda_training_arg_passed():
    layer = layers.Lambda(lambda t, training=None: t * (2.0 if training else 1.0))
    x = rand(2, 2)
    np.testing.assert_allclose(to_np(layer(x)), x)
    np.testing.assert_allclose(to_np(layer(x, training=True)), 2 * x)


def test_lambda_matches_keras(keras_oracle):
    x = rand(3, 5)
    ours = to_np(layers.Lambda(lambda t: t ** 2 + 1)(x))
    theirs = np.asarray(keras_oracle.layers.Lambda(lambda t: t ** 2 + 1)(x))
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_lambda_named_function_config_round_trip():
    layer = layers.Lambda(module_level_scale, output_shape=(6,), arguments={"factor": 2.0},
                          name="scale")
    config = layer.get_config()
    json.dumps(config)
    assert config["function"]["config"] == "module_level_scale"
    assert config["function"]["module"] == __name__
    clone = layers.Lambda.from_config(config)
    assert clone.function is module_level_scale
    assert clone.get_config() == config
    keras2 = {"name": "k2", "function": "module_level_double", "function_type": "function",
              "module": __name__, "output_shape": [6], "output_shape_type": "raw",
              "output_shape_module": None, "arguments": {}}
    old = layers.Lambda.from_config(keras2)
    assert old.function is module_level_double and old._output_shape == (6,)
    # Keras 2's bytecode form: [code, defaults, closure] with function_type "lambda".
    keras2_code = dict(keras2, function=[_code_of(lambda t, k=5.0: t * k), [5.0], None],
                       function_type="lambda")
    with pytest.raises(ValueError, match=r'Lambda layer "k2".*bytecode.*safe_mode=False'):
        layers.Lambda.from_config(keras2_code)
    with SafeModeScope(False):
        rebuilt = layers.Lambda.from_config(keras2_code)
    np.testing.assert_allclose(to_np(rebuilt(np.array([[1.0, 2.0]]))), [[5.0, 10.0]])
    clone2 = layers.Lambda.from_config({"function": "relu", "name": "r"})
    np.testing.assert_allclose(to_np(clone2(np.array([[-1.0, 2.0]]))), [[0.0, 2.0]])


def _code_of(fn):
    return base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")


def _make_nested(offset):
    def shift(t):
        return t + offset
    return shift


def test_lambda_stores_a_python_lambda_as_code_and_loads_it_outside_safe_mode():
    scale = 3.0
    layer = layers.Lambda(lambda t: t * scale + 1, output_shape=lambda s: s, name="anon")
    config = layer.get_config()
    json.dumps(config)
    stored = config["function"]
    assert stored["class_name"] == "__lambda__"
    assert set(stored["config"]) >= {"code", "defaults", "closure"}
    assert stored["config"]["closure"] == [3.0]
    assert config["output_shape"]["class_name"] == "__lambda__"
    with pytest.raises(ValueError, match=r'Lambda layer "anon": .*bytecode.*safe mode.*'
                                         r"custom_objects=\{'anon': fn\}"):
        layers.Lambda.from_config(config)
    clone = layers.Lambda.from_config(config, custom_objects={"anon": module_level_double,
                                                              "anon.output_shape": tuple})
    assert clone.function is module_level_double
    with SafeModeScope(False):
        rebuilt = layers.Lambda.from_config(config)
    x = np.array([[1.0, -2.0]], "float32")
    np.testing.assert_allclose(to_np(rebuilt(x)), x * 3.0 + 1)
    assert rebuilt.compute_output_shape((None, 2)) == (None, 2)
    # Saved again, it stores the same function (marshal's bytes may differ in flags).
    again = rebuilt.get_config()["function"]["config"]
    assert (again["closure"], again["defaults"], again["module"]) == \
        (stored["config"]["closure"], None, __name__)
    assert marshal.loads(base64.b64decode(again["code"])) == rebuilt.function.__code__
    with pytest.raises(ValueError, match="unknown function"):
        layers.Lambda.from_config({"function": {"class_name": "function",
                                                "config": "no_such_fn", "module": "nowhere"},
                                   "name": "x"})


def test_lambda_nested_function_is_stored_as_code():
    layer = layers.Lambda(_make_nested(2.5), name="nested")
    config = layer.get_config()
    assert config["function"]["class_name"] == "__lambda__"
    with SafeModeScope(False):
        rebuilt = layers.Lambda.from_config(config)
    np.testing.assert_allclose(to_np(rebuilt(np.array([[1.0]]))), [[3.5]])


def test_lambda_closure_that_json_cannot_hold_is_named():
    table = np.arange(3.0)
    layer = layers.Lambda(lambda t: t * table, name="captures")
    with pytest.raises(ValueError, match=r'Lambda layer "captures": its function captures '
                                         r"'table', a value of type ndarray"):
        layer.get_config()


def test_old_lambda_marker_without_code_is_refused_with_a_way_out():
    config = {"name": "old", "function": {"class_name": "__lambda__", "config": None},
              "arguments": {}}
    with pytest.raises(ValueError, match=r"old.*does not hold.*custom_objects"):
        layers.Lambda.from_config(config)
    clone = layers.Lambda.from_config(config, custom_objects={"old": module_level_double})
    assert clone.function is module_level_double


# --- Identity, ActivityRegularization, Masking -----------------------------------
def test_identity():
    x = rand(2, 3)
    layer = layers.Identity()
    np.testing.assert_array_equal(to_np(layer(x)), x)
    out = layer(SymbolicTensor((None, 3), dtype="int32"))
    assert out.shape == (None, 3) and out.dtype == "int32"
    assert layers.Identity.from_config(layer.get_config()).name == layer.name


def test_activity_regularization():
    layer = layers.ActivityRegularization(l1=0.1, l2=0.2)
    x = rand(4, 3)
    np.testing.assert_array_equal(to_np(layer(x)), x)
    expected = (0.1 * np.abs(x).sum() + 0.2 * (x ** 2).sum()) / 4
    np.testing.assert_allclose(float(to_np(layer.losses[0])), expected, rtol=1e-5)
    config = layer.get_config()
    assert (config["l1"], config["l2"]) == (0.1, 0.2)
    assert layers.ActivityRegularization.from_config(config).get_config() == config


def test_masking(keras_oracle):
    x = rand(2, 4, 3)
    x[0, 1] = 0.0
    x[1, 3] = 0.0
    layer = layers.Masking(mask_value=0.0)
    ours = to_np(layer(x))
    np.testing.assert_allclose(ours, np.asarray(keras_oracle.layers.Masking(0.0)(x)))
    mask = to_np(layer.compute_mask(engine.convert_to_tensor(x)))
    np.testing.assert_array_equal(mask, [[1, 0, 1, 1], [1, 1, 1, 0]])
    assert layers.Masking.from_config(layer.get_config()).mask_value == 0.0
