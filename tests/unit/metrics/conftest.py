"""Shared data and a runner that feeds the same batches to a layerkit metric and
to the real Keras metric, comparing results after every update and after a reset."""
import numpy as np
import pytest

from layerkit import ops

B, C = 6, 4


def make_batches(n=3, seed=11):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        logits = (rng.normal(size=(B, C)) * 2.0).astype("float32")
        probs = (np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)).astype("float32")
        labels = rng.integers(0, C, size=(B,))
        out.append(dict(
            logits=logits, probs=probs, labels=labels,
            onehot=np.eye(C, dtype="float32")[labels],
            bin_true=rng.integers(0, 2, size=(B, C)).astype("float32"),
            bin_probs=rng.random((B, C)).astype("float32"),
            reg_true=(rng.random((B, C)) * 3.0 + 0.1).astype("float32"),
            reg_pred=(rng.random((B, C)) * 3.0 + 0.1).astype("float32"),
            sw=(rng.random(B) + 0.1).astype("float32"),
        ))
    return out


BATCHES = make_batches()


def to_np(x):
    return np.asarray(ops.convert_to_numpy(x))


def compare_runs(ours, theirs, feeds, rtol=1e-5, atol=1e-6):
    """Feeds each (args, kwargs) to both metrics, comparing result() after each
    update; then resets both and compares again on the first feed."""
    for args, kwargs in feeds:
        ours.update_state(*args, **kwargs)
        theirs.update_state(*args, **kwargs)
        np.testing.assert_allclose(to_np(ours.result()), np.asarray(theirs.result()),
                                   rtol=rtol, atol=atol)
    ours.reset_state()
    theirs.reset_state()
    np.testing.assert_allclose(to_np(ours.result()), np.asarray(theirs.result()), atol=atol)
    args, kwargs = feeds[0]
    ours.update_state(*args, **kwargs)
    theirs.update_state(*args, **kwargs)
    np.testing.assert_allclose(to_np(ours.result()), np.asarray(theirs.result()), rtol=rtol,
                               atol=atol)


def feeds_for(y_true_key, y_pred_key, weighted=(False, True, True)):
    """One feed per batch; the later ones with sample weights."""
    return [((b[y_true_key], b[y_pred_key]), {"sample_weight": b["sw"]} if w else {})
            for b, w in zip(BATCHES, weighted)]


@pytest.fixture
def batches():
    return BATCHES


@pytest.fixture
def compare():
    return compare_runs


@pytest.fixture
def feeds():
    return feeds_for
