"""The seed's TFRecord recipe: Input(tensor=t) and compile(target_tensors=[labels]),
then fit(epochs=..., steps_per_epoch=...) with no x or y trains from those streams."""
import numpy as np
import pytest

import layerkit
from layerkit import layers
from layerkit.data import Dataset
from layerkit.models import Model

RNG = np.random.default_rng(0)
IMAGES = RNG.random((64, 6, 6, 1)).astype("float32")
LABELS = RNG.random((64, 10)).astype("float32")


def _streams():
    ds = Dataset.from_tensor_slices((IMAGES, LABELS)).batch(16).repeat()
    return ds.map(lambda x, y: x), ds.map(lambda x, y: y)


def _net(model_input):
    out = layers.Flatten()(model_input)
    return Model(inputs=model_input, outputs=layers.Dense(10, activation="relu")(out))


def soft_acc(y_true, y_pred):
    return layerkit.ops.mean(layerkit.ops.equal(layerkit.ops.round(y_true),
                                                layerkit.ops.round(y_pred)))


def test_the_seed_recipe_trains_like_fit_on_the_same_batches(keras_alias):
    keras = keras_alias
    image, label = _streams()
    # The seed's code (keras-notes.md, "结合tfrecord"), with layerkit streams for tf's.
    model_input = keras.layers.Input(tensor=image)
    model_output = keras.layers.Flatten(input_shape=(-1, 255, 255, 1))(model_input)
    model_output = keras.layers.Dense(10, activation='relu')(model_output)
    train_model = keras.models.Model(inputs=model_input, outputs=model_output)
    train_model.compile(optimizer=keras.optimizers.RMSprop(lr=0.001),
                        loss='mean_squared_error', metrics=[soft_acc], target_tensors=[label])
    assert train_model.input_shape == (None, 6, 6, 1)
    reference = _net(layers.Input((6, 6, 1)))
    reference.set_weights(train_model.get_weights())
    reference.compile(optimizer=layerkit.optimizers.RMSprop(lr=0.001), loss="mean_squared_error",
                      metrics=[soft_acc])
    h1 = train_model.fit(epochs=3, steps_per_epoch=2, verbose=0).history
    # 3 epochs x 2 steps of 16: the streams go on across epochs (64 rows, then repeat).
    x = np.concatenate([IMAGES, IMAGES[:32]])
    y = np.concatenate([LABELS, LABELS[:32]])
    h2 = reference.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0).history
    for a, b in zip(train_model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)
    assert list(h1) == ["loss", "soft_acc"] and len(h1["loss"]) == 3
    assert h1["loss"][-1] < h2["loss"][0] * 1.5
    logs = train_model.evaluate(steps=2, verbose=0, return_dict=True)
    assert set(logs) == {"loss", "soft_acc"}
    assert train_model.predict(steps=3, verbose=0).shape == (48, 10)


class _FakeTFIterator:
    """Stands in for a tf.data iterator: __next__ gives objects with .numpy()."""

    class _Tensor:
        def __init__(self, a):
            self._a = a

        def numpy(self):
            return self._a

    def __init__(self, arrays):
        self._it = iter(arrays)

    def __iter__(self):
        return self

    def __next__(self):
        return self._Tensor(next(self._it))


def test_arrays_iterators_and_tf_style_iterators_as_tensors():
    # An array is fed whole at every step, as a constant tensor was in TensorFlow.
    inp = layers.Input(tensor=IMAGES[:8])
    model = _net(inp)
    model.compile("sgd", "mse", target_tensors=LABELS[:8])
    ref = _net(layers.Input((6, 6, 1)))
    ref.set_weights(model.get_weights())
    ref.compile("sgd", "mse")
    model.fit(epochs=2, steps_per_epoch=3, verbose=0)
    ref.fit(np.concatenate([IMAGES[:8]] * 6), np.concatenate([LABELS[:8]] * 6), batch_size=8,
            shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)
    # A tf.data-style iterator and a dict of target tensors by output name.
    tf_like = _FakeTFIterator([IMAGES[i:i + 4].astype("float64") for i in range(0, 16, 4)])
    inp = layers.Input(tensor=tf_like)
    assert inp.dtype == "float32" and inp.shape == (None, 6, 6, 1)
    model = _net(inp)
    model.compile("sgd", "mse", target_tensors={model.output_names[0]: iter(
        [LABELS[i:i + 4] for i in range(0, 16, 4)])})
    with pytest.warns(UserWarning, match="ran out after 4 of 6 steps"):
        history = model.fit(epochs=1, steps_per_epoch=6, verbose=0).history
    assert len(history["loss"]) == 1


def test_clear_errors():
    image, label = _streams()
    model = _net(layers.Input(tensor=image))
    model.compile("sgd", "mse", target_tensors=[label])
    with pytest.raises(ValueError, match="pass `steps_per_epoch`"):
        model.fit(epochs=1, verbose=0)
    with pytest.raises(ValueError, match="target_tensors holds 2 tensor\\(s\\), but the model "
                                         "has 1 output"):
        model.compile("sgd", "mse", target_tensors=[label, label])
    plain = _net(layers.Input((6, 6, 1)))
    plain.compile("sgd", "mse", target_tensors=[label])
    with pytest.raises(ValueError, match="bound to data with Input\\(tensor=...\\)"):
        plain.fit(epochs=1, steps_per_epoch=1, verbose=0)
    pairs = Dataset.from_tensor_slices((IMAGES, LABELS)).batch(8)
    with pytest.raises(TypeError, match="map it to one component"):
        layers.Input(tensor=pairs)
    with pytest.raises(ValueError, match="sample_weight_mode"):
        model.compile("sgd", "mse", sample_weight_mode="temporal")
