"""`layerkit.ops` (and Keras 2's K functions) called on symbolic tensors record graph
nodes, as `keras.ops` does in Keras 3: models built that way predict, train and
round-trip through their config."""
import json
import warnings

import numpy as np
import pytest

import layerkit.backend as K
from layerkit import engine, layers, ops, optimizers
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.layers.op_layer import OpLayer
from layerkit.models import Functional, Model

RNG = np.random.default_rng(7)


def _np(x):
    return np.asarray(engine.convert_to_numpy(x))


def _rand(*shape):
    return RNG.uniform(-1.0, 1.0, size=shape).astype("float32")


def _op_of(tensor):
    layer = tensor._history[0]
    assert isinstance(layer, OpLayer)
    return layer


# (label, symbolic/concrete function of (x, y), expected output shape for x (None, 3, 4))
OP_CASES = [
    ("mean", lambda o, x, y: o.mean(x, axis=-1), (None, 3)),
    ("mean tuple axis keepdims", lambda o, x, y: o.mean(x, axis=(1, 2), keepdims=True),
     (None, 1, 1)),
    ("sum", lambda o, x, y: o.sum(x, axis=1), (None, 4)),
    ("max", lambda o, x, y: o.max(x, axis=-1), (None, 3)),
    ("square", lambda o, x, y: o.square(x), (None, 3, 4)),
    ("concatenate", lambda o, x, y: o.concatenate([x, y], axis=-1), (None, 3, 8)),
    ("concatenate tuple", lambda o, x, y: o.concatenate((x, y), axis=1), (None, 6, 4)),
    ("stack", lambda o, x, y: o.stack([x, y], axis=1), (None, 2, 3, 4)),
    ("reshape", lambda o, x, y: o.reshape(x, (-1, 12)), (None, 12)),
    ("transpose", lambda o, x, y: o.transpose(x, (0, 2, 1)), (None, 4, 3)),
    ("where", lambda o, x, y: o.where(o.greater(x, 0.0), x, y), (None, 3, 4)),
    ("maximum with number", lambda o, x, y: o.maximum(x, 0.25), (None, 3, 4)),
    ("softmax", lambda o, x, y: o.softmax(x, axis=-1), (None, 3, 4)),
    ("relu", lambda o, x, y: o.relu(x), (None, 3, 4)),
    ("matmul", lambda o, x, y: o.matmul(x, o.transpose(y, (0, 2, 1))), (None, 3, 3)),
    ("take", lambda o, x, y: o.take(x, np.array([2, 0]), axis=1), (None, 2, 4)),
    ("clip keyword", lambda o, x, y: o.clip(x, -0.5, 0.5), (None, 3, 4)),
    ("keyword operand", lambda o, x, y: o.moments(x=x, axes=[1])[1], (None, 4)),
    ("cast", lambda o, x, y: o.cast(x, "float16"), (None, 3, 4)),
    ("categorical_crossentropy", lambda o, x, y: o.categorical_crossentropy(
        o.softmax(x), o.softmax(y)), (None, 3)),
]


@pytest.mark.parametrize("label,fn,shape", OP_CASES, ids=[c[0] for c in OP_CASES])
def test_ops_on_symbolic_tensors_record_nodes_that_run(label, fn, shape):
    x, y = layers.Input((3, 4)), layers.Input((3, 4))
    out = fn(ops, x, y)
    assert isinstance(out, SymbolicTensor) and out.shape == shape
    model = Model([x, y], out)
    xv, yv = _rand(5, 3, 4), _rand(5, 3, 4)
    expected = _np(fn(ops, engine.convert_to_tensor(xv), engine.convert_to_tensor(yv)))
    np.testing.assert_allclose(model.predict([xv, yv], verbose=0), expected, rtol=1e-5,
                               atol=1e-6)


def test_op_node_stores_name_and_fixed_arguments_and_dtype():
    x = layers.Input((3, 4))
    out = ops.mean(x, axis=(1, 2), keepdims=True)
    layer = _op_of(out)
    config = layer.get_config()
    assert config["op"] == "mean"
    assert config["arguments"] == [{"tensor": 0}]
    assert config["kwargs"] == {"axis": {"list": [{"value": 1}, {"value": 2}], "tuple": True},
                                "keepdims": {"value": True}}
    ids = layers.Input((5,), dtype="int32")
    assert ops.argmax(ops.one_hot(ids, 7), axis=-1).dtype in ("int32", "int64")
    assert ops.cast(x, "float16").dtype == "float16"


def test_multi_output_op_and_int_inputs():
    x = layers.Input((6,))
    values, indices = ops.top_k(x, 2)
    assert values.shape == (None, 2) and indices.shape == (None, 2)
    model = Model(x, [values, indices])
    xv = _rand(4, 6)
    got_values, got_indices = model.predict(xv, verbose=0)
    np.testing.assert_allclose(got_values, -np.sort(-xv, axis=1)[:, :2], rtol=1e-6)
    np.testing.assert_array_equal(got_indices, np.argsort(-xv, axis=1)[:, :2])


