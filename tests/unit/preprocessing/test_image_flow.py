"""NumpyArrayIterator (ImageDataGenerator.flow): batching, shuffling, seeds,
Sequence protocol, threads, save_to_dir, inputs and errors."""
import os
import re
import threading

import numpy as np
import pytest

from layerkit.preprocessing.image import ImageDataGenerator, Iterator, NumpyArrayIterator
from layerkit.utils.data_sequence import Sequence


def images(n=7, size=8, c=3):
    return np.random.default_rng(0).integers(0, 10, (n, size, size, c))


def test_seed_example_batches_3_3_1_and_reshuffles_each_pass(tmp_path):
    """The seed's program: 7 images, featurewise options without fit, batch 3."""
    gen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True,
                             rotation_range=20, width_shift_range=0.2, height_shift_range=0.2,
                             horizontal_flip=True)
    out = tmp_path / "output"
    with pytest.warns(UserWarning, match="fit"):
        f = gen.flow(images(size=20), [0, 1, 2, 3, 4, 5, 6], batch_size=3, save_to_dir=str(out),
                     seed=11)
        seen = []
        for index, (x, y) in enumerate(f):
            if index == 9:
                break
            assert x.shape == ((3, 20, 20, 3) if index % 3 < 2 else (1, 20, 20, 3))
            assert x.dtype == np.float32 and y.dtype.kind == "i"
            seen.append(y)
    passes = [np.concatenate(seen[i:i + 3]) for i in (0, 3, 6)]
    for p in passes:
        assert sorted(p.tolist()) == list(range(7))
    assert len({tuple(p) for p in passes}) > 1  # reshuffled between passes
    assert len(f) == 3
    assert len(os.listdir(out)) == 24  # folder created; one file per image of the 10 batches drawn


def test_next_and_dunder_next_and_getitem():
    x = images(10)
    it = ImageDataGenerator().flow(x, np.arange(10), batch_size=4, shuffle=False)
    assert isinstance(it, Sequence) and isinstance(it, Iterator)
    assert len(it) == 3
    a = it.next()
    b = next(it)
    np.testing.assert_array_equal(a[1], [0, 1, 2, 3])
    np.testing.assert_array_equal(b[1], [4, 5, 6, 7])
    np.testing.assert_array_equal(next(it)[1], [8, 9])
    np.testing.assert_array_equal(next(it)[1], [0, 1, 2, 3])  # endless
    np.testing.assert_array_equal(it[2][1], [8, 9])
    np.testing.assert_allclose(it[0][0], x[:4])
    np.testing.assert_array_equal(it[-1][1], [8, 9])
    with pytest.raises(ValueError, match="batch 3.*3 batches"):
        it[3]
    with pytest.raises(IndexError):
        it[7]
    it.reset()
    np.testing.assert_array_equal(next(it)[1], [0, 1, 2, 3])


def test_sequence_protocol_epochs_and_on_epoch_end():
    it = ImageDataGenerator().flow(images(9), np.arange(9), batch_size=4, seed=3)
    first = np.concatenate([it[i][1] for i in range(len(it))])
    assert sorted(first.tolist()) == list(range(9))
    again = np.concatenate([it[i][1] for i in range(len(it))])
    np.testing.assert_array_equal(first, again)  # same order until the epoch ends
    it.on_epoch_end()
    second = np.concatenate([it[i][1] for i in range(len(it))])
    assert sorted(second.tolist()) == list(range(9))
    assert not np.array_equal(first, second)


def test_same_seed_same_batches_other_seed_differs():
    gen = ImageDataGenerator(rotation_range=30, zoom_range=0.2, horizontal_flip=True)
    x = images(6, 12).astype("float32")
    a = gen.flow(x, np.arange(6), batch_size=4, seed=5)
    b = gen.flow(x, np.arange(6), batch_size=4, seed=5)
    c = gen.flow(x, np.arange(6), batch_size=4, seed=6)
    for _ in range(4):
        (ax, ay), (bx, by), (cx, _) = next(a), next(b), next(c)
        np.testing.assert_array_equal(ax, bx)
        np.testing.assert_array_equal(ay, by)
    assert not np.allclose(ax, cx)


def test_global_numpy_seed_makes_unseeded_flow_repeatable():
    gen = ImageDataGenerator(rotation_range=30)
    x = images(5, 12).astype("float32")
    np.random.seed(0)
    first = [next(gen.flow(x, batch_size=5))]
    np.random.seed(0)
    second = [next(gen.flow(x, batch_size=5))]
    np.testing.assert_array_equal(first[0], second[0])


