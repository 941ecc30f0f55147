"""Losses: every function and class against the real Keras 3 (same inputs, every
reduction, sample weights, from_logits, label_smoothing), a few against plain
NumPy formulas, and the errors."""
import numpy as np
import pytest

from layerkit import engine, losses, ops
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.engine.common.stateless_scope import StatelessScope

B, C = 6, 4
RTOL, ATOL = 1e-5, 1e-6


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _data():
    rng = np.random.default_rng(7)
    logits = rng.normal(size=(B, C)).astype("float32") * 2.0
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    labels = rng.integers(0, C, size=(B,))
    onehot = np.eye(C, dtype="float32")[labels]
    bin_true = rng.integers(0, 2, size=(B, C)).astype("float32")
    bin_logits = rng.normal(size=(B, C)).astype("float32") * 2.0
    bin_probs = (1.0 / (1.0 + np.exp(-bin_logits))).astype("float32")
    reg_true = rng.random((B, C)).astype("float32") * 3.0 + 0.1
    reg_pred = rng.random((B, C)).astype("float32") * 3.0 + 0.1
    signed = (bin_true * 2.0 - 1.0).astype("float32")
    svm_pred = rng.normal(size=(B, C)).astype("float32")
    sw = rng.random(B).astype("float32") + 0.1
    return dict(logits=logits, probs=probs.astype("float32"), labels=labels,
                onehot=onehot, bin_true=bin_true, bin_logits=bin_logits,
                bin_probs=bin_probs, reg_true=reg_true, reg_pred=reg_pred, signed=signed,
                svm_pred=svm_pred, sw=sw)


D = _data()

# (function name, class name, kwargs, y_true key, y_pred key)
CASES = [
    ("categorical_crossentropy", "CategoricalCrossentropy", {}, "onehot", "probs"),
    ("categorical_crossentropy", "CategoricalCrossentropy", {"from_logits": True},
     "onehot", "logits"),
    ("categorical_crossentropy", "CategoricalCrossentropy", {"label_smoothing": 0.1},
     "onehot", "probs"),
    ("categorical_crossentropy", "CategoricalCrossentropy",
     {"from_logits": True, "label_smoothing": 0.2}, "onehot", "logits"),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", {}, "labels",
     "probs"),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy",
     {"from_logits": True}, "labels", "logits"),
    ("binary_crossentropy", "BinaryCrossentropy", {}, "bin_true", "bin_probs"),
    ("binary_crossentropy", "BinaryCrossentropy", {"from_logits": True}, "bin_true",
     "bin_logits"),
    ("binary_crossentropy", "BinaryCrossentropy", {"label_smoothing": 0.1}, "bin_true",
     "bin_probs"),
    ("binary_crossentropy", "BinaryCrossentropy",
     {"from_logits": True, "label_smoothing": 0.3}, "bin_true", "bin_logits"),
    ("mean_squared_error", "MeanSquaredError", {}, "reg_true", "reg_pred"),
    ("mean_absolute_error", "MeanAbsoluteError", {}, "reg_true", "reg_pred"),
    ("mean_absolute_percentage_error", "MeanAbsolutePercentageError", {}, "reg_true",
     "reg_pred"),
    ("mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", {}, "reg_true",
     "reg_pred"),
    ("hinge", "Hinge", {}, "bin_true", "svm_pred"),
    ("hinge", "Hinge", {}, "signed", "svm_pred"),
    ("squared_hinge", "SquaredHinge", {}, "bin_true", "svm_pred"),
    ("squared_hinge", "SquaredHinge", {}, "signed", "svm_pred"),
    ("categorical_hinge", "CategoricalHinge", {}, "onehot", "logits"),
    ("kl_divergence", "KLDivergence", {}, "onehot", "probs"),
    ("kl_divergence", "KLDivergence", {}, "bin_probs", "bin_probs"),
    ("poisson", "Poisson", {}, "reg_true", "reg_pred"),
    ("cosine_similarity", "CosineSimilarity", {}, "reg_true", "svm_pred"),
    ("huber", "Huber", {}, "reg_true", "svm_pred"),
    ("huber", "Huber", {"delta": 0.5}, "reg_true", "svm_pred"),
    ("log_cosh", "LogCosh", {}, "reg_true", "svm_pred"),
]
IDS = [f"{c[0]}-{c[3]}-" + ",".join(f"{k}={v}" for k, v in c[2].items()) for c in CASES]


