"""A layerkit recurrent layer against the same real Keras 3 layer (JAX backend): every
output (sequences, last output, states), and the gradients of sum(outputs * g) with
respect to the inputs, the initial states and every weight, for the same weights,
inputs, masks and initial states. Test files add this folder to sys.path."""
import re

import numpy as np

from layerkit import engine
from layerkit.engine.common.stateless_scope import StatelessScope


def to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


def _as_list(out):
    """The outputs, flattened (stacked cells return one list of states per cell)."""
    if isinstance(out, (list, tuple)):
        return [leaf for o in out for leaf in _as_list(o)]
    return [out]


def share_weights(ours, theirs, input_shape, seed=0):
    ours.build(input_shape)
    theirs.build(input_shape)
    # Keras's paths ("lstm/lstm_cell/kernel"), up to the counters of uniquified names.
    def paths(layer):
        return [re.sub(r"_\d+(?=/|$)", "", v.path) for v in layer.weights]
    assert paths(ours) == paths(theirs), (paths(ours), paths(theirs))
    assert ours.count_params() == theirs.count_params()
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(-0.8, 0.8, size=v.shape).astype("float32") for v in theirs.weights]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    return weights


def our_outputs_and_grads(layer, x, cotangents, mask=None, initial_state=None):
    variables = layer.weights
    kwargs = {} if mask is None else {"mask": engine.convert_to_tensor(mask)}
    n_states = 0 if initial_state is None else len(initial_state)

    def loss(inputs, states, values):
        call = dict(kwargs)
        if n_states:
            call["initial_state"] = list(states)
        with StatelessScope(list(zip(variables, values))):
            outs = _as_list(layer(inputs, **call))
        total = 0.0
        for o, g in zip(outs, cotangents):
            total = total + engine.numpy.sum(o * engine.convert_to_tensor(g))
        return total, outs

    values = [engine.convert_to_tensor(v.numpy()) for v in variables]
    states = [engine.convert_to_tensor(s) for s in (initial_state or [])]
    (_, outs), (gx, gs, gw) = engine.core.value_and_grad(
        loss, argnums=(0, 1, 2), has_aux=True)(engine.convert_to_tensor(x), states, values)
    return [to_np(o) for o in outs], to_np(gx), [to_np(g) for g in gs], \
        [to_np(g) for g in gw]


def keras_outputs_and_grads(layer, x, cotangents, mask=None, initial_state=None):
    import jax
    import jax.numpy as jnp
    kwargs = {} if mask is None else {"mask": jnp.asarray(mask)}
    non_trainable = [v.value for v in layer.non_trainable_variables]
    n_states = 0 if initial_state is None else len(initial_state)

    def loss(inputs, states, values):
        call = dict(kwargs)
        if n_states:
            call["initial_state"] = list(states)
        outs, _ = layer.stateless_call(values, non_trainable, inputs, **call)
        outs = _as_list(outs)
        return sum(jnp.sum(o * g) for o, g in zip(outs, cotangents)), outs

    values = [v.value for v in layer.trainable_variables]
    states = [jnp.asarray(s) for s in (initial_state or [])]
    (_, outs), (gx, gs, gw) = jax.value_and_grad(loss, argnums=(0, 1, 2), has_aux=True)(
        jnp.asarray(x), states, values)
    return [np.asarray(o) for o in outs], np.asarray(gx), [np.asarray(g) for g in gs], \
        [np.asarray(g) for g in gw]


def assert_matches_keras(ours, theirs, x, mask=None, initial_state=None, atol=2e-5,
                         seed=0):
    """Shares random weights, then compares every output and every gradient."""
    share_weights(ours, theirs, x.shape, seed)
    kwargs = {} if mask is None else {"mask": mask}
    if initial_state is not None:
        kwargs["initial_state"] = initial_state
    shapes = [o.shape for o in _as_list(theirs(x, **kwargs))]
    rng = np.random.default_rng(seed + 1)
    cotangents = [rng.uniform(-1, 1, size=s).astype("float32") for s in shapes]
    mine = our_outputs_and_grads(ours, x, cotangents, mask, initial_state)
    ref = keras_outputs_and_grads(theirs, x, cotangents, mask, initial_state)
    assert len(mine[0]) == len(ref[0])
    for i, (a, b) in enumerate(zip(mine[0], ref[0])):
        np.testing.assert_allclose(a, b, atol=atol, rtol=1e-4, err_msg=f"output {i}")
    np.testing.assert_allclose(mine[1], ref[1], atol=atol, rtol=1e-4, err_msg="input grad")
    for i, (a, b) in enumerate(zip(mine[2], ref[2])):
        np.testing.assert_allclose(a, b, atol=atol, rtol=1e-4, err_msg=f"state {i} grad")
    assert len(mine[3]) == len(ref[3])
    for v, a, b in zip(ours.weights, mine[3], ref[3]):
        np.testing.assert_allclose(a, b, atol=atol, rtol=1e-4, err_msg=f"grad of {v.path}")
    return mine[0]
