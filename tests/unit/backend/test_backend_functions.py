"""Keras 2's `keras.backend` (K) functions: values against numpy and the real Keras."""
import warnings

import numpy as np
import pytest

import layerkit.backend as K
from layerkit import ops
from layerkit.engine.common import naming
from layerkit.engine.common.symbolic_tensor import SymbolicTensor

RNG = np.random.default_rng(3)
X = RNG.normal(size=(2, 3, 4)).astype("float32")
Y = RNG.normal(size=(2, 4, 5)).astype("float32")


def _np(x):
    return np.asarray(K.get_value(x))


def _close(a, b, **kw):
    np.testing.assert_allclose(_np(a), b, rtol=kw.get("rtol", 1e-5), atol=kw.get("atol", 1e-6))


def test_everything_in_all_exists_and_is_reachable_as_K():
    from layerkit.legacy import backend_functions
    assert backend_functions.__all__
    for name in backend_functions.__all__:
        assert getattr(K, name) is getattr(backend_functions, name), name


@pytest.mark.parametrize("fn", ["mean", "sum", "max", "min", "prod", "std", "var"])
@pytest.mark.parametrize("axis,keepdims", [(None, False), ([0, 2], True)])
def test_reductions_match_numpy(fn, axis, keepdims):
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    _close(getattr(K, fn)(X, axis=axis, keepdims=keepdims),
           getattr(np, fn)(X, axis=np_axis, keepdims=keepdims))


def test_mean_of_booleans_is_a_float_fraction():
    _close(K.mean(K.greater(X, 0.0)), (X > 0).mean())
    _close(K.sum(X, axis=1), X.sum(1))
    _close(K.max(X, axis=-1, keepdims=True), X.max(-1, keepdims=True))
    assert bool(_np(K.any(X > 5.0))) == bool((X > 5).any())
    np.testing.assert_array_equal(_np(K.all(np.abs(X) < 10, axis=0)), np.ones((3, 4), bool))


def test_elementwise_math():
    _close(K.square(X), X ** 2)
    _close(K.sqrt(X), np.sqrt(np.maximum(X, 0)))  # Keras 2 clips negatives to 0
    _close(K.abs(X), np.abs(X))
    _close(K.exp(X), np.exp(X))
    _close(K.log(np.abs(X) + 1), np.log(np.abs(X) + 1))
    _close(K.pow(np.abs(X), 1.5), np.abs(X) ** 1.5)
    _close(K.clip(X, -0.5, 0.5), np.clip(X, -0.5, 0.5))
    _close(K.clip(X, 0.5, 0.1), np.full_like(X, 0.5))  # max below min becomes min
    _close(K.clip(X, None, 0.0), np.minimum(X, 0))
    _close(K.round(np.array([0.5, 1.5, 2.4, -0.5], "float32")), [0.0, 2.0, 2.0, -0.0])
    _close(K.sign(X), np.sign(X))
    _close(K.maximum(X, 0.1), np.maximum(X, 0.1))
    np.testing.assert_array_equal(_np(K.argmax(X)), X.argmax(-1))
    np.testing.assert_array_equal(_np(K.argmin(X, axis=1)), X.argmin(1))
    for k, f in [("equal", np.equal), ("not_equal", np.not_equal), ("greater", np.greater),
                 ("greater_equal", np.greater_equal), ("less", np.less),
                 ("less_equal", np.less_equal)]:
        np.testing.assert_array_equal(_np(getattr(K, k)(X, X[0])), f(X, X[0]))
    assert K.dtype(K.cast(X, "int32")) == "int32"
    assert K.dtype(K.cast(X, "float16")) == "float16"


def test_l2_normalize_matches_tf_formula():
    expected = X / np.sqrt(np.maximum((X ** 2).sum(axis=-1, keepdims=True), 1e-12))
    _close(K.l2_normalize(X, axis=-1), expected)
    _close(K.l2_normalize(np.zeros((2, 2), "float32"), axis=1), np.zeros((2, 2)))


def test_config_functions_are_the_config_ones():
    assert K.floatx() == "float32" and K.epsilon() == pytest.approx(1e-7)
    assert K.image_data_format() == "channels_last"
    old = K.epsilon()
    try:
        K.set_epsilon(1e-5)
        assert K.epsilon() == 1e-5
    finally:
        K.set_epsilon(old)
    K.set_image_data_format("channels_first")
    try:
        assert K.image_data_format() == "channels_first"
    finally:
        K.set_image_data_format("channels_last")