def _keras_fn(keras, name):
    return getattr(keras.losses, name)


@pytest.mark.parametrize("case", CASES + [
    ("cosine_similarity", "CosineSimilarity", {"axis": 0}, "reg_true", "svm_pred")],
    ids=IDS + ["cosine_similarity-axis=0"])
def test_function_matches_keras(case, keras_oracle):
    fn_name, _, kwargs, t, p = case
    ours = getattr(losses, fn_name)(D[t], D[p], **kwargs)
    theirs = _keras_fn(keras_oracle, fn_name)(D[t], D[p], **kwargs)
    np.testing.assert_allclose(_np(ours), np.asarray(theirs), rtol=RTOL, atol=ATOL)


REDUCTIONS = ["sum_over_batch_size", "sum", "none", None, "mean_with_sample_weight"]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_class_matches_keras_every_reduction(case, keras_oracle):
    _, cls_name, kwargs, t, p = case
    for reduction in REDUCTIONS:
        ours = getattr(losses, cls_name)(reduction=reduction, **kwargs)
        theirs = getattr(keras_oracle.losses, cls_name)(reduction=reduction, **kwargs)
        for sw in (None, D["sw"]):
            np.testing.assert_allclose(
                _np(ours(D[t], D[p], sample_weight=sw)),
                np.asarray(theirs(D[t], D[p], sample_weight=sw)), rtol=RTOL, atol=ATOL,
                err_msg=f"{cls_name} reduction={reduction} sw={sw is not None}")


def test_keras2_auto_reduction_is_sum_over_batch_size(keras_oracle):
    ours = losses.CategoricalCrossentropy(reduction="auto")
    theirs = keras_oracle.losses.CategoricalCrossentropy()
    np.testing.assert_allclose(_np(ours(D["onehot"], D["probs"], D["sw"])),
                               np.asarray(theirs(D["onehot"], D["probs"], D["sw"])),
                               rtol=RTOL)
    assert losses.Reduction.AUTO == "auto"


@pytest.mark.parametrize("labels_shape", [(B,), (B, 1)])
def test_sparse_ignore_class_matches_keras(keras_oracle, labels_shape):
    labels = D["labels"].copy()
    labels[[1, 4]] = -1
    labels = labels.reshape(labels_shape)
    for reduction in ("sum_over_batch_size", "sum", None):
        ours = losses.SparseCategoricalCrossentropy(ignore_class=-1, reduction=reduction)
        theirs = keras_oracle.losses.SparseCategoricalCrossentropy(ignore_class=-1,
                                                                  reduction=reduction)
        for sw in (None, D["sw"]):
            np.testing.assert_allclose(
                _np(ours(labels, D["probs"], sample_weight=sw)),
                np.asarray(theirs(labels, D["probs"], sample_weight=sw)).reshape(
                    _np(ours(labels, D["probs"], sample_weight=sw)).shape),
                rtol=RTOL, atol=ATOL, err_msg=f"reduction={reduction}")


