"""Bad input met around fit: class labels outside [0, num_classes), error messages with
the real batch shape, non-numeric inputs named, batch_size=0."""
import numpy as np
import pytest

import layerkit
from layerkit import layers
from layerkit.models import Model, Sequential


def _classifier(loss="sparse_categorical_crossentropy", metrics=("accuracy",)):
    inp = layers.Input((4,), name="pixels")
    model = Model(inp, layers.Dense(3, activation="softmax", name="probs")(inp))
    model.compile("sgd", loss, metrics=list(metrics))
    return model


def _x(n=20):
    return np.random.default_rng(0).random((n, 4)).astype("float32")


@pytest.mark.parametrize("labels,bad,which", [(np.full(20, 5), 5, "largest"),
                                               (np.r_[np.zeros(19), -1], -1, "smallest"),
                                               (np.r_[np.zeros(19), 3.0], 3, "largest")])
def test_labels_outside_the_classes_fail_before_any_step(labels, bad, which):
    model = _classifier()
    model(_x()[:1])
    before = model.get_weights()
    msg = (rf'sparse_categorical_crossentropy: the targets for output "probs" hold class label '
           rf"{bad} \(the {which} label\), but the output has 3 classes.*\[0, 3\)")
    with pytest.raises(ValueError, match=msg):
        model.fit(_x(), labels, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="class label"):
        model.evaluate(_x(), labels, verbose=0)


def test_labels_are_checked_per_batch_for_generators_and_for_sparse_metrics():
    x = _x()

    def batches():
        yield x[:10], np.zeros(10, "int64")
        while True:
            yield x[10:], np.full(10, 7)

    model = _classifier()
    with pytest.raises(ValueError, match=r"class label 7 \(the largest label\).*3 classes"):
        model.fit(batches(), steps_per_epoch=2, verbose=0)
    # A sparse metric alone (the loss is not sparse) is checked too.
    def mean_output(y_true, y_pred):
        return layerkit.ops.mean(y_pred, axis=-1)

    metric_only = _classifier(loss=mean_output, metrics=["sparse_categorical_accuracy"])
    with pytest.raises(ValueError, match="sparse_categorical_accuracy: .*class label 4"):
        metric_only.fit(x, np.full(20, 4), verbose=0)


def test_ignore_class_and_valid_labels_pass():
    model = Sequential([layers.Dense(3, input_shape=(4,))])
    model.compile("sgd", layerkit.losses.SparseCategoricalCrossentropy(from_logits=True,
                                                                       ignore_class=-1))
    labels = np.r_[np.full(10, -1), np.arange(10) % 3]
    assert np.isfinite(model.fit(_x(), labels, verbose=0).history["loss"][0])
    _classifier().fit(_x(), np.arange(20) % 3, verbose=0)


def test_shape_errors_show_the_real_batch_size():
    model = _classifier(metrics=())
    one_hot = np.eye(3)[np.arange(20) % 3]
    with pytest.raises(ValueError, match=r"expected y_true of shape \(20,\) or \(20, 1\).*"
                                         r"received y_true.shape=\(20, 3\)"):
        model.fit(_x(), one_hot, batch_size=20, verbose=0)


@pytest.mark.parametrize("data,dtype,kind", [
    (np.array([["a", "b", "c", "d"]] * 20), "<U1", "strings"),
    (np.array([[1.0, None, 2.0, 3.0]] * 20, dtype=object), "object", "Python objects"),
])
def test_non_numeric_inputs_name_the_input_and_dtype(data, dtype, kind):
    model = _classifier()
    msg = rf'Input "pixels" of model "{model.name}" received an array of dtype {dtype} \({kind}'
    with pytest.raises(TypeError, match=msg):
        model.fit(data, np.zeros(20, "int64"), verbose=0)
    with pytest.raises(TypeError, match=msg):
        model.predict(data, verbose=0)
    with pytest.raises(TypeError, match=msg):
        model.evaluate(data, np.zeros(20, "int64"), verbose=0)


def test_strings_pass_the_check_for_a_string_input():
    from layerkit.training.input_checks import check_input_dtypes
    inp = layers.Input((1,), dtype="string", name="text")
    model = Model(inp, inp)
    check_input_dtypes(model, np.array([["hello"]]))        # no error
    with pytest.raises(TypeError, match='Input "x\\[1\\]"'):
        check_input_dtypes(Sequential([layers.Dense(1)]), [np.zeros((2, 1)), np.array(["a", "b"])])


@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_batch_size_zero_raises(call):
    model = _classifier()
    args = (_x(),) if call == "predict" else (_x(), np.zeros(20, "int64"))
    with pytest.raises(ValueError, match=f"{call}: batch_size must be a positive integer, "
                                         "received 0"):
        getattr(model, call)(*args, batch_size=0, verbose=0)


def test_predict_takes_generators_of_bare_arrays_or_tuples():
    model = _classifier()
    x = _x()

    def bare():
        while True:
            yield x[:5]

    def tuples():
        while True:
            yield (x[:5],)

    def pairs():
        while True:
            yield x[:5], np.zeros(5)

    expected = np.tile(model.predict(x[:5], verbose=0), (2, 1))
    for gen in (bare, tuples, pairs):
        np.testing.assert_allclose(model.predict(gen(), steps=2, verbose=0), expected,
                                   rtol=1e-6)
