"""The model output's mask weights the loss and the metrics, in fit and evaluate on both
engines' steps, with the numbers of the real Keras 3 (same initial weights, unshuffled
data, SGD)."""
import numpy as np
import pytest

import layerkit as lk


def padded_regression(n=8, steps=5, features=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, steps, features)).astype("float32")
    for i in range(n):
        x[i, steps - 1 - i % 4:, :] = 0.0
    x[2, 1, :] = 0.0
    y = rng.normal(size=(n, steps, 2)).astype("float32")
    return x, y


def masked_model(lib, units=2, activation=None, nested=False):
    inp = lib.Input((5, 3))
    h = lib.layers.Masking()(inp)
    h = lib.layers.Dense(4, activation="tanh")(h)
    if nested:
        inner_in = lib.Input((5, 4))
        inner = lib.Model(inner_in, lib.layers.Dense(units, activation=activation)(inner_in))
        return lib.Model(inp, inner(h))
    return lib.Model(inp, lib.layers.Dense(units, activation=activation)(h))


def compiled_pair(keras, loss, metrics, **model_kwargs):
    ours, theirs = masked_model(lk, **model_kwargs), masked_model(keras, **model_kwargs)
    theirs.set_weights(ours.get_weights())
    ours.compile(optimizer=lk.optimizers.SGD(0.1), loss=loss, metrics=metrics)
    theirs.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss, metrics=metrics)
    return ours, theirs


CASES = [
    ("mse", ["mae"], {}),
    ("mse", ["mae", "mse"], {"nested": True}),
    ("sparse_categorical_crossentropy", ["accuracy"], {"units": 3, "activation": "softmax"}),
]


def targets(loss, y):
    if loss.startswith("sparse"):
        return (np.abs(y[..., 0]) * 2).astype("int32") % 3
    return y


@pytest.mark.parametrize("loss,metrics,model_kwargs", CASES)
def test_evaluate_with_masked_output_matches_keras(loss, metrics, model_kwargs, keras_oracle):
    x, y = padded_regression()
    y = targets(loss, y)
    ours, theirs = compiled_pair(keras_oracle, loss, metrics, **model_kwargs)
    got = ours.evaluate(x, y, batch_size=3, verbose=0, return_dict=True)
    want = theirs.evaluate(x, y, batch_size=3, verbose=0, return_dict=True)
    assert got.keys() == want.keys()
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-5, err_msg=k)
    # The padding is really left out: the unmasked loss differs.
    plain = masked_model(lk, **model_kwargs)
    plain.set_weights(ours.get_weights())
    plain.compile(optimizer="sgd", loss=loss)
    x_shifted = np.where(x == 0.0, 1e-3, x).astype("float32")
    assert abs(plain.evaluate(x_shifted, y, batch_size=3, verbose=0) - got["loss"]) > 1e-3


@pytest.mark.parametrize("loss,metrics,model_kwargs", CASES)
def test_fit_with_masked_output_matches_keras(loss, metrics, model_kwargs, keras_oracle):
    x, y = padded_regression()
    y = targets(loss, y)
    ours, theirs = compiled_pair(keras_oracle, loss, metrics, **model_kwargs)
    got = ours.fit(x, y, batch_size=3, epochs=3, shuffle=False, verbose=0).history
    want = theirs.fit(x, y, batch_size=3, epochs=3, shuffle=False, verbose=0).history
    np.testing.assert_allclose(got["loss"], want["loss"], rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("loss,metrics,model_kwargs", CASES)
def test_fit_metrics_with_masked_output_match_keras(loss, metrics, model_kwargs,
                                                    keras_oracle):
    # Keras 3's JAX train step loses the mask of y_pred before its metrics (the aux
    # output of value_and_grad is a new array; its torch step keeps it). With one batch
    # per epoch, an epoch's metrics are those of the model before the epoch's update:
    # Keras's evaluate() gives them, masked.
    x, y = padded_regression()
    y = targets(loss, y)
    ours, theirs = compiled_pair(keras_oracle, loss, metrics, **model_kwargs)
    history = ours.fit(x, y, batch_size=len(x), epochs=3, shuffle=False, verbose=0).history
    for epoch in range(3):
        want = theirs.evaluate(x, y, batch_size=len(x), verbose=0, return_dict=True)
        theirs.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
        for k in want:
            np.testing.assert_allclose(history[k][epoch], want[k], rtol=1e-4,
                                       err_msg=f"{k}, epoch {epoch}")
