"""Shared harness of the whole-program oracles: one program written once against a
module (`layerkit` or real `keras`), built on both, given the same initial weights,
trained on the same unshuffled data, and the per-epoch `History.history` compared."""
import numpy as np

import layerkit

RTOL = 1e-4
ATOL = 1e-6


def classification_data(n=256, features=20, classes=10, seed=0):
    """float32 inputs and one-hot float32 targets, as the seed MLP trains on."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, features)).astype("float32")
    labels = rng.integers(classes, size=n)
    y = np.eye(classes, dtype="float32")[labels]
    return x, y, labels


def regression_data(n=256, features=20, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, features)).astype("float32")
    w = rng.standard_normal((features, 1)).astype("float32")
    y = (x @ w + 0.1 * rng.standard_normal((n, 1))).astype("float32")
    return x, y


def seed_mlp(lib, features=20, classes=10, rate=0.0):
    """The seed MLP (Dense 64 relu, Dropout, Dense 64 relu, Dropout, Dense softmax)."""
    L = lib.layers
    return lib.Sequential([
        lib.Input((features,)),
        L.Dense(64, activation="relu"), L.Dropout(rate),
        L.Dense(64, activation="relu"), L.Dropout(rate),
        L.Dense(classes, activation="softmax"),
    ])


def draw_weights(model, seed=7):
    """Glorot-like float32 arrays in the shapes of `model`'s weights (biases non-zero,
    so a wrong bias path shows)."""
    rng = np.random.default_rng(seed)
    out = []
    for w in model.get_weights():
        scale = np.sqrt(2.0 / sum(w.shape)) if w.ndim >= 2 else 0.05
        out.append((rng.standard_normal(w.shape) * scale).astype("float32"))
    return out


def fit_both(keras, build, compile_kwargs, x, y, weight_seed=7, **fit_kwargs):
    """Builds `build(lib)` on layerkit and on keras, gives both the same drawn weights,
    compiles each with `compile_kwargs(lib)` and fits each with `fit_kwargs`
    (shuffle=False, verbose=0 unless given). Returns (layerkit_history, keras_history)
    dicts and the two models."""
    keras.utils.set_random_seed(0)
    layerkit.utils.set_random_seed(0)
    fit_kwargs = {"shuffle": False, "verbose": 0, **fit_kwargs}
    histories, models = [], []
    weights = None
    for lib in (layerkit, keras):
        model = build(lib)
        if weights is None:
            weights = draw_weights(model, weight_seed)
        model.set_weights(weights)
        model.compile(**compile_kwargs(lib))
        history = model.fit(x, y, **fit_kwargs)
        histories.append({k: [float(v) for v in vs] for k, vs in history.history.items()})
        models.append(model)
    return histories[0], histories[1], models


def assert_histories_match(ours, theirs, rtol=RTOL, atol=ATOL):
    """The same log keys and every per-epoch value within rtol. (Keras 3 sorts the keys
    of its logs; layerkit keeps Keras 2's order, loss first, so order is not compared.)"""
    assert sorted(ours) == sorted(theirs), (
        f"history keys differ: layerkit {list(ours)} vs keras {list(theirs)}")
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=rtol, atol=atol,
                                   err_msg=f"history[{key!r}] differs from Keras")


def assert_weights_match(ours, theirs, rtol=1e-4, atol=1e-5):
    a, b = ours.get_weights(), theirs.get_weights()
    assert len(a) == len(b)
    for i, (u, v) in enumerate(zip(a, b)):
        np.testing.assert_allclose(u, v, rtol=rtol, atol=atol,
                                   err_msg=f"weight {i} differs from Keras after fit")
