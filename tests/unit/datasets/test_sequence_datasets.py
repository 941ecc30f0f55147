"""imdb, reuters, boston_housing, california_housing on small stand-ins,
compared with Keras 3's loaders run on the same files; and the sources table
against Keras's own names, URLs and hashes."""
import inspect
import json

import numpy as np
import pytest

from layerkit.datasets import boston_housing, california_housing, imdb, reuters, sources


def _same(ours, theirs):
    for our_pair, their_pair in zip(ours, theirs):
        for a, b in zip(our_pair, their_pair):
            assert a.dtype == b.dtype and a.shape == b.shape
            assert [list(v) if isinstance(v, list) else v for v in a.tolist()] == b.tolist()


_OPTIONS = [
    {},
    {"num_words": 20},
    {"num_words": 25, "skip_top": 5},
    {"maxlen": 9},
    {"maxlen": 10, "num_words": 15, "oov_char": None},
    {"start_char": None, "index_from": 0},
    {"start_char": None, "index_from": 2, "oov_char": 7, "skip_top": 3, "num_words": 18},
    {"seed": 7, "index_from": 1, "start_char": 9},
]


@pytest.fixture
def imdb_file(cache, files, keras_datasets, monkeypatch):
    rng = np.random.default_rng(8)
    data = dict(x_train=files.ragged(rng, 9, 30), y_train=rng.integers(0, 2, 9),
                x_test=files.ragged(rng, 7, 30), y_test=rng.integers(0, 2, 7))
    path = cache.put("imdb.npz", files.npz_bytes(**data))
    k = keras_datasets("imdb")
    monkeypatch.setattr(k, "get_file", lambda *a, **kw: str(path))
    return data, k


@pytest.mark.parametrize("options", _OPTIONS)
def test_imdb_matches_keras(imdb_file, options):
    _, k = imdb_file
    _same(imdb.load_data(**options), k.load_data(**options))


def test_imdb_values(imdb_file):
    data, _ = imdb_file
    (x_train, y_train), (x_test, _) = imdb.load_data(seed=113, num_words=1000)
    order = np.arange(9)
    np.random.RandomState(113).shuffle(order)
    assert x_train[0] == [1] + [w + 3 for w in data["x_train"][order[0]]]
    np.testing.assert_array_equal(y_train, data["y_train"][order])
    assert x_train.dtype == object and len(x_test) == 7


def test_imdb_maxlen_too_small_and_unknown_keywords(imdb_file):
    with pytest.raises(ValueError, match="maxlen=2"):
        imdb.load_data(maxlen=2)
    with pytest.raises(TypeError, match="num_wrds"):
        imdb.load_data(num_wrds=10)
    with pytest.warns(UserWarning, match="nb_words"):
        _, k = imdb_file
        _same(imdb.load_data(nb_words=12), k.load_data(num_words=12))


def test_word_indexes_are_read_from_the_cache(cache):
    cache.put("imdb_word_index.json", json.dumps({"the": 1, "film": 19}).encode())
    cache.put("reuters_word_index.json", json.dumps({"said": 2}).encode())
    assert imdb.get_word_index() == {"the": 1, "film": 19}
    assert reuters.get_word_index() == {"said": 2}


@pytest.mark.parametrize("options", _OPTIONS + [{"test_split": 0.5, "maxlen": 11},
                                                {"test_split": 0.0}])
def test_reuters_matches_keras(cache, files, keras_datasets, monkeypatch, options):
    rng = np.random.default_rng(9)
    path = cache.put("reuters.npz", files.npz_bytes(x=files.ragged(rng, 12, 30),
                                                    y=rng.integers(0, 46, 12)))
    k = keras_datasets("reuters")
    monkeypatch.setattr(k, "get_file", lambda *a, **kw: str(path))
    _same(reuters.load_data(**options), k.load_data(**options))
    assert reuters.get_label_names() == k.get_label_names()


@pytest.mark.parametrize("module,name,features", [(boston_housing, "boston_housing", 13),
                                                  (california_housing, "california_housing", 8)])
@pytest.mark.parametrize("options", [{}, {"test_split": 0.3, "seed": 1}, {"test_split": 0}])
def test_housing_matches_keras(cache, files, keras_datasets, monkeypatch, module, name,
                               features, options):
    rng = np.random.default_rng(10)
    x = rng.normal(size=(23, features)).astype("float32" if features == 8 else "float64")
    path = cache.put(f"{name}.npz", files.npz_bytes(x=x, y=rng.normal(size=23)))
    k = keras_datasets(name)
    monkeypatch.setattr(k, "get_file", lambda *a, **kw: str(path))
    _same(module.load_data(**options), k.load_data(**options))
    with pytest.raises(ValueError, match="test_split"):
        module.load_data(test_split=1.0)


def test_california_small_version(cache, files, keras_datasets, monkeypatch):
    rng = np.random.default_rng(11)
    path = cache.put("california_housing.npz",
                     files.npz_bytes(x=rng.normal(size=(700, 8)), y=rng.normal(size=700)))
    k = keras_datasets("california_housing")
    monkeypatch.setattr(k, "get_file", lambda *a, **kw: str(path))
    ours = california_housing.load_data(version="small")
    assert len(ours[0][0]) + len(ours[1][0]) == 600
    _same(ours, k.load_data(version="small"))
    with pytest.raises(ValueError, match="version.*'tiny'"):
        california_housing.load_data(version="tiny")


_KERAS_MODULE = {"mnist.npz": "mnist", "cifar-10-batches-py": "cifar10",
                 "cifar-100-python": "cifar100", "imdb.npz": "imdb",
                 "imdb_word_index.json": "imdb", "reuters.npz": "reuters",
                 "reuters_word_index.json": "reuters", "boston_housing.npz": "boston_housing",
                 "california_housing.npz": "california_housing"}


@pytest.mark.parametrize("key", sorted(sources.SOURCES))
def test_the_table_holds_keras_names_urls_and_hashes(keras_datasets, key):
    entry = sources.SOURCES[key]  # the real table: no `cache` fixture here
    text = inspect.getsource(keras_datasets(_KERAS_MODULE.get(key, "fashion_mnist")))
    origin_name = entry["origin"].rsplit("/", 1)[-1]
    assert origin_name in text and entry["origin"].rsplit("/", 1)[0] in text
    assert entry["file_hash"] is None or entry["file_hash"] in text
    assert key.split(".")[0] in text


def test_keras_2_paths_reach_the_loaders(keras_alias):
    from keras.datasets import cifar100 as old_cifar100, mnist as old_mnist

    import keras.datasets.imdb as old_imdb

    assert old_mnist.load_data is __import__("layerkit").datasets.mnist.load_data
    assert old_imdb.get_word_index is imdb.get_word_index
    assert callable(old_cifar100.load_data)
