"""Control flow ops: the same results as real Keras 3 on both engines, compiled to
the lax primitive on JAX (the jaxpr holds scan / while / cond), and gradients through
them and through custom_gradient with each engine's own autodiff."""
import numpy as np
import pytest

from layerkit import engine, ops

RNG = np.random.default_rng(5)
X = RNG.normal(size=(5, 3)).astype("float32")


def to_np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _cumulative(o):
    def step(carry, x):
        carry = carry + x
        return carry, carry * 2.0
    return o.scan(step, o.zeros((3,)), X)


CALLS = [
    ("scan", _cumulative),
    ("scan reverse", lambda o: o.scan(lambda c, x: (c * x, c), o.ones((3,)), X, reverse=True)),
    ("scan length", lambda o: o.scan(lambda c, _: (c + 1.0, c), np.float32(0.0), None,
                                     length=4)),
    ("scan pytree", lambda o: o.scan(lambda c, x: ((c[0] + x["a"], c[1] * 2.0), x["a"] - c[0]),
                                     (o.zeros((3,)), np.float32(1.0)), {"a": X})),
    ("fori_loop", lambda o: o.fori_loop(0, 5, lambda i, v: v * 2.0 + i, np.float32(1.0))),
    ("while_loop", lambda o: o.while_loop(lambda a, b: a < 10, lambda a, b: (a + 3, b * 2.0),
                                          (np.int32(0), np.float32(1.0)))),
    ("while_loop single", lambda o: o.while_loop(lambda a: a < 100.0, lambda a: a * 3.0,
                                                 np.float32(1.0))),
    ("while_loop maximum_iterations",
     lambda o: o.while_loop(lambda a: a < 100.0, lambda a: a * 3.0, np.float32(1.0),
                            maximum_iterations=2)),
    ("switch", lambda o: o.switch(1, [lambda x: x + 1.0, lambda x: x * 3.0], X)),
    ("switch clamped", lambda o: o.switch(7, [lambda x: x + 1.0, lambda x: x * 3.0], X)),
    ("cond", lambda o: o.cond(np.bool_(False), lambda: X + 1.0, lambda: X - 1.0)),
    ("map", lambda o: o.map(lambda r: o.sum(r * r), X)),
    ("map pytree", lambda o: o.map(lambda d: d["a"] + d["b"], {"a": X, "b": X * 2.0})),
    ("associative_scan add", lambda o: o.associative_scan(lambda a, b: a + b, X)),
    ("associative_scan reverse axis", lambda o: o.associative_scan(
        lambda a, b: a * b, X, reverse=True, axis=1)),
    ("associative_scan pytree", lambda o: o.associative_scan(
        lambda a, b: (a[0] + b[0], o.maximum(a[1], b[1])), (X, -X))),
    ("vectorized_map", lambda o: o.vectorized_map(lambda r: o.dot(r, r), X)),
]


@pytest.mark.parametrize("call", [c[1] for c in CALLS], ids=[c[0] for c in CALLS])
def test_matches_keras(keras_oracle, call):
    expected, ours = call(keras_oracle.ops), call(ops)
    leaves = lambda t: t if isinstance(t, (list, tuple)) else [t]  # noqa: E731
    flat = lambda t: [y for x in leaves(t) for y in (flat(x) if isinstance(x, (list, tuple))
                                                      else [x])]
    for e, o in zip(flat(expected), flat(ours)):
        np.testing.assert_allclose(to_np(o), np.asarray(e), rtol=1e-5, atol=1e-6)
    assert len(flat(expected)) == len(flat(ours))


@pytest.mark.skipif(engine.backend() != "jax", reason="lax primitives are JAX's")
@pytest.mark.parametrize("call,primitive", [
    (lambda x: _cumulative(ops)[1] * x, "scan"),
    # A fori_loop with static bounds is a scan in JAX; with a traced bound a while.
    (lambda x: ops.fori_loop(0, 3, lambda i, v: v + x, x), "scan"),
    (lambda x: ops.fori_loop(0, ops.cast(ops.sum(x) > 0, "int32") + 2,
                             lambda i, v: v + x, x), "while"),
    (lambda x: ops.while_loop(lambda v: ops.sum(v) < 10.0, lambda v: v * 2.0, x), "while"),
    (lambda x: ops.switch(1, [lambda v: v + 1.0, lambda v: v * 3.0], x), "cond"),
    (lambda x: ops.cond(ops.sum(x) > 0, lambda: x, lambda: -x), "cond"),
    (lambda x: ops.map(lambda r: r * 2.0, x), "scan"),
    (lambda x: ops.vectorized_map(lambda r: ops.dot(r, r), x), "dot_general"),
])
def test_compiles_to_lax(call, primitive):
    import jax
    text = str(jax.make_jaxpr(call)(ops.convert_to_tensor(X[0])))
    assert primitive in text