def test_int_shape_and_friends_on_every_kind_of_value():
    v = K.variable(X)
    assert K.int_shape(v) == (2, 3, 4)
    assert K.int_shape(ops.convert_to_tensor(X)) == (2, 3, 4)
    assert K.int_shape(X) == (2, 3, 4)
    assert K.int_shape(SymbolicTensor((None, 7))) == (None, 7)
    assert K.shape(X)[0] == 2
    assert K.ndim(X) == 3 and K.ndim(SymbolicTensor((None, 7))) == 2
    assert K.dtype(v) == "float32" and K.count_params(v) == 24
    assert K.is_keras_tensor(SymbolicTensor((None, 7))) and not K.is_keras_tensor(X)


def test_shape_manipulation():
    assert K.int_shape(K.reshape(X, (6, -1))) == (6, 4)
    _close(K.concatenate([X, X]), np.concatenate([X, X], -1))
    _close(K.concatenate([X, X], axis=0), np.concatenate([X, X], 0))
    _close(K.stack([X, X], axis=1), np.stack([X, X], 1))
    _close(K.transpose(X), X.T)  # reverses every axis
    _close(K.permute_dimensions(X, (2, 0, 1)), X.transpose(2, 0, 1))
    assert K.int_shape(K.expand_dims(X)) == (2, 3, 4, 1)
    assert K.int_shape(K.squeeze(K.expand_dims(X, 1), 1)) == (2, 3, 4)
    _close(K.flatten(X), X.reshape(-1))
    _close(K.batch_flatten(X), X.reshape(2, -1))
    _close(K.repeat_elements(X, 2, axis=1), np.repeat(X, 2, axis=1))
    _close(K.tile(X, (1, 2, 1)), np.tile(X, (1, 2, 1)))
    _close(K.tile(X[0, 0], 2), np.tile(X[0, 0], 2))
    _close(K.repeat(X[0], 3), np.repeat(X[0][:, None], 3, axis=1))
    _close(K.gather(X, np.array([1, 0, 1])), X[[1, 0, 1]])
    _close(K.one_hot(np.array([0, 2]), 3), np.eye(3)[[0, 2]])


@pytest.mark.parametrize("xs,ys", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((2, 3, 4), (6, 4, 5)),
                                   ((4,), (4, 5)), ((3, 4), (4,))])
def test_dot_has_numpy_dot_semantics(xs, ys):
    a = RNG.normal(size=xs).astype("float32")
    b = RNG.normal(size=ys).astype("float32")
    _close(K.dot(a, b), np.dot(a, b), rtol=1e-4)


@pytest.mark.parametrize("xs,ys,axes,out_shape", [
    ((5, 4), (5, 4), 1, (5, 1)),
    ((5, 4), (5, 4), None, (5, 1)),
    ((5, 3, 4), (5, 4, 6), None, (5, 3, 6)),
    ((5, 3, 4), (5, 4, 6), (2, 1), (5, 3, 6)),
    ((5, 3, 4), (5, 3, 6), (1, 1), (5, 4, 6)),
    ((32, 20, 1), (32, 30, 20), (1, 2), (32, 1, 30)),
    ((5, 3, 4), (5, 4), None, (5, 3)),
    ((5, 4), (5, 4, 6), (1, 1), (5, 6)),
    ((5, 2, 3, 4), (5, 4, 6), (3, 1), (5, 2, 3, 6)),
    ((5, 3, 4), (5, 4, 2, 6), (2, 1), (5, 3, 2, 6)),
])
def test_batch_dot_keras2_shapes_and_values(xs, ys, axes, out_shape):
    a = RNG.normal(size=xs).astype("float32")
    b = RNG.normal(size=ys).astype("float32")
    out = _np(K.batch_dot(a, b, axes=axes))
    assert out.shape == out_shape
    if axes is None:
        axes = (a.ndim - 1, b.ndim - 1 if b.ndim == 2 else b.ndim - 2)
    elif isinstance(axes, int):
        axes = (axes, axes)
    # Reference: per-sample tensordot over the named axes.
    ref = np.stack([np.tensordot(a[i], b[i], axes=([axes[0] - 1], [axes[1] - 1]))
                    for i in range(a.shape[0])])
    np.testing.assert_allclose(out, ref.reshape(out_shape), rtol=1e-4, atol=1e-5)


