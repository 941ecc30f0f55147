"""AUC, Precision, Recall and the confusion counts against Keras and NumPy."""
import numpy as np
import pytest

from layerkit import metrics, ops


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


# Threshold counts are kept to a few values (200, 3, 1) so that the engines
# compile few shapes.
CASES = [
    ("AUC", {}),
    ("AUC", {"curve": "PR"}),
    ("AUC", {"summation_method": "minoring"}),
    ("AUC", {"curve": "PR", "summation_method": "majoring"}),
    ("AUC", {"thresholds": [0.4]}),
    ("AUC", {"label_weights": [0.5, 1.0, 2.0, 1.5]}),
    ("Precision", {}),
    ("Precision", {"thresholds": [0.2, 0.5, 0.8]}),
    ("Precision", {"top_k": 2}),
    ("Recall", {}),
    ("Recall", {"thresholds": [0.3, 0.6, 0.9], "class_id": 2}),
    ("Recall", {"top_k": 1}),
    ("TruePositives", {}),
    ("FalsePositives", {"thresholds": [0.3, 0.6, 0.9]}),
    ("TrueNegatives", {"thresholds": 0.7}),
    ("FalseNegatives", {}),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}{c[1]}" for c in CASES])
def test_matches_keras(case, keras_oracle, compare, feeds):
    name, kwargs = case
    ours = getattr(metrics, name)(**kwargs)
    theirs = getattr(keras_oracle.metrics, name)(**kwargs)
    compare(ours, theirs, feeds("bin_true", "bin_probs"))


def test_auc_from_logits_matches_keras(keras_oracle, compare, feeds):
    compare(metrics.AUC(from_logits=True), keras_oracle.metrics.AUC(from_logits=True),
            feeds("onehot", "logits"))


@pytest.mark.parametrize("kwargs", [{}, {"thresholds": [0.5]}, {"thresholds": [0.4]}])
def test_auc_with_scores_outside_0_1_matches_keras(kwargs, keras_oracle, compare, feeds):
    # Evenly spaced thresholds take scores clipped to [0, 1], as Keras's bucketed
    # update does; other thresholds compare the raw scores.
    compare(metrics.AUC(**kwargs), keras_oracle.metrics.AUC(**kwargs),
            feeds("bin_true", "logits"))


def test_single_column_output_matches_keras(keras_oracle, compare, batches):
    # (batch,) labels against a (batch, 1) sigmoid output, the binary classifier shape.
    fs = [((b["bin_true"][:, 0], b["bin_probs"][:, :1]), {"sample_weight": b["sw"]})
          for b in batches]
    for name in ("AUC", "Precision", "Recall"):
        compare(getattr(metrics, name)(), getattr(keras_oracle.metrics, name)(), fs)


def test_precision_recall_match_numpy(batches):
    p, r = metrics.Precision(), metrics.Recall()
    tp = fp = fn = 0.0
    for b in batches:
        p.update_state(b["bin_true"], b["bin_probs"], sample_weight=b["sw"])
        r.update_state(b["bin_true"], b["bin_probs"], sample_weight=b["sw"])
        pred = b["bin_probs"] > 0.5
        true = b["bin_true"] > 0
        w = b["sw"][:, None]
        tp += ((pred & true) * w).sum()
        fp += ((pred & ~true) * w).sum()
        fn += ((~pred & true) * w).sum()
    np.testing.assert_allclose(_np(p.result()), tp / (tp + fp), rtol=1e-5)
    np.testing.assert_allclose(_np(r.result()), tp / (tp + fn), rtol=1e-5)
    counts = metrics.TruePositives(thresholds=[0.25, 0.5])
    counts.update_state(batches[0]["bin_true"], batches[0]["bin_probs"])
    want = [((batches[0]["bin_probs"] > t) & (batches[0]["bin_true"] > 0)).sum()
            for t in (0.25, 0.5)]
    np.testing.assert_allclose(_np(counts.result()), want)


