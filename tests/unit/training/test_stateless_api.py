"""The pure pieces a custom step is made of: Model.stateless_call,
optimizer.apply/apply_gradients/stateless_apply, metrics' stateless_update_state /
stateless_result / stateless_reset_state; numbers against real Keras 3."""
import numpy as np
import pytest

import layerkit
from layerkit import layers, ops
from layerkit.utils import set_random_seed


def _np(t):
    return ops.convert_to_numpy(t)


def test_variable_and_version_at_the_top_level():
    v = layerkit.Variable(np.ones((2, 3), "float32"), name="w")
    assert isinstance(v, layerkit.engine.Variable) and v.shape == (2, 3)
    v.assign(np.full((2, 3), 2.0, "float32"))
    np.testing.assert_allclose(v.numpy(), 2.0)
    frozen = layerkit.Variable(np.zeros(3, "float32"), trainable=False)
    assert frozen.trainable is False
    assert layerkit.version() == layerkit.__version__


def test_stateless_call_uses_the_given_values_and_returns_new_statistics():
    set_random_seed(0)
    inp = layers.Input((3,))
    model = layerkit.Model(inp, layers.BatchNormalization()(layers.Dense(2)(inp)))
    x = np.random.default_rng(0).random((5, 3)).astype("float32")
    tv = [np.zeros(v.shape, "float32") + 0.5 for v in model.trainable_variables]
    ntv = [v.numpy() for v in model.non_trainable_variables]
    before = [v.numpy() for v in model.weights]
    out, new_ntv = model.stateless_call(tv, ntv, x, training=True)
    kernel, bias = tv[0], tv[1]
    h = x @ kernel + bias
    mean, var = h.mean(0), h.var(0)
    gamma, beta = tv[2], tv[3]
    expected = (h - mean) / np.sqrt(var + 1e-3) * gamma + beta
    np.testing.assert_allclose(_np(out), expected, rtol=1e-4, atol=1e-5)
    # moving_mean = 0.99 * old + 0.01 * batch mean (Keras's momentum)
    np.testing.assert_allclose(_np(new_ntv[0]), 0.99 * ntv[0] + 0.01 * mean, rtol=1e-5)
    for a, b in zip(before, model.weights):        # the Variables are untouched
        np.testing.assert_array_equal(a, b.numpy())
    with pytest.raises(ValueError, match="expected 4 trainable and 2 non-trainable"):
        model.stateless_call(tv[:1], ntv, x)


def test_optimizer_apply_forms_match_keras(keras_oracle):
    grads = [np.array([0.1, -0.3, 0.5], "float32"), np.array([-0.2, 0.4, 0.0], "float32")]
    lk_var = layerkit.Variable(np.array([1.0, -2.0, 3.0], "float32"))
    k_var = keras_oracle.Variable(np.array([1.0, -2.0, 3.0], "float32"))
    lk_opt = layerkit.optimizers.Adam(0.1)
    k_opt = keras_oracle.optimizers.Adam(0.1)
    lk_opt.apply([grads[0]], [lk_var])
    k_opt.apply([grads[0]], [k_var])
    lk_opt.apply_gradients([(grads[1], lk_var)])
    k_opt.apply_gradients([(grads[1], k_var)])
    np.testing.assert_allclose(lk_var.numpy(), np.asarray(k_var.numpy()), rtol=1e-6)
    assert int(lk_opt.iterations.numpy()) == 2
    # stateless_apply: the same update on values; the Variables stay as they were.
    lk_vals = [v.numpy() for v in lk_opt.variables]
    k_vals = [np.asarray(v.numpy()) for v in k_opt.variables]
    new_lk, opt_lk = lk_opt.stateless_apply(lk_vals, [grads[0]], [lk_var.numpy()])
    new_k, opt_k = k_opt.stateless_apply(k_vals, [grads[0]], [np.asarray(k_var.numpy())])
    np.testing.assert_allclose(_np(new_lk[0]), np.asarray(new_k[0]), rtol=1e-6)
    assert len(opt_lk) == len(opt_k)
    for a, b in zip(opt_lk, opt_k):
        np.testing.assert_allclose(_np(a), np.asarray(b), rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(lk_var.numpy(), np.asarray(k_var.numpy()), rtol=1e-6)
    assert int(lk_opt.iterations.numpy()) == 2


@pytest.mark.parametrize("name,args", [
    ("Mean", (np.array([1.0, 2.0, 6.0], "float32"),)),
    ("MeanAbsoluteError", (np.array([[1.0], [2.0]], "float32"),
                           np.array([[1.5], [0.0]], "float32"))),
    ("SparseCategoricalAccuracy", (np.array([0, 2, 1]),
                                   np.array([[0.9, 0.1, 0.0], [0.1, 0.2, 0.7],
                                             [0.6, 0.3, 0.1]], "float32"))),
])
def test_metric_stateless_forms_match_keras(keras_oracle, name, args):
    lk = getattr(layerkit.metrics, name)()
    k = getattr(keras_oracle.metrics, name)()
    lk_vals = [v.numpy() for v in lk.variables]
    k_vals = [np.asarray(v.numpy()) for v in k.variables]
    for _ in range(2):
        lk_vals = lk.stateless_update_state(lk_vals, *args)
        k_vals = k.stateless_update_state(k_vals, *args)
    np.testing.assert_allclose(_np(lk.stateless_result(lk_vals)),
                               np.asarray(k.stateless_result(k_vals)), rtol=1e-6)
    for a, b in zip(lk_vals, k_vals):
        np.testing.assert_allclose(_np(a), np.asarray(b), rtol=1e-5, atol=1e-9)
    # The metric's own Variables never moved; reset gives zeros without touching them.
    assert float(_np(lk.result())) == 0.0
    for v in lk.stateless_reset_state():
        np.testing.assert_array_equal(_np(v), 0)
    with pytest.raises(ValueError, match=f"expected {len(lk.variables)} values"):
        lk.stateless_result(lk_vals[:1])
