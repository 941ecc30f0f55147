"""Accuracy metrics and their function forms against Keras and NumPy."""
import numpy as np
import pytest

from layerkit import metrics, ops


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


FN_CASES = [
    ("binary_accuracy", {}, "bin_true", "bin_probs"),
    ("binary_accuracy", {"threshold": 0.7}, "bin_true", "bin_probs"),
    ("categorical_accuracy", {}, "onehot", "probs"),
    ("sparse_categorical_accuracy", {}, "labels", "probs"),
    ("top_k_categorical_accuracy", {"k": 2}, "onehot", "probs"),
    ("sparse_top_k_categorical_accuracy", {"k": 2}, "labels", "probs"),
]


@pytest.mark.parametrize("case", FN_CASES, ids=[f"{c[0]}{c[1]}" for c in FN_CASES])
def test_functions_match_keras(case, keras_oracle, batches):
    name, kwargs, t, p = case
    b = batches[0]
    np.testing.assert_allclose(_np(getattr(metrics, name)(b[t], b[p], **kwargs)),
                               np.asarray(getattr(keras_oracle.metrics, name)(b[t], b[p],
                                                                             **kwargs)))


def test_label_columns_of_width_one_match_keras(keras_oracle, batches):
    b = batches[1]
    col = b["labels"][:, None]
    for name in ("sparse_categorical_accuracy", "sparse_top_k_categorical_accuracy"):
        ours = _np(getattr(metrics, name)(col, b["probs"]))
        theirs = np.asarray(getattr(keras_oracle.metrics, name)(col, b["probs"]))
        np.testing.assert_allclose(ours.reshape(theirs.shape), theirs)


CLS_CASES = [
    ("Accuracy", {}, "labels", "labels"),
    ("BinaryAccuracy", {}, "bin_true", "bin_probs"),
    ("BinaryAccuracy", {"threshold": 0.3}, "bin_true", "bin_probs"),
    ("CategoricalAccuracy", {}, "onehot", "probs"),
    ("SparseCategoricalAccuracy", {}, "labels", "probs"),
    ("TopKCategoricalAccuracy", {"k": 2}, "onehot", "probs"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "labels", "probs"),
]


@pytest.mark.parametrize("case", CLS_CASES, ids=[f"{c[0]}{c[1]}" for c in CLS_CASES])
def test_classes_match_keras(case, keras_oracle, compare, feeds):
    name, kwargs, t, p = case
    ours = getattr(metrics, name)(**kwargs)
    theirs = getattr(keras_oracle.metrics, name)(**kwargs)
    compare(ours, theirs, feeds(t, p))
    assert ours.name == theirs.name


def test_accuracy_matches_numpy(batches):
    m = metrics.CategoricalAccuracy()
    s = metrics.SparseCategoricalAccuracy()
    hits, weights = [], []
    for b in batches:
        m.update_state(b["onehot"], b["probs"], sample_weight=b["sw"])
        s.update_state(b["labels"], b["probs"], sample_weight=b["sw"])
        hits.append((b["probs"].argmax(-1) == b["labels"]) * b["sw"])
        weights.append(b["sw"])
    want = np.concatenate(hits).sum() / np.concatenate(weights).sum()
    np.testing.assert_allclose(_np(m.result()), want, rtol=1e-6)
    np.testing.assert_allclose(_np(s.result()), want, rtol=1e-6)
    bacc = metrics.BinaryAccuracy()
    b = batches[0]
    bacc.update_state(b["bin_true"], b["bin_probs"])
    np.testing.assert_allclose(_np(bacc.result()),
                               ((b["bin_probs"] > 0.5) == b["bin_true"]).mean(), rtol=1e-6)


def test_accuracy_function_is_elementwise_equality():
    got = metrics.accuracy(np.array([[1], [2], [3]]), np.array([[1.0], [0.0], [3.0]]))
    np.testing.assert_allclose(_np(got), [[1.0], [0.0], [1.0]])


def test_top_k_matches_numpy(batches):
    b = batches[2]
    top2 = np.argsort(-b["probs"], axis=-1)[:, :2]
    want = (top2 == b["labels"][:, None]).any(-1).astype("float32")
    np.testing.assert_allclose(_np(metrics.sparse_top_k_categorical_accuracy(
        b["labels"], b["probs"], k=2)), want)
    np.testing.assert_allclose(_np(metrics.top_k_categorical_accuracy(
        b["onehot"], b["probs"], k=2)), want)
    np.testing.assert_allclose(_np(metrics.sparse_top_k_categorical_accuracy(
        b["labels"], top2, k=2, from_sorted_ids=True)), want)
