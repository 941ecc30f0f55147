"""fit/evaluate/predict take every data source Keras takes: arrays, generators,
Sequences (ImageDataGenerator iterators among them), layerkit Datasets and torch DataLoaders."""
import numpy as np
import pytest

from layerkit.layers import Dense, Flatten
from layerkit.models import Sequential
from layerkit.utils import Sequence, to_categorical


def _data(n=64):
    rng = np.random.default_rng(0)
    x = rng.random((n, 4)).astype("float32")
    y = to_categorical((x[:, 0] > 0.5).astype(int), 2)
    return x, y


def _model(d=4):
    model = Sequential([Dense(8, activation="relu", input_dim=d), Dense(2, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    return model


def test_fit_on_a_layerkit_dataset_matches_arrays():
    from layerkit.data import Dataset
    x, y = _data()
    ds = Dataset.from_tensor_slices((x, y)).batch(16)
    a, b = _model(), _model()
    b.set_weights(a.get_weights())
    ha = a.fit(ds, epochs=2, verbose=0)
    hb = b.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(ha.history["loss"], hb.history["loss"], rtol=1e-5)
    assert a.evaluate(ds, verbose=0) == pytest.approx(b.evaluate(x, y, batch_size=16, verbose=0))
    pred = a.predict(Dataset.from_tensor_slices(x).batch(10), verbose=0)
    np.testing.assert_allclose(pred, a.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_fit_on_a_sequence_calls_on_epoch_end():
    x, y = _data()

    class Batches(Sequence):
        def __init__(self):
            self.ends = 0

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16]

        def on_epoch_end(self):
            self.ends += 1
    seq = Batches()
    history = _model().fit(seq, epochs=3, verbose=0)
    assert seq.ends == 3 and len(history.history["loss"]) == 3


def test_fit_generator_on_image_data_generator_flow_like_the_seed():
    from layerkit.preprocessing.image import ImageDataGenerator
    rng = np.random.default_rng(1)
    images = rng.random((20, 8, 8, 1)).astype("float32")
    labels = to_categorical(rng.integers(0, 2, 20), 2)
    gen = ImageDataGenerator(rotation_range=10, width_shift_range=0.1, height_shift_range=0.1,
                             zoom_range=0.1, horizontal_flip=True)
    model = Sequential([Flatten(input_shape=(8, 8, 1)), Dense(2, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    history = model.fit_generator(gen.flow(images, labels, batch_size=6),
                                  steps_per_epoch=len(images) / 6, epochs=2, verbose=0,
                                  validation_data=(images, labels))
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]


def test_fit_on_a_torch_dataloader():
    torch = pytest.importorskip("torch")
    x, y = _data()
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=16)
    a, b = _model(), _model()
    b.set_weights(a.get_weights())
    ha = a.fit(loader, epochs=2, verbose=0)
    hb = b.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(ha.history["loss"], hb.history["loss"], rtol=1e-5)


def test_a_generator_yielding_sample_weights():
    x, y = _data(32)
    sw = np.linspace(0.5, 2.0, 32).astype("float32")
    model = _model()

    def gen():
        while True:
            yield x, y, sw
    weighted = model.evaluate(gen(), steps=1, verbose=0)[0]
    assert weighted == pytest.approx(model.evaluate(x, y, sample_weight=sw, verbose=0)[0],
                                     rel=1e-5)


def test_y_with_a_generator_is_an_error():
    x, y = _data(8)
    with pytest.raises(ValueError, match="`y` must not be given"):
        _model().fit((b for b in [(x, y)]), y, verbose=0)


def test_fit_on_a_tf_data_dataset():
    tf = pytest.importorskip("tensorflow")
    x, y = _data()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    a, b = _model(), _model()
    b.set_weights(a.get_weights())
    ha = a.fit(ds, epochs=2, verbose=0)
    hb = b.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(ha.history["loss"], hb.history["loss"], rtol=1e-5)
