"""Regression, probabilistic and hinge metrics against Keras and NumPy."""
import numpy as np
import pytest

from layerkit import metrics, ops


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


CASES = [
    ("MeanSquaredError", {}, "reg_true", "reg_pred"),
    ("MeanAbsoluteError", {}, "reg_true", "reg_pred"),
    ("MeanAbsolutePercentageError", {}, "reg_true", "reg_pred"),
    ("MeanSquaredLogarithmicError", {}, "reg_true", "reg_pred"),
    ("RootMeanSquaredError", {}, "reg_true", "reg_pred"),
    ("CosineSimilarity", {}, "reg_true", "logits"),
    ("LogCoshError", {}, "reg_true", "reg_pred"),
    ("BinaryCrossentropy", {}, "bin_true", "bin_probs"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "bin_true",
     "logits"),
    ("CategoricalCrossentropy", {}, "onehot", "probs"),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, "onehot",
     "logits"),
    ("SparseCategoricalCrossentropy", {}, "labels", "probs"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "labels", "logits"),
    ("KLDivergence", {}, "onehot", "probs"),
    ("Poisson", {}, "reg_true", "reg_pred"),
    ("Hinge", {}, "bin_true", "logits"),
    ("SquaredHinge", {}, "bin_true", "logits"),
    ("CategoricalHinge", {}, "onehot", "logits"),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}{c[1]}" for c in CASES])
def test_matches_keras(case, keras_oracle, compare, feeds):
    name, kwargs, t, p = case
    ours = getattr(metrics, name)(**kwargs)
    theirs = getattr(keras_oracle.metrics, name)(**kwargs)
    compare(ours, theirs, feeds(t, p))
    assert ours.name == theirs.name


def test_cosine_similarity_function_matches_keras(keras_oracle, batches):
    b = batches[0]
    np.testing.assert_allclose(
        _np(metrics.cosine_similarity(b["reg_true"], b["logits"])),
        -np.asarray(keras_oracle.losses.cosine_similarity(b["reg_true"], b["logits"])),
        rtol=1e-5)


def test_regression_metrics_match_numpy(batches):
    mse, rmse, mae = (metrics.MeanSquaredError(), metrics.RootMeanSquaredError(),
                      metrics.MeanAbsoluteError())
    sq, ab, ws = [], [], []
    for b in batches:
        for m in (mse, rmse, mae):
            m.update_state(b["reg_true"], b["reg_pred"], sample_weight=b["sw"])
        d = b["reg_true"] - b["reg_pred"]
        sq.append((d ** 2).mean(-1) * b["sw"])
        ab.append(np.abs(d).mean(-1) * b["sw"])
        ws.append(b["sw"])
    wsum = np.concatenate(ws).sum()
    np.testing.assert_allclose(_np(mse.result()), np.concatenate(sq).sum() / wsum, rtol=1e-5)
    np.testing.assert_allclose(_np(rmse.result()), np.sqrt(np.concatenate(sq).sum() / wsum),
                               rtol=1e-5)
    np.testing.assert_allclose(_np(mae.result()), np.concatenate(ab).sum() / wsum, rtol=1e-5)


def test_crossentropy_metric_matches_numpy(batches):
    m = metrics.CategoricalCrossentropy()
    b = batches[0]
    m.update_state(b["onehot"], b["probs"])
    want = -(b["onehot"] * np.log(np.clip(b["probs"], 1e-7, 1 - 1e-7))).sum(-1).mean()
    np.testing.assert_allclose(_np(m.result()), want, rtol=1e-5)
