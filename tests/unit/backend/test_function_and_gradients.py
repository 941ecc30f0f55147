"""Keras 2's K.function, K.gradients and K.placeholder over the functional graph:
values against model.predict, numpy, finite differences, analytic gradients and the
trainer's own gradient step."""
import warnings

import numpy as np
import pytest

import layerkit.backend as K
from layerkit import engine, layers, ops, optimizers
from layerkit.models import Model, Sequential

RNG = np.random.default_rng(11)


def _rand(*shape):
    return RNG.uniform(-1.0, 1.0, size=shape).astype("float32")


def _phase():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return K.learning_phase()


@pytest.fixture
def phase_reset():
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        K.set_learning_phase(0)


def _mlp(dropout=None):
    x = layers.Input((4,), name="x")
    h = layers.Dense(5, activation="tanh", name="h")(x)
    d = layers.Dropout(dropout, name="drop")(h) if dropout else h
    out = layers.Dense(2, name="out")(d)
    return Model(x, out), x, h, d


# --- K.function ----------------------------------------------------------------------
def test_function_matches_predict_and_intermediate_layers():
    model, x, h, _ = _mlp()
    xv = _rand(7, 4)
    f = K.function([model.input], [model.output, model.layers[1].output])
    out, hidden = f([xv])
    assert isinstance(out, np.ndarray) and isinstance(hidden, np.ndarray)
    np.testing.assert_allclose(out, model.predict(xv, verbose=0), rtol=1e-5, atol=1e-6)
    w, b = model.get_layer("h").get_weights()
    np.testing.assert_allclose(hidden, np.tanh(xv @ w + b), rtol=1e-5, atol=1e-6)
    # a single array for a single input, a single array for a single output
    single = K.function(model.input, model.output)
    np.testing.assert_allclose(single(xv), out, rtol=1e-6)
    # another batch size reuses the same function
    assert f([xv[:3]])[0].shape == (3, 2)


def test_function_reads_the_current_weights_on_every_call():
    model, _, _, _ = _mlp()
    f = K.function([model.input], [model.output])
    xv = _rand(3, 4)
    f([xv])
    model.set_weights([w * 0.5 for w in model.get_weights()])
    np.testing.assert_allclose(f([xv])[0], model.predict(xv, verbose=0), rtol=1e-5,
                               atol=1e-6)


def test_function_on_a_sequential_model_and_a_fed_intermediate_tensor():
    model = Sequential([layers.Dense(3, activation="relu", input_shape=(4,)), layers.Dense(2)])
    xv = _rand(5, 4)
    # Keras 2's idiom: the model's input and a layer's output, in one graph.
    assert model.layers[0].input is model.input
    first = K.function([model.input], [model.layers[0].output])([xv])[0]
    w0, b0 = model.layers[0].get_weights()
    np.testing.assert_allclose(first, np.maximum(xv @ w0 + b0, 0), rtol=1e-5, atol=1e-6)
    # Feeding the hidden tensor runs only the layers above it.
    top = K.function([model.layers[1].input], [model.output])
    w1, b1 = model.layers[1].get_weights()
    hv = _rand(5, 3)
    np.testing.assert_allclose(top([hv])[0], hv @ w1 + b1, rtol=1e-5, atol=1e-6)


def test_placeholders_and_ops_without_a_model():
    a = K.placeholder(shape=(None, 3))
    b = K.placeholder(shape=(3, 2), name="b")
    c = K.placeholder(ndim=2)
    assert a.shape == (None, 3) and c.shape == (None, None) and a.dtype == "float32"
    f = K.function([a, b], [K.dot(a, b), K.sum(K.square(a), axis=1)])
    av, bv = _rand(4, 3), _rand(3, 2)
    prod, sq = f([av, bv])
    np.testing.assert_allclose(prod, av @ bv, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sq, (av ** 2).sum(1), rtol=1e-5)
    ints = K.placeholder(shape=(None,), dtype="int32")
    np.testing.assert_array_equal(K.function([ints], [ints * 2])([np.arange(3)])[0], [0, 2, 4])