def test_batch_dot_rejects_the_batch_axis_and_mismatched_sizes():
    with pytest.raises(ValueError, match="axis 0"):
        K.batch_dot(X, Y, axes=(0, 0))
    with pytest.raises(ValueError, match="cannot contract"):
        K.batch_dot(X, Y, axes=(1, 1))


def test_activations_match_keras(keras_oracle):
    kops = keras_oracle.ops
    _close(K.softmax(X), np.asarray(kops.softmax(X)))
    _close(K.softmax(X, axis=1), np.asarray(kops.softmax(X, axis=1)))
    _close(K.sigmoid(X), np.asarray(kops.sigmoid(X)))
    _close(K.tanh(X), np.tanh(X))
    _close(K.elu(X, 0.5), np.asarray(kops.elu(X, 0.5)))
    _close(K.softplus(X), np.asarray(kops.softplus(X)))
    _close(K.softsign(X), np.asarray(kops.softsign(X)))
    _close(K.relu(X, alpha=0.1, max_value=1.0, threshold=0.2),
           np.asarray(keras_oracle.activations.relu(X, negative_slope=0.1, max_value=1.0,
                                                     threshold=0.2)))
    _close(K.relu(X), np.maximum(X, 0))
    _close(K.hard_sigmoid(X), np.clip(0.2 * X + 0.5, 0, 1))  # Keras 2's slope


def test_losses_take_the_target_first_and_match_keras(keras_oracle):
    kops = keras_oracle.ops
    logits = RNG.normal(size=(6, 4)).astype("float32")
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    labels = np.array([0, 3, 1, 2, 2, 1])
    onehot = np.eye(4, dtype="float32")[labels]
    _close(K.categorical_crossentropy(onehot, probs),
           np.asarray(kops.categorical_crossentropy(onehot, probs)))
    _close(K.categorical_crossentropy(onehot, logits, from_logits=True),
           np.asarray(kops.categorical_crossentropy(onehot, logits, from_logits=True)))
    _close(K.sparse_categorical_crossentropy(labels, probs),
           np.asarray(kops.sparse_categorical_crossentropy(labels, probs)))
    _close(K.sparse_categorical_crossentropy(labels, logits, from_logits=True),
           -np.log(probs[np.arange(6), labels]))
    y = (RNG.uniform(size=(6, 4)) > 0.5).astype("float32")
    _close(K.binary_crossentropy(y, probs), np.asarray(kops.binary_crossentropy(y, probs)))
    _close(K.binary_crossentropy(y, logits, from_logits=True),
           np.asarray(kops.binary_crossentropy(y, logits, from_logits=True)))


def test_variables_and_constants():
    v = K.variable([[1, 2], [3, 4]], name="kv")
    assert K.is_variable(v) and K.dtype(v) == "float32" and v.name == "kv"
    K.set_value(v, np.ones((2, 2)))
    np.testing.assert_array_equal(K.get_value(v), np.ones((2, 2)))
    K.batch_set_value([(v, np.full((2, 2), 3.0))])
    assert [a.tolist() for a in K.batch_get_value([v])] == [[[3.0, 3.0], [3.0, 3.0]]]
    assert K.dtype(K.variable(np.arange(3), dtype="int32")) == "int32"
    z, o, e = K.zeros((2, 3)), K.ones((2,), dtype="float16"), K.eye(3)
    assert K.is_variable(z) and K.is_variable(e)
    np.testing.assert_array_equal(K.get_value(z), np.zeros((2, 3)))
    assert K.dtype(o) == "float16"
    np.testing.assert_array_equal(K.get_value(e), np.eye(3))
    np.testing.assert_array_equal(K.get_value(K.eye((2, 3))), np.eye(2, 3))
    np.testing.assert_array_equal(_np(K.zeros_like(X)), np.zeros_like(X))
    np.testing.assert_array_equal(_np(K.ones_like(X)), np.ones_like(X))
    np.testing.assert_array_equal(_np(K.constant(2.0, shape=(2, 2))), np.full((2, 2), 2.0))
    assert K.dtype(K.constant([1, 2])) == "float32"
    K.update_add(v, np.ones((2, 2)))
    np.testing.assert_array_equal(K.get_value(v), np.full((2, 2), 4.0))
    K.moving_average_update(v, np.zeros((2, 2), "float32"), 0.75)
    np.testing.assert_allclose(K.get_value(v), np.full((2, 2), 3.0))