def test_static_information_ops_work_on_symbolic_tensors():
    x = layers.Input((3, 4))
    assert ops.shape(x) == (None, 3, 4)
    assert ops.ndim(x) == 3
    assert ops.dtype(x) == "float32"
    assert not ops.is_tensor(x)
    assert ops.convert_to_tensor(x) is x
    assert ops.convert_to_tensor(x, dtype="float16").dtype == "float16"


@pytest.mark.parametrize("call,name", [
    (lambda x: ops.convert_to_numpy(x), "convert_to_numpy"),
    (lambda x: K.get_value(x), "convert_to_numpy"),
])
def test_ops_without_a_tensor_result_refuse_symbolic_arguments(call, name):
    x = layers.Input((3,))
    with pytest.raises(TypeError, match=rf"layerkit\.ops\.{name} cannot take a symbolic "
                                        r"tensor.*cannot be a node"):
        call(x)


def test_the_wrappers_keep_the_engine_function_and_its_name():
    assert ops.mean.__name__ == "mean"
    assert ops.mean.__wrapped__ is engine.numpy.mean
    assert ops.relu.__wrapped__ is engine.nn.relu
    assert ops.ndim(np.zeros((2, 3))) == 2
    np.testing.assert_allclose(_np(ops.add(np.ones(2, "float32"), 1.0)), [2.0, 2.0])


def test_shadowed_name_is_stored_with_its_module():
    x = layers.Input((3,))
    out = ops.numpy.tanh(x)
    layer = _op_of(out)
    assert layer.op == ("tanh" if ops.tanh is ops.numpy.tanh else "numpy.tanh")
    clone = OpLayer.from_config(json.loads(json.dumps(layer.get_config())))
    xv = _rand(2, 3)
    np.testing.assert_allclose(_np(clone(xv)), np.tanh(xv), rtol=1e-6)
    assert _op_of(ops.tanh(x)).op == "tanh"


