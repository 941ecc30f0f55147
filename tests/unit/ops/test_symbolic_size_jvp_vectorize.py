"""size, jvp and vectorize on symbolic tensors record graph nodes, as Keras 3's do:
`size` a scalar int32, `jvp` the function's output spec twice, a vectorized function
its mapped output; each runs in a functional Model with the eager op's numbers."""
import numpy as np

import layerkit
from layerkit import ops
from layerkit.models import Model


def sine_twice(a):
    return ops.sin(a) * 2.0


def test_size_is_a_scalar_int32_node(keras_oracle):
    x = layerkit.Input((3, 4))
    s = ops.size(x)
    k = keras_oracle.ops.size(keras_oracle.Input((3, 4)))
    assert (tuple(s.shape), s.dtype) == (tuple(k.shape), k.dtype) == ((), "int32")
    model = Model(x, ops.cast(ops.size(x), "float32") * ops.ones_like(x))
    out = model.predict(np.ones((2, 3, 4), "float32"), verbose=0)
    np.testing.assert_array_equal(out, np.full((2, 3, 4), 24.0))
    assert int(ops.convert_to_numpy(ops.size(ops.ones((2, 5))))) == 10


def test_jvp_records_primal_and_tangent():
    x = layerkit.Input((3,))
    primal, tangent = ops.jvp(sine_twice, (x,), (ops.ones_like(x),))
    assert tuple(primal.shape) == tuple(tangent.shape) == (None, 3)
    model = Model(x, [primal, tangent])
    data = np.linspace(-1, 1, 6, dtype="float32").reshape(2, 3)
    got_p, got_t = model.predict(data, verbose=0)
    np.testing.assert_allclose(got_p, 2 * np.sin(data), rtol=1e-6)
    np.testing.assert_allclose(got_t, 2 * np.cos(data), rtol=1e-6)
    config = model.get_config()
    assert any(layer["config"].get("op") == "linalg.jvp" or
               layer["config"].get("op") == "jvp" for layer in config["layers"]
               if layer["class_name"] == "OpLayer")


def test_vectorize_maps_over_the_batch_of_a_symbolic_input():
    x = layerkit.Input((4,))
    norms = ops.vectorize(lambda row: ops.sqrt(ops.sum(row * row)), signature="(n)->()")(x)
    assert tuple(norms.shape) == (None,)
    data = np.arange(8, dtype="float32").reshape(2, 4)
    out = Model(x, norms).predict(data, verbose=0)
    np.testing.assert_allclose(out, np.linalg.norm(data, axis=1), rtol=1e-6)
