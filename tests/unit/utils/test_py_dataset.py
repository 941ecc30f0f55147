"""Keras 3's PyDataset beside Keras 2's Sequence: its constructor's workers,
use_multiprocessing and max_queue_size are honoured by fit/evaluate/predict."""
import os
import threading
import time

import numpy as np
import pytest

from layerkit import layers
from layerkit.models import Sequential
from layerkit.utils import PyDataset, Sequence

X = np.random.default_rng(0).random((48, 4)).astype("float32")
Y = (X.sum(1, keepdims=True) > 2).astype("float32")


class Batches(PyDataset):
    def __init__(self, batch_size=8, delay=0.0, **kwargs):
        super().__init__(**kwargs)
        self.batch_size = batch_size
        self.delay = delay         # seconds a read takes, so that reads overlap
        self.reads = []            # (batch index, reading thread)
        self.epochs_begun = 0

    def __len__(self):
        return len(X) // self.batch_size

    def __getitem__(self, i):
        self.reads.append((i, threading.get_ident()))
        time.sleep(self.delay)
        s = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return X[s], Y[s]

    def on_epoch_begin(self):
        self.epochs_begun += 1


class Pids(Batches):
    def __getitem__(self, i):
        x, y = super().__getitem__(i)
        return x, np.full_like(y, os.getpid())


def _model():
    model = Sequential([layers.Dense(1, activation="sigmoid", input_shape=(4,))])
    model.compile("sgd", "binary_crossentropy")
    return model


def test_constructor_arguments_and_validation():
    data = Batches(workers=3, use_multiprocessing=False, max_queue_size=4)
    assert (data.workers, data.use_multiprocessing, data.max_queue_size) == (3, False, 4)
    assert isinstance(data, Sequence) and data.num_batches == 6
    with pytest.raises(ValueError, match="`workers` must be an integer >= 1"):
        Batches(workers=0)

    class Forgot(PyDataset):
        def __init__(self):
            pass

        def __len__(self):
            return 1

        def __getitem__(self, i):
            return X[:2], Y[:2]

    with pytest.raises(RuntimeError, match="super\\(\\).__init__"):
        _model().fit(Forgot(), verbose=0)


def test_threads_read_batches_in_order():
    serial, threaded = _model(), _model()
    threaded.set_weights(serial.get_weights())
    one = Batches()
    # A read that takes a while keeps the first worker busy when the next index is
    # submitted, so the pool must start another thread (an instant read may let one
    # idle thread serve every index, which made this test flaky).
    many = Batches(workers=4, max_queue_size=3, delay=0.02)
    h1 = serial.fit(one, epochs=2, shuffle=False, verbose=0).history["loss"]
    h2 = threaded.fit(many, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(h2, h1, rtol=1e-6)     # same batches, same order
    main = threading.get_ident()
    # The main thread only peeks batch 0 for the shapes; the epochs are read by workers.
    assert [i for i, t in many.reads if t == main] == [0]
    assert len({t for _, t in many.reads if t != main}) >= 2
    assert {t for _, t in one.reads} == {main}
    assert many.epochs_begun == 2
    np.testing.assert_allclose(threaded.predict(many, verbose=0),
                               threaded.predict(X[:48], verbose=0), rtol=1e-6)


def test_processes_read_batches():
    data = Pids(workers=2, use_multiprocessing=True)
    from layerkit.training.data_adapters import make_adapter
    pids = {float(y[0, 0]) for _, y, _ in make_adapter(data).epoch()}
    assert pids and os.getpid() not in pids
    model = _model()
    assert len(model.fit(Batches(workers=2, use_multiprocessing=True), epochs=1,
                         verbose=0).history["loss"]) == 1


def test_keras2_sequence_takes_fit_workers():
    class Old(Sequence):
        reads = []

        def __len__(self):
            return 6

        def __getitem__(self, i):
            Old.reads.append((i, threading.get_ident()))
            return X[i * 8:(i + 1) * 8], Y[i * 8:(i + 1) * 8]

    _model().fit(Old(), workers=3, verbose=0)
    main = threading.get_ident()
    assert [i for i, t in Old.reads if t == main] == [0]      # the shape peek only


def test_an_endless_dataset_needs_steps():
    class Endless(PyDataset):
        def __init__(self):
            super().__init__()

        @property
        def num_batches(self):
            return None

        def __getitem__(self, i):
            return X[:8], Y[:8]

    model = _model()
    assert len(model.fit(Endless(), steps_per_epoch=3, epochs=2, verbose=0).history["loss"]) == 2
    with pytest.raises(ValueError, match="pass steps_per_epoch"):
        model.fit(Endless(), verbose=0)