def test_random_functions_shapes_statistics_and_seeds():
    u = _np(K.random_uniform((100, 100), minval=-1.0, maxval=3.0, seed=1))
    assert u.shape == (100, 100) and u.min() >= -1.0 and u.max() < 3.0
    assert u.mean() == pytest.approx(1.0, abs=0.05)
    n = _np(K.random_normal((100, 100), mean=2.0, stddev=0.5, seed=1))
    assert n.mean() == pytest.approx(2.0, abs=0.03) and n.std() == pytest.approx(0.5, rel=0.03)
    np.testing.assert_array_equal(_np(K.random_normal((3, 3), seed=7)),
                                  _np(K.random_normal((3, 3), seed=7)))
    b = _np(K.random_binomial((100, 100), p=0.3, seed=3))
    assert set(np.unique(b)) <= {0.0, 1.0} and b.mean() == pytest.approx(0.3, abs=0.02)
    rv = K.random_uniform_variable((2, 3), 0.0, 1.0, seed=4)
    assert K.is_variable(rv) and K.int_shape(rv) == (2, 3)
    assert K.is_variable(K.random_normal_variable((2, 3), 0.0, 1.0, seed=4))


def test_truncated_normal_passes_through():
    t = _np(K.truncated_normal((4, 50), stddev=2.0, seed=2))
    assert t.shape == (4, 50) and np.abs(t).max() <= 4.0 + 1e-5


def test_switch():
    cond = X[:, 0, 0] > 0
    expected = np.where(cond[:, None, None], X, -X)
    _close(K.switch(cond, X, -X), expected)
    _close(K.switch(X > 0, X, np.zeros_like(X)), np.maximum(X, 0))
    _close(K.switch(True, lambda: X, lambda: -X), X)


def test_stop_gradient_and_gradients():
    _close(K.stop_gradient(X), X)
    assert len(K.stop_gradient([X, X])) == 2
    # K.gradients differentiates a graph: a concrete loss is refused, naming `loss`
    # (the graph cases are in test_function_and_gradients.py).
    with pytest.raises(TypeError, match="`loss` must be a symbolic tensor"):
        K.gradients(K.sum(X), [K.variable(X)])


def test_in_top_k_and_arange():
    preds = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]], "float32")
    np.testing.assert_array_equal(_np(K.in_top_k(preds, np.array([2, 0]), 1)), [False, True])
    np.testing.assert_array_equal(_np(K.in_top_k(preds, np.array([2, 0]), 2)), [True, True])
    np.testing.assert_array_equal(_np(K.arange(4)), np.arange(4))


def test_clear_session_resets_automatic_names():
    naming.uniquify("dense")
    naming.uniquify("dense")
    K.clear_session()
    assert naming.uniquify("dense") == "dense"


def test_learning_phase_is_quiet_and_set_learning_phase_warns():
    with warnings.catch_warnings():
        warnings.simplefilter("error")     # Keras 2's K.function idiom: no warning
        assert K.learning_phase() == 0
    with pytest.warns(DeprecationWarning, match="set_learning_phase"):
        K.set_learning_phase(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        K.set_learning_phase(0)


def test_a_keras2_custom_metric_runs():
    def mean_pred(y_true, y_pred):
        return K.mean(y_pred)

    _close(mean_pred(None, X), X.mean())


def test_eval_gives_numpy_and_refuses_symbolic_tensors():
    v = K.variable(X)
    np.testing.assert_allclose(K.eval(v), X)
    np.testing.assert_allclose(K.eval(K.square(v)), X ** 2, rtol=1e-6)
    from layerkit.layers import Input
    with pytest.raises(TypeError, match="K.eval: .* is symbolic"):
        K.eval(Input((3,)))


def test_in_train_phase_follows_the_layer_call_and_the_learning_phase():
    from layerkit.layers import Layer

    class Noisy(Layer):
        def call(self, x, training=None):
            return K.in_train_phase(lambda: x * 2.0, x, training=training)

    layer = Noisy()
    _close(layer(X, training=True), X * 2)
    _close(layer(X, training=False), X)
    _close(layer(X), X)                                    # inference by default
    _close(K.in_train_phase(X * 2, X, training=1), X * 2)
    _close(K.in_test_phase(X * 2, X, training=1), X)
    assert K.in_train_phase("train", "test") == "test"     # learning phase 0
    picked = K.in_train_phase(X * 2, X, training=X > 0.5)  # a tensor selects elementwise
    _close(picked, np.where(X > 0.5, X * 2, X))