def test_rank_matching_like_keras(keras_oracle):
    # (batch,) targets against a (batch, 1) output, and (batch, 1) sample weights.
    y_true = D["bin_true"][:, 0]
    y_pred = D["bin_probs"][:, :1]
    sw = D["sw"][:, None]
    for cls in ("BinaryCrossentropy", "MeanSquaredError", "MeanAbsoluteError"):
        for reduction in ("sum_over_batch_size", "none"):
            ours = getattr(losses, cls)(reduction=reduction)
            theirs = getattr(keras_oracle.losses, cls)(reduction=reduction)
            for w in (None, D["sw"], sw):
                a = _np(ours(y_true, y_pred, sample_weight=w))
                b = np.asarray(theirs(y_true, y_pred, sample_weight=w))
                np.testing.assert_allclose(a.reshape(b.shape), b, rtol=RTOL, atol=ATOL)


def test_per_timestep_losses_and_weights_match_keras(keras_oracle):
    rng = np.random.default_rng(3)
    y_true = np.eye(C, dtype="float32")[rng.integers(0, C, size=(B, 5))]
    y_pred = rng.random((B, 5, C)).astype("float32")
    sw = rng.random((B, 5)).astype("float32")
    for reduction in ("sum_over_batch_size", "sum", "none"):
        ours = losses.CategoricalCrossentropy(reduction=reduction)
        theirs = keras_oracle.losses.CategoricalCrossentropy(reduction=reduction)
        np.testing.assert_allclose(_np(ours(y_true, y_pred, sw)),
                                   np.asarray(theirs(y_true, y_pred, sw)), rtol=RTOL)


def test_batch_weights_scale_each_timestep_like_keras2():
    # A (batch,) weight on a (batch, steps) loss weighs every step of its sample.
    rng = np.random.default_rng(4)
    y_true = rng.random((B, 5, 2)).astype("float32")
    y_pred = rng.random((B, 5, 2)).astype("float32")
    per_step = ((y_true - y_pred) ** 2).mean(-1)
    got = losses.MeanSquaredError()(y_true, y_pred, sample_weight=D["sw"])
    np.testing.assert_allclose(_np(got), (per_step * D["sw"][:, None]).mean(), rtol=1e-5)


# --- against NumPy formulas (no Keras needed) ---------------------------------

def _np_cce(y, p):
    p = p / p.sum(-1, keepdims=True)
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -(y * np.log(p)).sum(-1)


def test_crossentropies_match_numpy():
    y, p = D["onehot"], D["probs"]
    np.testing.assert_allclose(_np(losses.categorical_crossentropy(y, p)), _np_cce(y, p),
                               rtol=1e-5)
    np.testing.assert_allclose(_np(losses.sparse_categorical_crossentropy(D["labels"], p)),
                               _np_cce(y, p), rtol=1e-5)
    logp = D["logits"] - np.log(np.exp(D["logits"]).sum(-1, keepdims=True))
    np.testing.assert_allclose(
        _np(losses.categorical_crossentropy(y, D["logits"], from_logits=True)),
        -(y * logp).sum(-1), rtol=1e-5)
    smoothed = y * 0.9 + 0.1 / C
    np.testing.assert_allclose(
        _np(losses.categorical_crossentropy(y, p, label_smoothing=0.1)), _np_cce(smoothed, p),
        rtol=1e-5)
    t, q = D["bin_true"], np.clip(D["bin_probs"], 1e-7, 1 - 1e-7)
    bce = -(t * np.log(q) + (1 - t) * np.log(1 - q)).mean(-1)
    np.testing.assert_allclose(_np(losses.binary_crossentropy(t, D["bin_probs"])), bce,
                               rtol=1e-5)
    np.testing.assert_allclose(
        _np(losses.binary_crossentropy(t, D["bin_logits"], from_logits=True)), bce, rtol=1e-4)


