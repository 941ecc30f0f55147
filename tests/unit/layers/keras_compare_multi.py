"""keras_compare for layers with several inputs (MultiHeadAttention(query, value, key),
Attention([query, value])): our layer against the same real Keras 3 layer (JAX
backend) given the same weights and inputs. Checks the weight names and shapes, the
parameter count, the config, every output (the attention scores too) and the
gradients with respect to every float input and every weight.

    from keras_compare_multi import compare_multi_with_keras
    compare_multi_with_keras(keras_oracle, "MultiHeadAttention",
                             {"num_heads": 2, "key_dim": 3}, [q, v])

`as_list=True` calls layer([q, v]) instead of layer(q, v). `call_kwargs` may hold
arrays (attention_mask, mask); they reach both layers unchanged.
"""
import numpy as np

from layerkit import engine, layers
from layerkit.engine.common.stateless_scope import StatelessScope
from keras_compare import compare_config


def _to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


def _call(layer, inputs, as_list, call_kwargs):
    return layer(list(inputs), **call_kwargs) if as_list else layer(*inputs, **call_kwargs)


def _flat(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _our_grads(layer, inputs, cotangents, as_list, call_kwargs):
    variables = layer.weights

    def loss(xs, values):
        with StatelessScope(list(zip(variables, values))):
            outs = _flat(_call(layer, xs, as_list, call_kwargs))
        return sum(engine.numpy.sum(o * engine.convert_to_tensor(c))
                   for o, c in zip(outs, cotangents))

    values = [engine.convert_to_tensor(v.numpy()) for v in variables]
    xs = [engine.convert_to_tensor(x) for x in inputs]
    _, (gx, gw) = engine.core.value_and_grad(loss, argnums=(0, 1))(xs, values)
    return [_to_np(g) for g in gx], [_to_np(g) for g in gw]


def _their_grads(layer, inputs, cotangents, as_list, call_kwargs):
    import jax
    import jax.numpy as jnp

    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]

    def loss(xs, values):
        args = (list(xs),) if as_list else tuple(xs)
        out, _ = layer.stateless_call(values, non_trainable, *args, **call_kwargs)
        return sum(jnp.sum(o * c) for o, c in zip(_flat(out), cotangents))

    gx, gw = jax.grad(loss, argnums=(0, 1))([jnp.asarray(x) for x in inputs], trainable)
    return [np.asarray(g) for g in gx], [np.asarray(g) for g in gw]


def compare_multi_with_keras(keras, class_name, kwargs, inputs, call_kwargs=None,
                             as_list=False, grads=True, atol=1e-4, rtol=1e-4, seed=0,
                             config_missing_ok=()):
    """Returns (our outputs, Keras's outputs) as lists of numpy arrays."""
    call_kwargs = dict(call_kwargs or {})
    rng = np.random.default_rng(seed)
    ours = getattr(layers, class_name)(**kwargs)
    theirs = getattr(keras.layers, class_name)(**kwargs)
    _call(ours, inputs, as_list, call_kwargs)
    _call(theirs, inputs, as_list, call_kwargs)
    assert [v.path.split("/")[-2:] for v in ours.weights] == \
        [v.path.split("/")[-2:] for v in theirs.weights]
    assert [tuple(v.shape) for v in ours.weights] == [tuple(v.shape) for v in theirs.weights]
    assert ours.count_params() == theirs.count_params()
    weights = [rng.uniform(-1, 1, size=v.shape).astype("float32") for v in ours.weights]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    compare_config(ours, theirs, config_missing_ok)

    out = [_to_np(o) for o in _flat(_call(ours, inputs, as_list, call_kwargs))]
    expected = [np.asarray(o) for o in _flat(_call(theirs, inputs, as_list, call_kwargs))]
    assert len(out) == len(expected)
    for o, e in zip(out, expected):
        assert o.shape == e.shape, f"output {o.shape}, Keras {e.shape}"
        np.testing.assert_allclose(o, e, atol=atol, rtol=rtol)
    if grads:
        cotangents = [rng.uniform(-1, 1, size=e.shape).astype("float32") for e in expected]
        gx, gw = _our_grads(ours, inputs, cotangents, as_list, call_kwargs)
        their_gx, their_gw = _their_grads(theirs, inputs, cotangents, as_list, call_kwargs)
        for i, (g, their_g) in enumerate(zip(gx, their_gx)):
            np.testing.assert_allclose(g, their_g, atol=atol, rtol=rtol,
                                       err_msg=f"gradient of input {i}")
        for v, g, their_g in zip(ours.weights, gw, their_gw):
            np.testing.assert_allclose(g, their_g, atol=atol, rtol=rtol,
                                       err_msg=f"gradient of {v.path}")
    return out, expected
