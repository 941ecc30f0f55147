"""Control flow and data-dependent ops on symbolic tensors: each records one graph
node with Keras 3's output shape and dtype (None for data-dependent sizes), runs in a
functional Model with the eager op's numbers, trains, and its config names its
module-level functions (a lambda is stored as code and loads back only outside safe
mode, as in Keras: tests/unit/saving/test_stored_functions.py)."""
import sys

import numpy as np
import pytest

from layerkit import layers, ops
from layerkit.layers.op_layer import OpLayer
from layerkit.models import Model


def to_np(x):
    return np.asarray(ops.convert_to_numpy(x))


def double(v):
    return v * 2.0


def plus_one(v):
    return v + 1.0


def running_sum(carry, v):
    return carry + v, carry + v


def halve(i, v):
    return v * 0.5


def below_ten(v):
    return ops.sum(v) < 10.0


def step_up(v):
    return (v + 1.0,)


def add(a, b):
    return a + b


# (id, build(ops, x) with x symbolic or concrete of shape (batch, 3, 4))
CASES = [
    ("switch", lambda o, x: o.switch(1, [double, plus_one], x)),
    ("switch symbolic index", lambda o, x: o.switch(
        o.cast(o.sum(x) > 0, "int32"), [double, plus_one], x)),
    ("scan", lambda o, x: o.transpose(o.scan(running_sum, o.zeros_like(x[:, 0]),
                                             o.transpose(x, (1, 0, 2)))[1], (1, 0, 2))),
    ("fori_loop", lambda o, x: o.fori_loop(0, 3, halve, x)),
    ("while_loop", lambda o, x: o.while_loop(below_ten, step_up, (x,), 4)[0]),
    ("map", lambda o, x: o.map(double, x)),
    ("associative_scan", lambda o, x: o.associative_scan(add, x, axis=1)),
    ("vectorized_map", lambda o, x: o.vectorized_map(double, x)),
    ("nonzero", lambda o, x: o.nonzero(x > 0.5)),
    ("unique", lambda o, x: o.unique(x[0, 0] > 0.5)),
    ("unique with counts", lambda o, x: o.unique(o.round(x * 3), return_inverse=True,
                                                 return_counts=True)),
    ("bincount", lambda o, x: o.bincount(o.cast(o.ravel(x * 4), "int32"))),
]


def _specs(out):
    flat = list(out) if isinstance(out, (tuple, list)) else [out]
    return [(tuple(t.shape), ops.dtype(t) if hasattr(t, "shape") else None) for t in flat]


@pytest.mark.parametrize("build", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_symbolic_spec_matches_keras_and_model_matches_eager(keras_oracle, build):
    x = layers.Input((3, 4))
    out = build(ops, x)
    k_out = build(keras_oracle.ops, keras_oracle.Input((3, 4)))
    k_specs = [(tuple(t.shape), t.dtype) for t in
               (k_out if isinstance(k_out, (tuple, list)) else [k_out])]
    assert _specs(out) == k_specs
    data = np.random.default_rng(0).random((2, 3, 4)).astype("float32")
    model = Model(x, out)
    assert any(isinstance(layer, OpLayer) for layer in model.layers)
    got, want = model(data), build(ops, data)
    for g, w in zip(*(list(v) if isinstance(v, (tuple, list)) else [v] for v in (got, want))):
        np.testing.assert_allclose(to_np(g), to_np(w), rtol=1e-6)


def test_where_with_only_a_condition_is_nonzero():
    # Keras 3.15 gives where(c) the condition's shape symbolically although the call
    # returns nonzero's tuple; layerkit gives the tuple's specs.
    x = layers.Input((4,))
    out = ops.where(x > 0)
    assert _specs(out) == [((None,), "int32"), ((None,), "int32")]
    data = np.array([[1.0, -1.0, 2.0, 0.0]], "float32")
    rows, cols = Model(x, out)(data)
    np.testing.assert_array_equal(to_np(cols), [0, 2])


def test_cond_on_a_symbolic_predicate():
    x = layers.Input((3,))
    out = ops.cond(ops.sum(x) > 0, lambda: ops.ones((3,)), lambda: ops.zeros((3,)))
    assert _specs(out) == [((3,), "float32")]
    model = Model(x, out)
    np.testing.assert_array_equal(to_np(model(np.ones((1, 3), "float32"))), [1, 1, 1])
    np.testing.assert_array_equal(to_np(model(-np.ones((1, 3), "float32"))), [0, 0, 0])


def test_cond_branches_that_capture_symbolic_tensors_are_refused():
    x = layers.Input((3,))
    with pytest.raises(ValueError, match=r"cond: true_fn computes on symbolic tensors.*switch"):
        ops.cond(ops.sum(x) > 0, lambda: x * 2, lambda: x)


def test_a_model_with_scan_and_fori_loop_trains():
    x = layers.Input((5, 3))
    h = layers.Dense(4)(x)
    steps = ops.transpose(h, (1, 0, 2))
    summed = ops.scan(running_sum, ops.zeros_like(h[:, 0]), steps)[1]
    h = ops.fori_loop(0, 2, halve, ops.transpose(summed, (1, 0, 2)))
    model = Model(x, layers.Dense(1)(ops.mean(h, axis=1)))
    from layerkit import optimizers
    model.compile(optimizers.Adam(learning_rate=0.05), "mse")
    data = np.random.default_rng(1).random((64, 5, 3)).astype("float32")
    target = data.sum(axis=(1, 2))[:, None] / 4
    before = model.evaluate(data, target, verbose=0)
    model.fit(data, target, epochs=30, batch_size=16, verbose=0)
    assert model.evaluate(data, target, verbose=0) < 0.5 * before
    assert model.predict(data[:3], verbose=0).shape == (3, 1)


@ops.custom_gradient
def clipped_double(v):
    def grad(*upstream, **kwargs):
        return ops.clip(upstream[0] if upstream else kwargs["upstream"], -0.01, 0.01)
    return v * 2.0, grad


def test_custom_gradient_function_on_a_symbolic_tensor_trains_with_its_gradient():
    x = layers.Input((4,))
    dense = layers.Dense(1, use_bias=False, kernel_initializer="ones")
    out = clipped_double(dense(x))
    assert _specs(out) == [((None, 1), "float32")]
    model = Model(x, out)
    model.compile("sgd", "mse")
    model.fit(np.ones((1, 4), "float32"), np.zeros((1, 1), "float32"), epochs=1,
              batch_size=1, verbose=0)
    # The loss gradient 2 * 8 is clipped to 0.01 before it reaches the kernel.
    np.testing.assert_allclose(to_np(dense.kernel), np.full((4, 1), 1 - 0.01 * 0.01),
                               rtol=1e-6)
    clone = Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(to_np(clone(np.ones((1, 4), "float32"))),
                               to_np(model(np.ones((1, 4), "float32"))), rtol=1e-6)


def test_config_names_module_functions_and_refuses_lambdas_in_safe_mode():
    x = layers.Input((3,))
    model = Model(x, ops.switch(0, [double, plus_one], x))
    clone = Model.from_config(model.get_config())
    data = np.ones((2, 3), "float32")
    np.testing.assert_allclose(to_np(clone(data)), 2 * data)
    assert sys.modules[__name__] is not None

    model = Model(x, ops.map(lambda r: r * 3.0, x))
    config = model.get_config()
    assert config["layers"][-1]["config"]["arguments"][0]["function"]["class_name"] == \
        "__lambda__"
    with pytest.raises(ValueError, match=r'OpLayer "map.*" \(map\): .*bytecode.*safe mode'):
        Model.from_config(config)