def test_regression_losses_match_numpy():
    t, p = D["reg_true"], D["reg_pred"]
    np.testing.assert_allclose(_np(losses.mse(t, p)), ((t - p) ** 2).mean(-1), rtol=1e-6)
    np.testing.assert_allclose(_np(losses.MAE(t, p)), np.abs(t - p).mean(-1), rtol=1e-6)
    np.testing.assert_allclose(_np(losses.mape(t, p)), 100 * np.abs((t - p) / t).mean(-1),
                               rtol=1e-5)
    np.testing.assert_allclose(_np(losses.msle(t, p)),
                               ((np.log1p(t) - np.log1p(p)) ** 2).mean(-1), rtol=1e-5)
    np.testing.assert_allclose(_np(losses.logcosh(t, p)), np.log(np.cosh(p - t)).mean(-1),
                               rtol=1e-5, atol=1e-6)
    err = np.abs(p - t)
    hub = np.where(err <= 1.0, 0.5 * err ** 2, err - 0.5).mean(-1)
    np.testing.assert_allclose(_np(losses.huber(t, p)), hub, rtol=1e-5)
    np.testing.assert_allclose(_np(losses.poisson(t, p)), (p - t * np.log(p + 1e-7)).mean(-1),
                               rtol=1e-5)
    cos = (t * p).sum(-1) / np.linalg.norm(t, axis=-1) / np.linalg.norm(p, axis=-1)
    np.testing.assert_allclose(_np(losses.cosine_similarity(t, p)), -cos, rtol=1e-5)
    s, q = D["signed"], D["svm_pred"]
    np.testing.assert_allclose(_np(losses.hinge(D["bin_true"], q)),
                               np.maximum(1 - s * q, 0).mean(-1), rtol=1e-6)


def test_reductions_and_weights_match_numpy():
    t, p, sw = D["reg_true"], D["reg_pred"], D["sw"]
    per = ((t - p) ** 2).mean(-1)
    mk = losses.MeanSquaredError
    np.testing.assert_allclose(_np(mk()(t, p)), per.mean(), rtol=1e-6)
    np.testing.assert_allclose(_np(mk()(t, p, sw)), (per * sw).mean(), rtol=1e-6)
    np.testing.assert_allclose(_np(mk(reduction="sum")(t, p, sw)), (per * sw).sum(), rtol=1e-6)
    np.testing.assert_allclose(_np(mk(reduction="none")(t, p, sw)), per * sw, rtol=1e-6)
    np.testing.assert_allclose(_np(mk(reduction=None)(t, p)), per, rtol=1e-6)
    np.testing.assert_allclose(_np(mk(reduction="mean_with_sample_weight")(t, p, sw)),
                               (per * sw).sum() / sw.sum(), rtol=1e-6)
    np.testing.assert_allclose(_np(mk()(t, p, 2.0)), 2 * per.mean(), rtol=1e-6)


def test_y_true_is_cast_to_y_pred_dtype():
    out = losses.mean_squared_error(np.array([[1, 2]], dtype="int32"),
                                    np.array([[1.5, 2.5]], dtype="float32"))
    assert str(ops.dtype(out)) == "float32"
    np.testing.assert_allclose(_np(out), [0.25])


# --- tracing, errors, get/serialize ---------------------------------------------

def test_losses_trace_with_static_shapes():
    spec = engine.compute_output_spec(
        lambda t, p: losses.CategoricalCrossentropy()(t, p),
        SymbolicTensor((8, C)), SymbolicTensor((8, C)))
    assert tuple(spec.shape) == ()
    spec = engine.compute_output_spec(
        lambda t, p: losses.sparse_categorical_crossentropy(t, p),
        SymbolicTensor((8,), "int32"), SymbolicTensor((8, C)))
    assert tuple(spec.shape) == (8,)


