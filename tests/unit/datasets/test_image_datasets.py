"""mnist, fashion_mnist, cifar10, cifar100 on small stand-in files in the Keras
cache layout, compared with Keras 3's own loaders where they accept small files."""
import os

import numpy as np
import pytest

from layerkit import config
from layerkit.datasets import cifar10, cifar100, fashion_mnist, mnist, sources


def _mnist_arrays(rng):
    return dict(x_train=rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
                y_train=rng.integers(0, 10, 6).astype(np.uint8),
                x_test=rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
                y_test=rng.integers(0, 10, 3).astype(np.uint8))


def _same(ours, theirs):
    """((x_train, y_train), (x_test, y_test)) equal in values, dtypes and shapes."""
    for our_pair, their_pair in zip(ours, theirs):
        for a, b in zip(our_pair, their_pair):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_array_equal(a, b)


def test_mnist_reads_the_cached_npz(cache, files, keras_datasets, monkeypatch):
    arrays = _mnist_arrays(np.random.default_rng(0))
    path = cache.put("mnist.npz", files.npz_bytes(**arrays))
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    assert x_train.dtype == np.uint8 and y_test.shape == (3,)
    k = keras_datasets("mnist")
    monkeypatch.setattr(k, "get_file", lambda *a, **kw: str(path))
    _same(mnist.load_data(), k.load_data())


def test_mnist_path_argument_names_the_cached_file(cache, files):
    arrays = _mnist_arrays(np.random.default_rng(1))
    cache.put("mnist.npz", files.npz_bytes(**arrays), fname="my_mnist.npz")
    np.testing.assert_array_equal(mnist.load_data("my_mnist.npz")[1][1], arrays["y_test"])


def test_the_real_hash_rejects_a_stand_in(cache, files, monkeypatch):
    # a file under Keras's name whose hash is not Keras's: fetched again, and offline
    # the error says where the good file belongs
    data = files.npz_bytes(**_mnist_arrays(np.random.default_rng(2)))
    path = cache.put("mnist.npz", data)
    monkeypatch.setitem(sources.SOURCES, "mnist.npz",
                        dict(sources.SOURCES["mnist.npz"], file_hash="7" * 64))
    with pytest.raises(OSError) as info:
        mnist.load_data()
    assert str(path) in str(info.value) and sources.SOURCES["mnist.npz"]["origin"] in str(
        info.value)


def test_fashion_mnist_reads_the_idx_files(cache, files, keras_datasets, monkeypatch):
    rng = np.random.default_rng(3)
    parts = {"train-labels-idx1-ubyte.gz": rng.integers(0, 10, 5).astype(np.uint8),
             "train-images-idx3-ubyte.gz": rng.integers(0, 256, (5, 28, 28)).astype(np.uint8),
             "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, 2).astype(np.uint8),
             "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (2, 28, 28)).astype(np.uint8)}
    paths = {n: cache.put(n, files.idx_gz(a), subdir=os.path.join("datasets", "fashion-mnist"))
             for n, a in parts.items()}
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, parts["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, parts["t10k-labels-idx1-ubyte.gz"])
    assert x_test.shape == (2, 28, 28) and x_test.dtype == np.uint8
    k = keras_datasets("fashion_mnist")
    monkeypatch.setattr(k, "get_file", lambda fname, **kw: str(paths[fname]))
    _same(fashion_mnist.load_data(), k.load_data())


def _cifar10_tar(files, rng):
    batches = {f"data_batch_{i}": files.cifar_batch(rng, 2, labels=10) for i in range(1, 6)}
    batches["test_batch"] = files.cifar_batch(rng, 3, labels=10)
    return batches, files.cifar_tar("cifar-10-batches-py", batches)


def _expect_cifar10(batches):
    x = np.concatenate([batches[f"data_batch_{i}"]["data"] for i in range(1, 6)])
    y = np.concatenate([batches[f"data_batch_{i}"]["labels"] for i in range(1, 6)])
    return x.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), y.reshape(-1, 1).astype(np.uint8)


def test_cifar10_keras_2_layout(cache, files):
    batches, tar = _cifar10_tar(files, np.random.default_rng(4))
    cache.put("cifar-10-batches-py", tar, fname="cifar-10-batches-py.tar.gz")
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    x, y = _expect_cifar10(batches)
    np.testing.assert_array_equal(x_train, x)
    np.testing.assert_array_equal(y_train, y)
    assert x_train.dtype == y_train.dtype == x_test.dtype == y_test.dtype == np.uint8
    assert x_test.shape == (3, 32, 32, 3) and y_test.shape == (3, 1)
    assert (cache.datasets / "cifar-10-batches-py" / "test_batch").is_file()


def test_cifar10_keras_3_layout_and_channels_first(cache, files, monkeypatch):
    batches, tar = _cifar10_tar(files, np.random.default_rng(5))
    cache.put("cifar-10-batches-py", tar, fname="cifar-10-batches-py-target_archive")
    monkeypatch.setattr(config, "_IMAGE_DATA_FORMAT", "channels_first")
    (x_train, _), (x_test, _) = cifar10.load_data()
    assert x_train.shape == (10, 3, 32, 32)
    np.testing.assert_array_equal(x_test, batches["test_batch"]["data"].reshape(3, 3, 32, 32))
    assert (cache.datasets / "cifar-10-batches-py-target" / "cifar-10-batches-py").is_dir()
    assert not (cache.datasets / "cifar-10-batches-py.tar.gz").exists()


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_matches_keras(cache, files, keras_datasets, monkeypatch, tmp_path,
                                label_mode):
    rng = np.random.default_rng(6)
    batches = {name: files.cifar_batch(rng, n, fine_labels=100, coarse_labels=20)
               for name, n in (("train", 4), ("test", 2))}
    tar = files.cifar_tar("cifar-100-python", batches)
    cache.put("cifar-100-python", tar, fname="cifar-100-python.tar.gz")
    ours = cifar100.load_data(label_mode=label_mode)
    np.testing.assert_array_equal(ours[0][1][:, 0], batches["train"][f"{label_mode}_labels"])
    k = keras_datasets("cifar100")
    extracted = files.extract_all(tar, tmp_path / "keras_view")
    monkeypatch.setattr(k, "get_file", lambda *a, **kw: extracted)
    _same(ours, k.load_data(label_mode=label_mode))


def test_cifar100_rejects_an_unknown_label_mode(cache):
    with pytest.raises(ValueError, match="label_mode.*'medium'"):
        cifar100.load_data(label_mode="medium")


def test_a_pickle_naming_other_code_is_refused(cache, tmp_path):
    import pickle

    from layerkit.datasets.cifar import load_batch

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo unsafe",))

    path = tmp_path / "batch"
    path.write_bytes(pickle.dumps({b"data": Evil()}))
    with pytest.raises(pickle.UnpicklingError, match="system"):
        load_batch(str(path))
