"""'accuracy'/'acc'/'crossentropy'/'ce' resolution, get/serialize/deserialize, errors."""
import pytest

from layerkit import losses, metrics


@pytest.mark.parametrize("loss,y_true,y_pred,want", [
    ("binary_crossentropy", (None, 10), (None, 10), "binary_accuracy"),
    (losses.binary_crossentropy, (None, 3), (None, 3), "binary_accuracy"),
    (losses.BinaryCrossentropy(from_logits=True), (None, 3), (None, 3), "binary_accuracy"),
    ("mse", (None, 1), (None, 1), "binary_accuracy"),
    ("categorical_crossentropy", (None,), (None, 1), "binary_accuracy"),
    ("sparse_categorical_crossentropy", (None, 10), (None, 10), "sparse_categorical_accuracy"),
    (losses.SparseCategoricalCrossentropy(), None, (None, 5), "sparse_categorical_accuracy"),
    (losses.LossFunctionWrapper(losses.sparse_categorical_crossentropy), (None, 5), (None, 5),
     "sparse_categorical_accuracy"),
    ("categorical_crossentropy", (None,), (None, 10), "sparse_categorical_accuracy"),
    ("mse", (None, 1), (None, 10), "sparse_categorical_accuracy"),
    (None, (32, 20), (32, 20, 7), "sparse_categorical_accuracy"),
    ("categorical_crossentropy", (None, 10), (None, 10), "categorical_accuracy"),
    (losses.CategoricalCrossentropy(), (None, 10), (None, 10), "categorical_accuracy"),
    (None, None, (None, 10), "categorical_accuracy"),
])
def test_accuracy_resolution(loss, y_true, y_pred, want):
    for name in ("accuracy", "acc"):
        assert metrics.resolve_accuracy(name, loss, y_true, y_pred).__name__ == want


@pytest.mark.parametrize("loss,y_true,y_pred,want", [
    ("binary_crossentropy", (None, 4), (None, 4), "binary_crossentropy"),
    (None, (None, 1), (None, 1), "binary_crossentropy"),
    ("sparse_categorical_crossentropy", (None,), (None, 4), "sparse_categorical_crossentropy"),
    (None, (None,), (None, 4), "sparse_categorical_crossentropy"),
    ("categorical_crossentropy", (None, 4), (None, 4), "categorical_crossentropy"),
])
def test_crossentropy_resolution(loss, y_true, y_pred, want):
    for name in ("crossentropy", "ce"):
        assert metrics.resolve_accuracy(name, loss, y_true, y_pred).__name__ == want


def test_other_names_resolve_through_get():
    assert metrics.resolve_accuracy("mae", "mse", (None, 1), (None, 1)) is losses.mae
    assert isinstance(metrics.resolve_accuracy("AUC", None, None, None), metrics.AUC)


def test_get_functions_classes_and_configs():
    assert metrics.get(None) is None
    assert metrics.get("mse") is losses.mean_squared_error
    assert metrics.get("MAE") is losses.mean_absolute_error
    assert metrics.get("mape") is losses.mean_absolute_percentage_error
    assert metrics.get("msle") is losses.mean_squared_logarithmic_error
    assert metrics.get("binary_accuracy") is metrics.binary_accuracy
    assert metrics.get("accuracy") is metrics.accuracy
    assert metrics.get("cosine_similarity") is metrics.cosine_similarity
    assert metrics.get("top_k_categorical_accuracy") is metrics.top_k_categorical_accuracy
    assert isinstance(metrics.get("AUC"), metrics.AUC)
    assert isinstance(metrics.get("Precision"), metrics.Precision)
    assert isinstance(metrics.get(metrics.Recall), metrics.Recall)
    m = metrics.Mean()
    assert metrics.get(m) is m
    got = metrics.get({"class_name": "AUC", "config": {"curve": "PR", "num_thresholds": 20}})
    assert isinstance(got, metrics.AUC) and got.curve == "PR" and got.num_thresholds == 20


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError) as info:
        metrics.get("acuracy")
    msg = str(info.value)
    assert "acuracy" in msg and "binary_accuracy" in msg and "AUC" in msg


def test_serialize_round_trip():
    for m in (metrics.BinaryAccuracy(threshold=0.3), metrics.TopKCategoricalAccuracy(k=3),
              metrics.CategoricalCrossentropy(from_logits=True), metrics.Mean(name="m"),
              metrics.RootMeanSquaredError(), metrics.CosineSimilarity(axis=1)):
        back = metrics.deserialize(metrics.serialize(m))
        assert type(back) is type(m) and back.get_config() == m.get_config()
    assert metrics.deserialize(metrics.serialize(metrics.binary_accuracy)) is \
        metrics.binary_accuracy