def test_gradient_through_scan_and_while():
    def loss(x):
        _, ys = ops.scan(lambda c, row: (c * row, c * row), ops.ones((3,)), x)
        return ops.sum(ys) + ops.sum(ops.fori_loop(0, 3, lambda i, v: v * x[0], x[1]))
    _, grad = engine.core.value_and_grad(loss)(ops.convert_to_tensor(X))
    # Central differences on the same function as the independent reference.
    eps, numeric = 1e-3, np.zeros_like(X, dtype="float64")
    for idx in np.ndindex(X.shape):
        up, down = X.astype("float64").copy(), X.astype("float64").copy()
        up[idx] += eps
        down[idx] -= eps
        numeric[idx] = (float(to_np(loss(ops.convert_to_tensor(up.astype("float32"))))) -
                        float(to_np(loss(ops.convert_to_tensor(down.astype("float32")))))) \
            / (2 * eps)
    np.testing.assert_allclose(to_np(grad), numeric, rtol=2e-2, atol=2e-2)


def _log1pexp(o):
    @o.custom_gradient
    def log1pexp(x):
        e = o.exp(x)

        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            return o.multiply(upstream, 1.0 - 1.0 / o.add(1, e))
        return o.log(1 + e), grad
    return log1pexp


def test_custom_gradient_is_used_by_the_engine_autodiff():
    fn = _log1pexp(ops)

    def doubled_grad(x):
        @ops.custom_gradient
        def identity(v):
            return v, lambda g: g * 2.0   # a deliberately wrong gradient: it must be used
        return ops.sum(identity(x) * 3.0)

    x = ops.convert_to_tensor(np.array([0.0, 2.0, 100.0], "float32"))
    value, grad = engine.core.value_and_grad(lambda t: ops.sum(fn(t)))(x)
    # The custom rule stays finite at 100, where exp overflows float32.
    np.testing.assert_allclose(to_np(grad), [0.5, 1 - 1 / (1 + np.exp(2.0)), 1.0], rtol=1e-6)
    np.testing.assert_allclose(to_np(fn(x))[:2], np.log1p(np.exp([0.0, 2.0])), rtol=1e-6)
    _, grad = engine.core.value_and_grad(doubled_grad)(x)
    np.testing.assert_allclose(to_np(grad), [6.0, 6.0, 6.0])


def test_custom_gradient_two_arguments():
    @ops.custom_gradient
    def product(a, b):
        return a * b, lambda g: (g * b * 10.0, g * a)
    a = ops.convert_to_tensor(np.array([1.0, 2.0], "float32"))
    b = ops.convert_to_tensor(np.array([3.0, 4.0], "float32"))
    _, (ga, gb) = engine.core.value_and_grad(lambda p, q: ops.sum(product(p, q)),
                                             argnums=(0, 1))(a, b)
    np.testing.assert_allclose(to_np(ga), [30.0, 40.0])
    np.testing.assert_allclose(to_np(gb), [1.0, 2.0])


def test_scan_needs_xs_or_length():
    with pytest.raises(ValueError):
        ops.scan(lambda c, x: (c, c), np.float32(0.0))


def test_value_and_grad_is_one_spelling_for_a_training_step():
    # Least squares by gradient descent, the same code on both engines.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = x @ np.array([1.0, -2.0, 0.5], "float32")
    w = ops.zeros((3,))

    def loss(weights, inputs, targets):
        error = ops.subtract(ops.matmul(inputs, weights), targets)
        return ops.mean(error * error), error

    step = ops.value_and_grad(loss, has_aux=True)
    for _ in range(200):
        (value, _), grad = step(w, x, y)
        w = w - 0.1 * grad
    np.testing.assert_allclose(to_np(w), [1.0, -2.0, 0.5], atol=1e-3)
    assert float(to_np(value)) < 1e-5
