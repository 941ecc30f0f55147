"""Keras 2's time-based decay, `SGD(lr=0.1, decay=0.01)`: each step uses
lr / (1 + decay * iterations), iterations counting the updates already made. Keras 3
no longer has the keyword, so the oracle is the formula, computed here with numpy in
float64 for a linear model trained by `fit` (mse, unshuffled, several steps per epoch,
a partial last batch)."""
import numpy as np
import pytest

from layerkit import layers, models, optimizers

LR, DECAY = 0.1, 0.01
N, FEATURES, BATCH, EPOCHS = 100, 20, 32, 3     # 4 steps per epoch, the last one of 4


def _data():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((N, FEATURES)).astype("float32")
    y = (x @ rng.standard_normal((FEATURES, 1)) + 0.5).astype("float32")
    w0 = (rng.standard_normal((FEATURES, 1)) * 0.1).astype("float32")
    b0 = np.array([0.2], "float32")
    return x, y, w0, b0


def _by_hand(x, y, w, b, momentum=0.0, nesterov=False, decay=DECAY):
    """Per-epoch mean loss (batch losses weighted by batch size, as fit reports) and the
    final weights, in float64: Keras 2's SGD with the decayed rate."""
    x, y, w, b = (a.astype(np.float64) for a in (x, y, w, b))
    vw, vb = np.zeros_like(w), np.zeros_like(b)
    iterations, losses, rates = 0, [], []
    for _ in range(EPOCHS):
        total = 0.0
        for start in range(0, N, BATCH):
            xb, yb = x[start:start + BATCH], y[start:start + BATCH]
            err = xb @ w + b - yb
            total += float(np.mean(err ** 2)) * len(xb)
            gw = 2.0 * xb.T @ err / err.size
            gb = 2.0 * err.sum(axis=0) / err.size
            lr = LR / (1.0 + decay * iterations)
            rates.append(lr)
            vw, vb = momentum * vw - lr * gw, momentum * vb - lr * gb
            if nesterov:
                w, b = w + momentum * vw - lr * gw, b + momentum * vb - lr * gb
            else:
                w, b = w + vw, b + vb
            iterations += 1
        losses.append(total / N)
    return losses, w, b, rates


@pytest.mark.parametrize("momentum,nesterov", [(0.0, False), (0.9, False), (0.9, True)])
def test_sgd_lr_decay_follows_keras2_formula(momentum, nesterov):
    x, y, w0, b0 = _data()
    model = models.Sequential([layers.Dense(1, input_shape=(FEATURES,))])
    model.set_weights([w0, b0])
    opt = optimizers.SGD(lr=LR, decay=DECAY, momentum=momentum, nesterov=nesterov)
    model.compile(optimizer=opt, loss="mse")
    history = model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0)
    losses, w, b, rates = _by_hand(x, y, w0, b0, momentum, nesterov)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-4)
    got_w, got_b = model.get_weights()
    np.testing.assert_allclose(got_w, w, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got_b, b, rtol=1e-4, atol=1e-6)
    assert int(opt.iterations) == len(rates) == 12
    # The decay is visible: the rate of the last step is 1/(1 + 0.11) of the first.
    assert rates[-1] == pytest.approx(LR / 1.11)
    # Without the decay the same program ends elsewhere, so the test sees the decay.
    _, w_plain, _, _ = _by_hand(x, y, w0, b0, momentum, nesterov, decay=0.0)
    assert np.abs(w_plain - w).max() > 1e-3