def test_new_symbolic_operators():
    x = layers.Input((3,))
    model = Model(x, [abs(x), x < 0.0, x >= 0.5, x // 0.5, x % 0.5])
    xv = _rand(4, 3)
    outs = model.predict(xv, verbose=0)
    np.testing.assert_allclose(outs[0], np.abs(xv), rtol=1e-6)
    np.testing.assert_array_equal(outs[1], xv < 0)
    np.testing.assert_array_equal(outs[2], xv >= 0.5)
    np.testing.assert_allclose(outs[3], xv // 0.5, rtol=1e-6)
    np.testing.assert_allclose(outs[4], np.mod(xv, 0.5), rtol=1e-5, atol=1e-6)


def test_unknown_or_non_graph_op_name_is_rejected():
    with pytest.raises(ValueError, match="unknown operation 'frobnicate'"):
        OpLayer("frobnicate")
    with pytest.raises(ValueError, match="unknown operation 'convert_to_numpy'"):
        OpLayer("convert_to_numpy", arguments=[{"tensor": 0}])


def test_incompatible_operands_name_the_op_and_shapes():
    a, b = layers.Input((3,)), layers.Input((4,))
    with pytest.raises(ValueError, match=r"concatenate.*\(None, 3\).*\(None, 4\)"):
        ops.concatenate([a, b], axis=0)


def _ops_model():
    x = layers.Input((4,), name="x")
    h = layers.Dense(6, activation="tanh", name="hidden")(x)
    pooled = ops.mean(h, axis=-1, keepdims=True)
    spread = ops.sqrt(ops.mean(ops.square(h - pooled), axis=-1, keepdims=True) + 1e-3)
    features = ops.concatenate([h, pooled, spread], axis=-1)
    out = layers.Dense(2, name="head")(features)
    return Model(x, out)


def test_model_with_op_nodes_round_trips_through_its_config():
    model = _ops_model()
    config = json.loads(json.dumps(model.get_config()))
    clone = Functional.from_config(config)
    clone.set_weights(model.get_weights())
    xv = _rand(5, 4)
    np.testing.assert_allclose(clone.predict(xv, verbose=0), model.predict(xv, verbose=0),
                               rtol=1e-5, atol=1e-6)
    assert clone.get_config() == model.get_config()
    kinds = [l["class_name"] for l in config["layers"]]
    assert kinds.count("OpLayer") == 7


def test_op_node_with_a_variable_reads_its_current_value_and_round_trips():
    w = K.variable(np.full((3, 2), 0.5), name="w")
    x = layers.Input((3,))
    model = Model(x, ops.matmul(x, w) + ops.sum(x, axis=-1, keepdims=True))
    assert any(v is w for v in model.weights)
    xv = _rand(4, 3)
    expected = xv @ np.full((3, 2), 0.5) + xv.sum(1, keepdims=True)
    np.testing.assert_allclose(model.predict(xv, verbose=0), expected, rtol=1e-5)
    K.set_value(w, np.ones((3, 2)))
    np.testing.assert_allclose(model.predict(xv, verbose=0), xv @ np.ones((3, 2)) +
                               xv.sum(1, keepdims=True), rtol=1e-5)
    clone = Functional.from_config(json.loads(json.dumps(model.get_config())))
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(xv, verbose=0), model.predict(xv, verbose=0),
                               rtol=1e-6)


def test_fitting_a_model_with_mean_and_concatenate_nodes():
    x = layers.Input((3,))
    h = layers.Dense(4, kernel_initializer="glorot_uniform", name="h")(x)
    both = ops.concatenate([h, ops.mean(x, axis=-1, keepdims=True)], axis=-1)
    model = Model(x, layers.Dense(1, name="out")(both))
    model.compile(optimizer=optimizers.Adam(0.02), loss="mse")
    xv = _rand(64, 3)
    yv = (xv.mean(axis=1, keepdims=True) * 2.0 + xv[:, :1]).astype("float32")
    before = model.evaluate(xv, yv, verbose=0)
    history = model.fit(xv, yv, epochs=30, batch_size=16, verbose=0)
    after = model.evaluate(xv, yv, verbose=0)
    assert after < 0.5 * before
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_keras2_backend_functions_on_symbolic_tensors_match_arrays():
    x = layers.Input((3, 4))
    w = K.variable(_rand(4, 2))
    cases = {
        "mean": lambda a: K.mean(a, axis=[1, 2]), "sum": lambda a: K.sum(a, axis=-1),
        "square": K.square, "sqrt": lambda a: K.sqrt(a), "abs": K.abs,
        "max": lambda a: K.max(a, axis=1), "argmax": lambda a: K.argmax(a, axis=-1),
        "concatenate": lambda a: K.concatenate([a, K.square(a)], axis=1),
        "reshape": lambda a: K.reshape(a, (-1, 12)),
        "l2_normalize": lambda a: K.l2_normalize(a, axis=-1),
        "dot": lambda a: K.dot(a, w), "batch_flatten": K.batch_flatten,
        "switch": lambda a: K.switch(K.greater(a, 0.0), a, K.zeros_like(a)),
        "relu": lambda a: K.relu(a, alpha=0.1, max_value=0.5),
        "hard_sigmoid": K.hard_sigmoid, "cast": lambda a: K.cast(K.less(a, 0), "float32"),
        "batch_dot": lambda a: K.batch_dot(a, K.permute_dimensions(a, (0, 2, 1))),
        "std": lambda a: K.std(a, axis=1),
    }
    outs = {name: fn(x) for name, fn in cases.items()}
    f = K.function([x], list(outs.values()))
    xv = _rand(2, 3, 4)
    for name, got in zip(outs, f([xv])):
        want = _np(cases[name](xv))
        assert got.shape == want.shape, name
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=name)
    # The Variable stays live in the graph: a new value is seen by the next call.
    K.set_value(w, np.zeros((4, 2)))
    np.testing.assert_allclose(K.function([x], [outs["dot"]])([xv])[0], 0.0)


def test_ops_model_matches_keras(keras_oracle):
    keras = keras_oracle
    model = _ops_model()
    kx = keras.Input((4,))
    kh = keras.layers.Dense(6, activation="tanh")(kx)
    kpooled = keras.ops.mean(kh, axis=-1, keepdims=True)
    kspread = keras.ops.sqrt(keras.ops.mean(keras.ops.square(kh - kpooled), axis=-1,
                                            keepdims=True) + 1e-3)
    kout = keras.layers.Dense(2)(keras.ops.concatenate([kh, kpooled, kspread], axis=-1))
    theirs = keras.Model(kx, kout)
    theirs.set_weights(model.get_weights())
    xv = _rand(6, 4)
    np.testing.assert_allclose(model.predict(xv, verbose=0),
                               theirs.predict(xv, verbose=0), rtol=1e-5, atol=1e-6)


def test_dispatch_check_is_cheap():
    """A smoke bound on the symbolic check alone (wrapping a function that does
    nothing, so the engine's own time and noise stay out): well under 5 µs a call."""
    import timeit
    from layerkit.ops import dispatch

    def nothing(*args, **kwargs):
        return None

    wrapped = dispatch.graph_op(nothing, "_timing_probe")
    dispatch.GRAPH_OPS.pop("_timing_probe")
    a, b = object(), [object(), object()]
    n = 5000
    with_check = min(timeit.repeat(lambda: wrapped(a, b, axis=0), number=n, repeat=7)) / n
    bare = min(timeit.repeat(lambda: nothing(a, b, axis=0), number=n, repeat=7)) / n
    assert with_check - bare < 5e-6
