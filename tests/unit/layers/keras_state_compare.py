"""Per-layer checks against the real Keras 3 (the keras_oracle fixture): outputs,
gradients, state updates and config. Written to move onto the shared layer
contract test once it lands; each function takes a built layerkit layer and the
matching Keras layer."""
import inspect

import numpy as np

from layerkit import engine
from layerkit.engine.common.stateless_scope import StatelessScope

# The base Layer config differs from Keras 3's in one value: layerkit stores the
# dtype as a name, Keras 3 as a serialized DTypePolicy.
BASE_DIFFERENCES = ("dtype",)


def to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


def rand(*shape, low=-1.0, high=1.0):
    return np.random.uniform(low, high, size=shape).astype("float32")


def share_weights(ours, theirs, input_shape, randomize=True):
    """Builds both layers and gives them the same (random unless told) weights;
    returns the arrays."""
    ours.build(input_shape)
    theirs.build(input_shape)
    assert [v.path.split("/")[-1] for v in ours.weights] == \
        [v.path.split("/")[-1] for v in theirs.weights]
    weights = [rand(*w.shape, low=0.5, high=1.5) if randomize else np.asarray(w)
               for w in theirs.get_weights()]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    return weights


def our_output_and_grads(layer, x, training, upstream, mask=None):
    """(output, d<output*upstream>/dx, d/dweights for the trainable weights, new values
    of the non-trainable weights) through the engine's autodiff."""
    trainable, others = layer.trainable_weights, layer.non_trainable_weights
    kwargs = {} if mask is None else {"mask": engine.convert_to_tensor(mask)}

    def loss(tv, x_):
        with StatelessScope(list(zip(trainable, tv))) as scope:
            y = layer(x_, training=training, **kwargs)
        new = [scope.get_current_value(v) for v in others]
        return (y * engine.convert_to_tensor(upstream)).sum(), (y, new)

    tv = [v.value for v in trainable]
    (_, (y, new)), (g_w, g_x) = engine.core.value_and_grad(
        loss, argnums=(0, 1), has_aux=True)(tv, engine.convert_to_tensor(x))
    new = [to_np(o.value) if n is None else to_np(n) for n, o in zip(new, others)]
    return to_np(y), to_np(g_x), [to_np(g) for g in g_w], new


def keras_output_and_grads(layer, x, training, upstream, mask=None):
    import jax
    import jax.numpy as jnp
    nt = [v.value for v in layer.non_trainable_variables]
    kwargs = {} if mask is None else {"mask": jnp.asarray(mask)}
    if "training" in inspect.signature(layer.call).parameters:
        kwargs["training"] = training

    def loss(tv, x_):
        y, new_nt = layer.stateless_call(tv, nt, x_, **kwargs)
        return jnp.sum(y * upstream), (y, new_nt)

    tv = [v.value for v in layer.trainable_variables]
    (_, (y, new)), (g_w, g_x) = jax.value_and_grad(loss, argnums=(0, 1), has_aux=True)(
        tv, jnp.asarray(x))
    new = [np.asarray(n) for n, v in zip(new, layer.non_trainable_variables)
           if v.path in {w.path for w in layer.non_trainable_weights}]
    return np.asarray(y), np.asarray(g_x), [np.asarray(g) for g in g_w], new


def assert_matches_keras(ours, theirs, x, training, atol=1e-5, mask=None):
    """Outputs, input and weight gradients, and the non-trainable weights after the
    call agree with Keras's for the same weights and inputs."""
    upstream = rand(*ours.compute_output_shape(np.shape(x)))
    a = our_output_and_grads(ours, x, training, upstream, mask)
    b = keras_output_and_grads(theirs, x, training, upstream, mask)
    names = ("output", "input gradient")
    for name, mine, ref in zip(names, a[:2], b[:2]):
        np.testing.assert_allclose(mine, ref, atol=atol, rtol=1e-4, err_msg=name)
    assert len(a[2]) == len(b[2])
    for mine, ref in zip(a[2], b[2]):
        np.testing.assert_allclose(mine, ref, atol=atol, rtol=1e-4, err_msg="weight gradient")
    assert len(a[3]) == len(b[3])
    for mine, ref in zip(a[3], b[3]):
        np.testing.assert_allclose(mine, ref, atol=atol, rtol=1e-4, err_msg="state update")
    return a


def assert_config_matches_keras(ours, theirs):
    """Same keys as Keras 3's config, equal values but for BASE_DIFFERENCES; and the
    config rebuilds an equal layer."""
    mine, ref = ours.get_config(), theirs.get_config()
    assert set(mine) == set(ref), (set(mine) ^ set(ref))
    for key in ref:
        if key not in BASE_DIFFERENCES:
            assert mine[key] == ref[key], (key, mine[key], ref[key])
    assert type(ours).from_config(mine).get_config() == mine
