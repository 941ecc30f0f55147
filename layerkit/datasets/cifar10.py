"""`keras.datasets.cifar10`: 32x32 colour images in 10 classes."""
import os

import numpy as np

from layerkit.datasets.cifar import batches_folder, load_batch, to_data_format


def load_data():
    """Loads CIFAR10 from the Keras cache (downloaded if missing).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape
        (50000, 32, 32, 3) and (10000, 32, 32, 3) (channels first when the
        image data format is "channels_first"), uint8 labels of shape
        (50000, 1) and (10000, 1).
    """
    folder = batches_folder("cifar-10-batches-py")
    parts = [load_batch(os.path.join(folder, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([x for x, _ in parts]).astype("uint8")
    y_train = np.concatenate([np.asarray(y) for _, y in parts]).astype("uint8")
    x_test, y_test = load_batch(os.path.join(folder, "test_batch"))
    x_test = np.asarray(x_test).astype("uint8")
    y_test = np.asarray(y_test).astype("uint8")
    return ((to_data_format(x_train), y_train.reshape(-1, 1)),
            (to_data_format(x_test), y_test.reshape(-1, 1)))
