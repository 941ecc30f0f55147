"""`keras.datasets.mnist`: 28x28 grayscale digits, 60,000 train and 10,000 test."""
import numpy as np

from layerkit.datasets.sources import fetch


def load_data(path="mnist.npz"):
    """Loads MNIST from `mnist.npz` in the Keras cache (downloaded if missing).

    Args:
        path: the file's name in `~/.keras/datasets/`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 arrays of shapes
        (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).
    """
    path = fetch("mnist.npz", fname=path)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
