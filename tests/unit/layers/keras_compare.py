"""A layerkit layer against the same real Keras 3 layer (JAX backend), given the same
weights and inputs: output shape and values, weight names and shapes, parameter count,
config, and the gradients with respect to the input and to every weight.

    from keras_compare import compare_with_keras
    compare_with_keras(keras_oracle, "Conv2D", {"filters": 4, "kernel_size": 3}, x)

The gradients are of sum(output * g) for one random cotangent g: ours through the
engine's value_and_grad with the weights mapped in a stateless scope, Keras's through
jax.grad of its stateless_call. Test files add this folder to sys.path and import
it by name.
"""
import numpy as np

from layerkit import engine, layers
from layerkit.engine.common.stateless_scope import StatelessScope

# Config keys whose values are spelled differently on purpose: Keras 3 writes the
# dtype as a DTypePolicy dict, layerkit as its name (the Layer base's choice).
CONFIG_KEYS_SKIPPED = ("dtype", "name")


def _to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


def _normalize(value):
    """Tuples and lists compare equal, as they would after JSON; floats to 7 digits
    (Keras keeps a regularizer's 0.01 as float32, 0.009999999776482582)."""
    if isinstance(value, float):
        return float(f"{value:.7g}")
    if isinstance(value, (list, tuple)):
        return [_normalize(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalize(v) for k, v in value.items()}
    return value


def compare_config(ours, theirs, missing_ok=()):
    """Every key of Keras's config is in ours with the same value (except the keys
    in CONFIG_KEYS_SKIPPED and the listed `missing_ok`), and ours has no extra key."""
    ours_config, their_config = ours.get_config(), theirs.get_config()
    skipped = set(CONFIG_KEYS_SKIPPED)
    missing = set(their_config) - set(ours_config) - skipped - set(missing_ok)
    assert not missing, f"config keys Keras has and layerkit lacks: {sorted(missing)}"
    extra = set(ours_config) - set(their_config) - skipped
    assert not extra, f"config keys layerkit has and Keras lacks: {sorted(extra)}"
    for key in set(their_config) & set(ours_config) - skipped:
        assert _normalize(ours_config[key]) == _normalize(their_config[key]), \
            f"config[{key!r}]: layerkit {ours_config[key]!r}, Keras {their_config[key]!r}"


def _our_grads(layer, x, cotangent, call_kwargs):
    variables = layer.weights

    def loss(inputs, values):
        with StatelessScope(list(zip(variables, values))):
            out = layer(inputs, **call_kwargs)
        return engine.numpy.sum(out * engine.convert_to_tensor(cotangent))

    values = [engine.convert_to_tensor(v.numpy()) for v in variables]
    _, (gx, gw) = engine.core.value_and_grad(loss, argnums=(0, 1))(
        engine.convert_to_tensor(x), values)
    return _to_np(gx), [_to_np(g) for g in gw]


def _their_grads(layer, x, cotangent, call_kwargs):
    import jax
    import jax.numpy as jnp

    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]

    def loss(inputs, values):
        out, _ = layer.stateless_call(values, non_trainable, inputs, **call_kwargs)
        return jnp.sum(out * cotangent)

    gx, gw = jax.grad(loss, argnums=(0, 1))(jnp.asarray(x), trainable)
    return np.asarray(gx), [np.asarray(g) for g in gw]


def compare_with_keras(keras, class_name, kwargs, x, call_kwargs=None, grads=True,
                       atol=1e-4, rtol=1e-4, seed=0, config_missing_ok=()):
    """Builds layers.<class_name>(**kwargs) and keras.layers.<class_name>(**kwargs) on
    x, gives both the same random weights, and checks everything listed above.
    Returns (our output, Keras's output) as numpy arrays."""
    call_kwargs = dict(call_kwargs or {})
    rng = np.random.default_rng(seed)
    ours = getattr(layers, class_name)(**kwargs)
    theirs = getattr(keras.layers, class_name)(**kwargs)
    ours.build(x.shape)
    theirs.build(x.shape)
    assert [v.path.split("/")[-1] for v in ours.weights] == \
        [v.path.split("/")[-1] for v in theirs.weights]
    assert [tuple(v.shape) for v in ours.weights] == [tuple(v.shape) for v in theirs.weights]
    assert ours.count_params() == theirs.count_params()
    weights = [rng.uniform(-1, 1, size=v.shape).astype("float32") for v in ours.weights]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    compare_config(ours, theirs, config_missing_ok)

    out = _to_np(ours(x, **call_kwargs))
    expected = np.asarray(theirs(x, **call_kwargs))
    assert out.shape == expected.shape, f"output {out.shape}, Keras {expected.shape}"
    np.testing.assert_allclose(out, expected, atol=atol, rtol=rtol)
    batchless = (None,) + tuple(x.shape[1:])
    assert tuple(ours.compute_output_shape(batchless)) == \
        tuple(theirs.compute_output_shape(batchless))
    if grads and x.dtype.kind == "f":
        cotangent = rng.uniform(-1, 1, size=expected.shape).astype("float32")
        gx, gw = _our_grads(ours, x, cotangent, call_kwargs)
        their_gx, their_gw = _their_grads(theirs, x, cotangent, call_kwargs)
        np.testing.assert_allclose(gx, their_gx, atol=atol, rtol=rtol,
                                   err_msg="input gradient")
        for v, g, their_g in zip(ours.weights, gw, their_gw):
            np.testing.assert_allclose(g, their_g, atol=atol, rtol=rtol,
                                       err_msg=f"gradient of {v.path}")
    return out, expected
