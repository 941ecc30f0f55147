"""Arithmetic on symbolic tensors records OpLayer nodes in the functional graph."""
import json

import numpy as np
import pytest

from layerkit import engine, layers
from layerkit.engine.common import naming
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.layers.op_layer import OpLayer, symbolic_op


def to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


def rand(*shape):
    return np.random.uniform(0.5, 1.5, size=shape).astype("float32")


def replay(out, *values):
    """Runs the OpLayer that produced `out` on concrete values for its inputs."""
    layer, _, _ = out._history
    return to_np(layer(values[0] if len(values) == 1 else list(values)))


CASES = [
    ("x + 1", lambda x, y: x + 1, lambda x, y: x + 1, (None, 3)),
    ("1 + x", lambda x, y: 1 + x, lambda x, y: 1 + x, (None, 3)),
    ("x - y", lambda x, y: x - y, lambda x, y: x - y, (None, 3)),
    ("2 - x", lambda x, y: 2.0 - x, lambda x, y: 2.0 - x, (None, 3)),
    ("x * y", lambda x, y: x * y, lambda x, y: x * y, (None, 3)),
    ("3 * x", lambda x, y: 3 * x, lambda x, y: 3 * x, (None, 3)),
    ("x / y", lambda x, y: x / y, lambda x, y: x / y, (None, 3)),
    ("1 / x", lambda x, y: 1.0 / x, lambda x, y: 1.0 / x, (None, 3)),
    ("x ** 2", lambda x, y: x ** 2, lambda x, y: x ** 2, (None, 3)),
    ("-x", lambda x, y: -x, lambda x, y: -x, (None, 3)),
    ("x[:, 0]", lambda x, y: x[:, 0], lambda x, y: x[:, 0], (None,)),
    ("x[:, 1:]", lambda x, y: x[:, 1:], lambda x, y: x[:, 1:], (None, 2)),
    ("x[..., None]", lambda x, y: x[..., None], lambda x, y: x[..., None], (None, 3, 1)),
]


@pytest.mark.parametrize("label,sym_fn,np_fn,shape", CASES, ids=[c[0] for c in CASES])
def test_symbolic_arithmetic(label, sym_fn, np_fn, shape):
    x, y = SymbolicTensor((None, 3)), SymbolicTensor((None, 3))
    out = sym_fn(x, y)
    assert isinstance(out, SymbolicTensor) and out.shape == shape
    layer, node_index, _ = out._history
    assert isinstance(layer, OpLayer)
    node = layer._inbound_nodes[node_index]
    xv, yv = rand(4, 3), rand(4, 3)
    inputs = [xv if t is x else yv for t in node.input_tensors]
    np.testing.assert_allclose(replay(out, *inputs), np_fn(xv, yv), rtol=1e-6)


def test_matmul_with_variable_and_tensor():
    x = SymbolicTensor((None, 4))
    w = engine.Variable(np.ones((4, 2), dtype="float32"), name="w")
    out = x @ w
    assert out.shape == (None, 2)
    layer = out._history[0]
    assert any(v is w for v in layer.weights)
    xv = rand(3, 4)
    np.testing.assert_allclose(replay(out, xv), xv @ np.ones((4, 2)), rtol=1e-6)
    w.assign(np.full((4, 2), 2.0, dtype="float32"))  # the op reads the current value
    np.testing.assert_allclose(replay(out, xv), xv @ np.full((4, 2), 2.0), rtol=1e-6)
    y = SymbolicTensor((None, 4, 5))
    assert (x[:, None, :] @ y).shape == (None, 1, 5)


def test_op_names_are_unique_and_nodes_recorded():
    naming.reset_uids()
    x = SymbolicTensor((None, 2))
    a, b, c = x + 1, x + 2, x[:, 0]
    assert [t._history[0].name for t in (a, b, c)] == ["add", "add_1", "get_item"]
    node = a._history[0]._inbound_nodes[0]
    assert node.input_tensors == [x] and node.output_tensors == [a]
    assert layers.Add()([x, x])._history[0].name == "add_2"


def test_int_dtype_is_kept():
    ids = SymbolicTensor((None, 5), dtype="int32")
    out = ids[:, 0] + 1
    assert out.dtype == "int32" and out.shape == (None,)


def test_incompatible_operands_raise_clear_error():
    with pytest.raises(ValueError, match=r"add.*\(None, 3\).*\(None, 4\)"):
        SymbolicTensor((None, 3)) + SymbolicTensor((None, 4))


def test_config_round_trip():
    x = SymbolicTensor((None, 3, 4))
    for out in (x + 1.5, 2 * x, x[:, 1:, None, ..., ::2], x[:, 0], x ** 2, -x,
                x - np.arange(4, dtype="float32")):
        layer = out._history[0]
        config = layer.get_config()
        json.dumps(config)
        clone = OpLayer.from_config(json.loads(json.dumps(config)))
        assert clone.get_config() == config
        xv = rand(2, 3, 4)
        np.testing.assert_allclose(to_np(clone(xv)), to_np(layer(xv)), rtol=1e-6)
    two = (x * x)._history[0]
    clone = OpLayer.from_config(two.get_config())
    xv = rand(2, 3, 4)
    np.testing.assert_allclose(to_np(clone([xv, xv])), xv * xv, rtol=1e-6)
    with pytest.raises(ValueError, match="unknown operation"):
        OpLayer("frobnicate", arguments=[])


def test_symbolic_op_direct_call_and_functional_model():
    x = SymbolicTensor((None, 3))
    assert symbolic_op("multiply", x, 2.0).shape == (None, 3)
    from layerkit import models
    inp = layers.Input((3,))
    h = layers.Dense(2, kernel_initializer="ones", bias_initializer="zeros")(inp)
    out = layers.concatenate([h * 2.0 + 1.0, -h[:, :1]])
    model = models.Model(inp, out)
    xv = rand(4, 3)
    s = xv.sum(axis=1, keepdims=True)
    expected = np.concatenate([np.repeat(2 * s + 1, 2, axis=1), -s], axis=1)
    np.testing.assert_allclose(to_np(model(xv)), expected, rtol=1e-5)