def test_learning_phase_switches_dropout(phase_reset):
    x = layers.Input((200,))
    out = layers.Dropout(0.5)(x)
    f = K.function([x, _phase()], [out])
    xv = np.ones((4, 200), "float32")
    np.testing.assert_array_equal(f([xv, 0])[0], xv)
    first, second = f([xv, 1])[0], f([xv, 1])[0]
    assert set(np.unique(first)) <= {0.0, 2.0}
    assert 0.3 < (first == 0).mean() < 0.7
    assert (first != second).any()          # the seed advances between calls
    # Without the phase among the inputs, K.set_learning_phase decides.
    g = K.function([x], [out])
    np.testing.assert_array_equal(g([xv])[0], xv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        K.set_learning_phase(1)
    assert (g([xv])[0] == 0).any()


def test_learning_phase_in_the_middle_of_the_inputs(phase_reset):
    a, b = layers.Input((100,)), layers.Input((100,))
    out = layers.Dropout(0.5)(a) + b
    f = K.function([a, _phase(), b], [out])
    av, bv = np.ones((2, 100), "float32"), _rand(2, 100)
    np.testing.assert_allclose(f([av, 0, bv])[0], av + bv, rtol=1e-6)
    dropped = f([av, 1, bv])[0] - bv
    assert np.isclose(dropped, 0.0, atol=1e-6).any() and np.isclose(dropped, 2.0).any()


# --- K.gradients: against analytic values ----------------------------------------------
def test_gradient_of_summed_dense_wrt_input_is_the_kernel_row_sums():
    x = layers.Input((4,))
    dense = layers.Dense(3)
    y = dense(x)
    grad = K.gradients(K.sum(y), x)
    assert isinstance(grad, list) and grad[0].shape == (None, 4)
    xv = _rand(5, 4)
    g = K.function([x], grad)([xv])[0]
    kernel = dense.get_weights()[0]
    np.testing.assert_allclose(g, np.tile(kernel.sum(axis=1), (5, 1)), rtol=1e-5)
    # A non-scalar loss is summed, as tf.gradients does.
    g2 = K.function([x], K.gradients(y, [x]))([xv])[0]
    np.testing.assert_allclose(g2, g, rtol=1e-6)


def test_gradient_of_mean_square_is_two_x_over_n():
    a = K.placeholder(shape=(None, 6))
    grad = K.gradients(K.mean(K.square(a)), [a])[0]
    av = _rand(3, 6)
    np.testing.assert_allclose(K.function([a], [grad])([av])[0], 2 * av / av.size, rtol=1e-5)


def test_gradient_matches_finite_differences():
    model, x, _, _ = _mlp()
    loss = K.sum(K.log(1.0 + K.square(model.output)))
    grad = K.gradients(loss, model.input)[0]
    f = K.function([model.input], [loss, grad])
    xv = _rand(3, 4).astype("float64")
    value, g = f([xv])
    eps = 1e-2
    numeric = np.zeros_like(xv)
    for idx in np.ndindex(*xv.shape):
        up, down = xv.copy(), xv.copy()
        up[idx] += eps
        down[idx] -= eps
        numeric[idx] = (f([up])[0] - f([down])[0]) / (2 * eps)
    np.testing.assert_allclose(g, numeric, rtol=2e-2, atol=2e-3)
    assert np.ndim(value) == 0


def test_gradients_wrt_weights_equal_the_trainers_sgd_step():
    model, _, _, _ = _mlp()
    model.compile(optimizer=optimizers.SGD(learning_rate=1.0), loss="mse")
    target = K.placeholder(shape=(None, 2))
    loss = K.mean(K.square(model.output - target))
    grads = K.gradients(loss, model.trainable_weights)
    assert [g.shape for g in grads] == [tuple(v.shape) for v in model.trainable_weights]
    xv, yv = _rand(8, 4), _rand(8, 2)
    symbolic = K.function([model.input, target], grads)([xv, yv])
    before = model.get_weights()
    model.train_on_batch(xv, yv)
    after = model.get_weights()
    for g, b, a in zip(symbolic, before, after):
        np.testing.assert_allclose(g, b - a, rtol=1e-4, atol=1e-6)


def test_gradient_wrt_an_intermediate_output_cuts_the_graph_above_it():
    model, x, h, _ = _mlp()
    c = 1
    grad = K.gradients(model.output[:, c], model.get_layer("h").output)[0]
    hidden, g = K.function([model.input], [h, grad])([_rand(4, 4)])
    w_out = model.get_layer("out").get_weights()[0]
    np.testing.assert_allclose(g, np.tile(w_out[:, c], (4, 1)), rtol=1e-5)
    assert hidden.shape == g.shape


def test_grad_cam_on_a_convolution():
    inp = layers.Input((6, 6, 2))
    kernel = K.variable(_rand(3, 3, 2, 4), name="conv_kernel")
    conv = ops.conv(inp, kernel, padding="same")
    logits = layers.Dense(3, name="logits")(layers.Flatten()(ops.relu(conv)))
    model = Model(inp, logits)
    c = 2
    grads = K.gradients(model.output[:, c], conv)[0]
    pooled = K.mean(grads, axis=(0, 1, 2))            # Grad-CAM's channel weights
    heatmap = K.mean(conv * pooled, axis=-1)
    conv_value, grad_value, pooled_value, heat = K.function(
        [model.input], [conv, grads, pooled, heatmap])([_rand(2, 6, 6, 2)])
    w = model.get_layer("logits").get_weights()[0][:, c].reshape(6, 6, 4)
    expected = (conv_value > 0) * w[None]
    np.testing.assert_allclose(grad_value, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(pooled_value, expected.mean(axis=(0, 1, 2)), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(heat, (conv_value * pooled_value).mean(-1), rtol=1e-5,
                               atol=1e-6)


def test_gradient_wrt_a_variable_in_an_op_node():
    x = layers.Input((3,))
    w = K.variable(_rand(3, 2))
    out = ops.matmul(x, w)
    gw, gx = K.gradients(K.sum(out), [w, x])
    xv = _rand(5, 3)
    gw_value, gx_value = K.function([x], [gw, gx])([xv])
    np.testing.assert_allclose(gw_value, np.tile(xv.sum(0)[:, None], (1, 2)), rtol=1e-5)
    np.testing.assert_allclose(gx_value, np.tile(K.get_value(w).sum(1), (5, 1)), rtol=1e-5)


def test_total_gradient_when_one_source_lies_above_another():
    model, x, h, _ = _mlp()
    loss = K.sum(K.square(model.output))
    gx_alone = K.gradients(loss, x)[0]
    gx, gh = K.gradients(loss, [x, h])
    xv = _rand(3, 4)
    alone, both_x, both_h = K.function([x], [gx_alone, gx, gh])([xv])
    np.testing.assert_allclose(both_x, alone, rtol=1e-5, atol=1e-6)
    w, b = model.get_layer("h").get_weights()
    np.testing.assert_allclose(both_x, (both_h * (1 - np.tanh(xv @ w + b) ** 2)) @ w.T,
                               rtol=1e-4, atol=1e-6)


def test_dropout_mask_is_shared_by_outputs_and_gradients():
    model, x, h, d = _mlp(dropout=0.5)
    grad_x = K.gradients(K.sum(model.output), x)[0]
    f = K.function([x, _phase()], [h, d, grad_x, model.output])
    xv = _rand(6, 4)
    hv, dv, gx, out = f([xv, 1])
    w1 = model.get_layer("h").get_weights()[0]
    w2, b2 = model.get_layer("out").get_weights()
    np.testing.assert_allclose(out, dv @ w2 + b2, rtol=1e-5, atol=1e-6)
    scale = np.where(np.abs(hv) > 1e-7, dv / np.where(hv == 0, 1, hv), 0.0)  # mask / keep
    expected = (scale * (1 - hv ** 2) * w2.sum(1)) @ w1.T
    np.testing.assert_allclose(gx, expected, rtol=1e-4, atol=1e-5)


def test_multiple_losses_are_summed_and_multi_input_models_work():
    a, b = layers.Input((2,)), layers.Input((2,))
    out = layers.Dense(1)(ops.concatenate([a, b * 3.0], axis=-1))
    model = Model([a, b], out)
    ga, gb = K.gradients([K.sum(out), K.sum(2.0 * out)], model.inputs)
    kernel = model.layers[-1].get_weights()[0][:, 0]
    av, bv = _rand(2, 2), _rand(2, 2)
    ga_v, gb_v = K.function(model.inputs, [ga, gb])([av, bv])
    np.testing.assert_allclose(ga_v, np.tile(3 * kernel[:2], (2, 1)), rtol=1e-5)
    np.testing.assert_allclose(gb_v, np.tile(9 * kernel[2:], (2, 1)), rtol=1e-5)


def test_unconnected_sources_give_none():
    a, b = layers.Input((3,)), layers.Input((3,))
    ids = layers.Input((3,), dtype="int32")
    other = layers.Dense(2)
    unused = other(b)
    ha = layers.Dense(2)(a)
    loss = K.sum(ha) + K.sum(K.cast(ids, "float32"))
    grads = K.gradients(loss, [b, other.kernel, a, ids, unused])
    assert grads[0] is None and grads[1] is None and grads[3] is None and grads[4] is None
    assert grads[2].shape == (None, 3)
    with pytest.raises(ValueError, match=r"outputs\[1\] is None.*does not depend"):
        K.function([a, b, ids], [grads[2], grads[0]])


def test_value_and_grad_is_the_engines_autodiff():
    def fn(xs, unused):
        return ops.sum(xs[0] * xs[0]) + ops.sum(xs[1]), {"aux": xs[0] * 2}

    x0, x1, u = _rand(3), _rand(2), _rand(2)
    t = engine.convert_to_tensor
    (value, aux), (gx, gu) = engine.core.value_and_grad(fn, argnums=(0, 1), has_aux=True)(
        [t(x0), t(x1)], t(u))
    as_np = lambda v: np.asarray(engine.convert_to_numpy(v))
    np.testing.assert_allclose(as_np(value), (x0 ** 2).sum() + x1.sum(), rtol=1e-6)
    np.testing.assert_allclose(as_np(gx[0]), 2 * x0, rtol=1e-6)
    np.testing.assert_allclose(as_np(gx[1]), np.ones(2))
    np.testing.assert_allclose(as_np(gu), np.zeros(2))      # an unused argument
    np.testing.assert_allclose(as_np(aux["aux"]), 2 * x0, rtol=1e-6)


# --- errors ----------------------------------------------------------------------------
def test_function_errors_name_the_argument():
    model, x, _, _ = _mlp()
    v = K.variable(np.zeros(2))
    with pytest.raises(NotImplementedError, match=r"K\.function: `updates` is not supported"):
        K.function([x], [model.output], updates=[(v, v + 1)])
    with pytest.raises(TypeError, match=r"unrecognized keyword argument\(s\) \['feed_dict'\]"):
        K.function([x], [model.output], feed_dict={})
    with pytest.raises(TypeError, match=r"inputs\[0\] must be a symbolic tensor.*ndarray"):
        K.function([np.zeros((2, 4))], [model.output])
    with pytest.raises(TypeError, match=r"outputs\[0\] must be a symbolic tensor.*str"):
        K.function([x], ["out"])
    other = layers.Input((4,), name="other_input")
    with pytest.raises(ValueError, match=r"need the input other_input.*not among the inputs"):
        K.function([x], [layers.Dense(2)(other)])
    f = K.function([x], [model.output])
    with pytest.raises(ValueError, match=r"expects 1 input value\(s\).*received 2"):
        f([np.zeros((2, 4)), np.zeros((2, 4))])
    with pytest.raises(ValueError, match=r"input 0 \(x\) expects shape \(None, 4\).*\(2, 5\)"):
        f([np.zeros((2, 5))])
    g = K.function([x, _phase()], [model.output])
    with pytest.raises(ValueError, match=r"learning_phase\(\) must be 0.*or 1"):
        g([np.zeros((2, 4)), 3])
    K.function([x], [model.output], updates=[], name="fine")   # empty updates are fine


def test_gradients_and_placeholder_errors():
    x = layers.Input((3,))
    y = layers.Dense(2)(x)
    with pytest.raises(TypeError, match=r"K\.gradients: `loss` must be a symbolic tensor"):
        K.gradients(K.sum(np.ones(3, "float32")), [K.variable(np.ones(3))])
    with pytest.raises(TypeError, match=r"variables\[0\] must be a symbolic tensor.*ndarray"):
        K.gradients(K.sum(y), [np.ones(3)])
    with pytest.raises(TypeError, match="float dtype"):
        K.gradients(K.argmax(y), [x])
    g = K.gradients(K.sum(y), x)[0]
    with pytest.raises(NotImplementedError, match="second-order"):
        K.gradients(K.sum(g * y[:, :1]), x)
    with pytest.raises(ValueError, match=r"K\.placeholder: pass `shape`.*or `ndim`"):
        K.placeholder()
    with pytest.raises(NotImplementedError, match="sparse"):
        K.placeholder(shape=(None, 2), sparse=True)


def test_the_gradients_message_no_longer_mentions_train_step():
    assert "train_step" not in (K.gradients.__doc__ or "")
