"""`keras.datasets.fashion_mnist`: 28x28 grayscale clothing images, 10 classes."""
import gzip
import os

import numpy as np

from layerkit.datasets.sources import fetch

_FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
          "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")


def _idx(path, header):
    # the IDX format: a big-endian header (8 bytes for labels, 16 for images), then uint8s
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=header)


def load_data():
    """Loads Fashion-MNIST from `~/.keras/datasets/fashion-mnist/` (downloaded if missing).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 arrays of shapes
        (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).
    """
    subdir = os.path.join("datasets", "fashion-mnist")
    paths = [fetch(name, cache_subdir=subdir) for name in _FILES]
    y_train, y_test = _idx(paths[0], 8), _idx(paths[2], 8)
    x_train = _idx(paths[1], 16).reshape(len(y_train), 28, 28)
    x_test = _idx(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