@pytest.mark.parametrize("curve", ["ROC", "PR"])
def test_multi_label_auc_averages_per_label_aucs(batches, curve):
    # Multi-label AUC is the (label-weighted) mean of one single-label AUC per
    # column; the single-label AUC is checked against Keras above.
    label_weights = np.array([0.5, 1.0, 2.0, 1.5], "float32")
    multi = metrics.AUC(multi_label=True, num_labels=4, curve=curve)
    weighted = metrics.AUC(multi_label=True, num_labels=4, curve=curve,
                           label_weights=label_weights)
    single = [metrics.AUC(curve=curve) for _ in range(4)]
    for b in batches:
        multi.update_state(b["bin_true"], b["bin_probs"], sample_weight=b["sw"])
        weighted.update_state(b["bin_true"], b["bin_probs"], sample_weight=b["sw"])
        for j, m in enumerate(single):
            m.update_state(b["bin_true"][:, j], b["bin_probs"][:, j], sample_weight=b["sw"])
    per_label = np.array([_np(m.result()) for m in single])
    np.testing.assert_allclose(_np(multi.result()), per_label.mean(), rtol=1e-5)
    np.testing.assert_allclose(_np(weighted.result()),
                               (per_label * label_weights).sum() / label_weights.sum(),
                               rtol=1e-5)


def test_multi_label_auc_without_num_labels_is_sized_by_the_first_batch(batches):
    lazy = metrics.AUC(multi_label=True)
    lazy.update_state(batches[0]["bin_true"], batches[0]["bin_probs"])
    assert lazy.true_positives.shape == (200, 4)
    assert len(lazy.variables) == 4


def test_auc_extremes_and_empty():
    y = np.array([0, 0, 0, 1, 1, 1], "float32")
    ranked = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9], "float32")
    auc = metrics.AUC()
    assert _np(auc.result()) == 0.0
    auc.update_state(y, ranked)
    assert _np(auc.result()) == pytest.approx(1.0, abs=1e-6)
    auc.reset_state()
    auc.update_state(y, ranked[::-1].copy())
    assert _np(auc.result()) == pytest.approx(0.0, abs=1e-6)
    pr = metrics.AUC(curve="PR")
    pr.update_state(y, ranked)
    assert _np(pr.result()) == pytest.approx(1.0, abs=1e-2)


def test_auc_close_to_exact_roc_auc(batches):
    # With many thresholds the Riemann sum approaches the exact (pairwise) ROC AUC.
    b = batches[0]
    t, s = b["bin_true"].ravel(), b["bin_probs"].ravel()
    pos, neg = s[t > 0], s[t == 0]
    exact = ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
             ) / (len(pos) * len(neg))
    auc = metrics.AUC()
    auc.update_state(b["bin_true"], b["bin_probs"])
    assert _np(auc.result()) == pytest.approx(exact, abs=1e-2)


def test_configs_round_trip():
    for m in (metrics.AUC(curve="PR", num_thresholds=10),
              metrics.AUC(thresholds=[0.25, 0.75], multi_label=True, num_labels=3),
              metrics.Precision(thresholds=[0.3, 0.6], class_id=1),
              metrics.Recall(top_k=3), metrics.FalseNegatives(thresholds=0.4)):
        again = type(m).from_config(m.get_config())
        assert again.get_config() == m.get_config()


def test_bad_settings_raise():
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="DET")
    with pytest.raises(ValueError, match="summation_method"):
        metrics.AUC(summation_method="simpson")
    with pytest.raises(ValueError, match="Threshold"):
        metrics.Precision(thresholds=[1.5])


def test_tracing_an_update_leaves_the_metric_usable(batches):
    # A traced update (as in a compiled step) must not keep trace values around.
    from layerkit import engine
    from layerkit.engine.common.symbolic_tensor import SymbolicTensor

    b = batches[0]
    for m in (metrics.AUC(), metrics.Precision(thresholds=[0.3, 0.6]), metrics.Recall(),
              metrics.TruePositives(), metrics.AUC(label_weights=[1.0, 2.0, 1.0, 1.0])):
        def step(t, p, m=m):
            m.update_state(t, p)
            return m.result()

        engine.compute_output_spec(step, SymbolicTensor(b["bin_true"].shape),
                                    SymbolicTensor(b["bin_probs"].shape))
        assert np.all(_np(m.result()) == 0.0)          # the traced update was not applied
        m.update_state(b["bin_true"], b["bin_probs"])
        assert np.all(np.isfinite(_np(m.result())))