@pytest.mark.parametrize("fn,y_true_shape,y_pred_shape,expected", [
    ("categorical_crossentropy", (32, 1), (32, 10), "(32, 10)"),
    ("categorical_crossentropy", (32,), (32, 10), "(32, 10)"),
    ("binary_crossentropy", (32, 3), (32, 10), "(32, 10)"),
    ("sparse_categorical_crossentropy", (32, 10), (32, 10), "(32,)"),
    ("mean_squared_error", (32, 3), (32, 10), "(32, 10)"),
    ("categorical_hinge", (32, 3), (32, 10), "(32, 10)"),
])
def test_shape_mismatch_names_loss_and_shapes(fn, y_true_shape, y_pred_shape, expected):
    y_true = np.zeros(y_true_shape, "float32")
    y_pred = np.full(y_pred_shape, 0.1, "float32")
    with pytest.raises(ValueError) as info:
        getattr(losses, fn)(y_true, y_pred)
    msg = str(info.value)
    assert fn in msg and expected in msg and str(y_true_shape) in msg
    # The class reports it the same way, and so does a traced call.
    cls = losses.get(fn)
    with pytest.raises(ValueError, match=fn):
        engine.compute_output_spec(lambda t, p: cls(t, p), SymbolicTensor(y_true_shape),
                                    SymbolicTensor(y_pred_shape))


def test_get_resolves_names_aliases_classes_and_configs():
    assert losses.get(None) is None
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("MSE") is losses.mean_squared_error
    assert losses.get("logcosh") is losses.log_cosh
    assert losses.get("kld") is losses.kl_divergence
    assert losses.get("kullback_leibler_divergence") is losses.kl_divergence
    assert losses.get("categorical_crossentropy") is losses.categorical_crossentropy
    assert isinstance(losses.get("CategoricalCrossentropy"), losses.CategoricalCrossentropy)
    assert losses.get(losses.hinge) is losses.hinge
    obj = losses.Huber(delta=0.3)
    assert losses.get(obj) is obj
    custom = lambda y_true, y_pred: ops.mean(y_pred, axis=-1)  # noqa: E731
    assert losses.get(custom) is custom
    got = losses.get({"class_name": "BinaryCrossentropy",
                      "config": {"from_logits": True, "reduction": "auto"}})
    assert isinstance(got, losses.BinaryCrossentropy) and got.from_logits
    assert got.reduction == "sum_over_batch_size"


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError) as info:
        losses.get("categorical_crosentropy")
    msg = str(info.value)
    assert "categorical_crosentropy" in msg and "categorical_crossentropy" in msg and "mse" in msg


def test_invalid_reduction_raises():
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="avg")


@pytest.mark.parametrize("cls_name", [c[1] for c in CASES[::3]] + ["LogCosh"])
def test_serialize_round_trip(cls_name):
    obj = getattr(losses, cls_name)(reduction="sum")
    back = losses.deserialize(losses.serialize(obj))
    assert type(back) is type(obj)
    assert back.get_config() == obj.get_config()
    assert losses.deserialize(losses.serialize(losses.mse)) is losses.mean_squared_error
    assert losses.serialize("mse") == "mse"


def test_loss_function_wrapper_and_custom_subclass():
    wrapped = losses.LossFunctionWrapper(losses.mean_absolute_error, reduction="sum")
    np.testing.assert_allclose(_np(wrapped(D["reg_true"], D["reg_pred"])),
                               np.abs(D["reg_true"] - D["reg_pred"]).mean(-1).sum(), rtol=1e-6)
    again = losses.LossFunctionWrapper.from_config(wrapped.get_config())
    assert again.fn is losses.mean_absolute_error and again.reduction == "sum"

    class Doubled(losses.Loss):
        def call(self, y_true, y_pred):
            return 2.0 * ops.mean(ops.abs(y_true - y_pred), axis=-1)

    got = Doubled()(D["reg_true"], D["reg_pred"], sample_weight=D["sw"])
    want = (2 * np.abs(D["reg_true"] - D["reg_pred"]).mean(-1) * D["sw"]).mean()
    np.testing.assert_allclose(_np(got), want, rtol=1e-6)
    assert losses.deserialize(losses.serialize(Doubled(name="d")),
                              custom_objects={"Doubled": Doubled}).name == "d"


def test_loss_runs_under_a_stateless_scope():
    with StatelessScope():
        out = losses.BinaryCrossentropy()(D["bin_true"], D["bin_probs"], D["sw"])
    assert np.isfinite(_np(out))