def test_thread_safe_every_sample_once_per_pass():
    n, bs = 40, 4
    it = ImageDataGenerator(rotation_range=10).flow(images(n, 6).astype("float32"),
                                                    np.arange(n), batch_size=bs, seed=1)
    labels, lock = [], threading.Lock()

    def work():
        for _ in range(5):
            _, y = next(it)
            with lock:
                labels.extend(y.tolist())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(labels) == sorted(list(range(n)) * 2)


def test_save_to_dir_names_and_formats(tmp_path):
    target = tmp_path / "made" / "here"
    it = ImageDataGenerator().flow(images(5, 8), np.arange(5), batch_size=5, shuffle=False,
                                   save_to_dir=str(target), save_prefix="aug",
                                   save_format="jpeg")
    next(it)
    names = sorted(os.listdir(target))
    assert len(names) == 5
    assert all(re.fullmatch(r"aug_[0-4]_\d+\.jpeg", n) for n in names)
    assert {int(n.split("_")[1]) for n in names} == set(range(5))
    from PIL import Image

    with Image.open(target / names[0]) as img:
        assert img.size == (8, 8) and img.format == "JPEG"


def test_extra_inputs_labels_and_sample_weights():
    x = images(6).astype("float32")
    extra = np.arange(6) * 10
    extra2 = np.arange(6) * 100
    it = ImageDataGenerator().flow([x, extra], [5, 4, 3, 2, 1, 0], batch_size=4, shuffle=False,
                                   sample_weight=np.linspace(0, 1, 6))
    (bx, bextra), by, bw = next(it)
    np.testing.assert_allclose(bx, x[:4])
    np.testing.assert_array_equal(bextra, [0, 10, 20, 30])
    np.testing.assert_array_equal(by, [5, 4, 3, 2])
    np.testing.assert_allclose(bw, np.linspace(0, 1, 6)[:4])
    both = ImageDataGenerator().flow((x, [extra, extra2]), batch_size=6, shuffle=False)
    bx, e1, e2 = next(both)
    np.testing.assert_array_equal(e2, extra2)
    assert isinstance(next(ImageDataGenerator().flow(x, batch_size=2)), np.ndarray)


def test_validation_split_subsets():
    gen = ImageDataGenerator(validation_split=0.25)
    x = images(8).astype("float32")
    y = np.array([0, 1] * 4)
    val = gen.flow(x, y, batch_size=8, shuffle=False, subset="validation")
    train = gen.flow(x, y, batch_size=8, shuffle=False, subset="training")
    np.testing.assert_allclose(next(val)[0], x[:2])
    np.testing.assert_allclose(next(train)[0], x[2:])
    with pytest.raises(ValueError, match="different classes"):
        gen.flow(x, np.array([0, 0, 1, 1, 1, 1, 1, 1]), subset="training")
    with pytest.raises(ValueError, match="subset.*'test'"):
        gen.flow(x, y, subset="test")
    with pytest.raises(ValueError, match="validation_split"):
        ImageDataGenerator().flow(x, y, subset="validation")


@pytest.mark.parametrize("batch_size", [0, -2, 1.5, None])
def test_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match="batch_size.*positive integer"):
        ImageDataGenerator().flow(images(3), batch_size=batch_size)


def test_bad_shapes_and_lengths():
    gen = ImageDataGenerator()
    with pytest.raises(ValueError, match="rank 4.*\\(4, 8, 8\\)"):
        gen.flow(np.zeros((4, 8, 8)))
    with pytest.raises(ValueError, match="same length.*\\(3,\\)"):
        gen.flow(images(4), np.arange(3))
    with pytest.raises(ValueError, match="sample_weight"):
        gen.flow(images(4), np.arange(4), sample_weight=np.ones(5))
    with pytest.raises(ValueError, match="extra input 0 has 2"):
        gen.flow([images(4), np.arange(2)])
    with pytest.warns(UserWarning, match="channels"):
        gen.flow(np.zeros((2, 8, 8, 5)))


def test_channels_first_batches():
    x = images(4, 6).transpose(0, 3, 1, 2)
    gen = ImageDataGenerator(data_format="channels_first", rotation_range=40, vertical_flip=True)
    bx = next(gen.flow(x, batch_size=4, seed=2))
    assert bx.shape == (4, 3, 6, 6)


def test_custom_keras_style_iterator_subclass():
    class Squares(Iterator):
        def _get_batches_of_transformed_samples(self, index_array):
            return np.asarray(index_array) ** 2

    it = Squares(5, 2, shuffle=False, seed=None)
    assert [next(it).tolist() for _ in range(4)] == [[0, 1], [4, 9], [16], [0, 1]]
    assert it[1].tolist() == [4, 9]


def test_numpy_array_iterator_directly():
    it = NumpyArrayIterator(images(3), None, None, batch_size=2)
    assert next(it).shape == (2, 8, 8, 3)
