"""`keras.datasets.cifar100`: 32x32 colour images in 100 classes (20 superclasses)."""
import os

import numpy as np

from layerkit.datasets.cifar import batches_folder, load_batch, to_data_format


def load_data(label_mode="fine"):
    """Loads CIFAR100 from the Keras cache (downloaded if missing).

    Args:
        label_mode: "fine" (100 classes) or "coarse" (20 superclasses).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape
        (50000, 32, 32, 3) and (10000, 32, 32, 3) (channels first when the image
        data format is "channels_first"); labels of shape (50000, 1) and (10000, 1),
        int64 as Keras returns them.
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f'cifar100.load_data: label_mode must be "fine" or "coarse"; '
                         f"received label_mode={label_mode!r}.")
    folder = batches_folder("cifar-100-python")
    key = f"{label_mode}_labels"
    x_train, y_train = load_batch(os.path.join(folder, "train"), label_key=key)
    x_test, y_test = load_batch(os.path.join(folder, "test"), label_key=key)
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    return (to_data_format(x_train), y_train), (to_data_format(x_test), y_test)
