"""Where each dataset's files come from: the names, URLs and hashes Keras uses.

One table, so that a file a user already downloaded with Keras (same name, same
hash) is found and accepted as is. Tests that build small stand-in files
replace an entry's hash here (with pytest's monkeypatch); users never need to.
"""
_TF_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_CIFAR = "https://www.cs.toronto.edu/~kriz/"


def _entry(origin, file_hash):
    return {"origin": origin, "file_hash": file_hash}


# key: the file's default name in the Keras cache (datasets/ unless noted)
SOURCES = {
    "mnist.npz": _entry(_TF_DATASETS + "mnist.npz",
                        "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"),
    # fashion-mnist: Keras checks no hash for these four files
    "train-labels-idx1-ubyte.gz": _entry(_TF_DATASETS + "train-labels-idx1-ubyte.gz", None),
    "train-images-idx3-ubyte.gz": _entry(_TF_DATASETS + "train-images-idx3-ubyte.gz", None),
    "t10k-labels-idx1-ubyte.gz": _entry(_TF_DATASETS + "t10k-labels-idx1-ubyte.gz", None),
    "t10k-images-idx3-ubyte.gz": _entry(_TF_DATASETS + "t10k-images-idx3-ubyte.gz", None),
    "cifar-10-batches-py": _entry(
        _CIFAR + "cifar-10-python.tar.gz",
        "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"),
    "cifar-100-python": _entry(
        _CIFAR + "cifar-100-python.tar.gz",
        "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"),
    "imdb.npz": _entry(_TF_DATASETS + "imdb.npz",
                       "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"),
    "imdb_word_index.json": _entry(_TF_DATASETS + "imdb_word_index.json",
                                   "bfafd718b763782e994055a2d397834f"),
    "reuters.npz": _entry(_TF_DATASETS + "reuters.npz",
                          "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"),
    "reuters_word_index.json": _entry(_TF_DATASETS + "reuters_word_index.json",
                                      "4d44cc38712099c9e383dc6e5f11a921"),
    "boston_housing.npz": _entry(
        _TF_DATASETS + "boston_housing.npz",
        "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"),
    "california_housing.npz": _entry(
        _TF_DATASETS + "california_housing.npz",
        "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"),
}


def fetch(key, fname=None, **kwargs):
    """`get_file` for the table's entry `key`, cached as `fname` (default `key`)."""
    from layerkit.utils.file_utils import get_file

    entry = SOURCES[key]
    return get_file(fname or key, origin=entry["origin"], file_hash=entry["file_hash"], **kwargs)
