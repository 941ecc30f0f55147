"""The shuffle-and-split shared by the housing loaders (Keras's order exactly)."""
import numpy as np

from layerkit.datasets.safe_pickle import load_npz


def check_test_split(test_split):
    if not 0 <= test_split < 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between 0 "
                         "and 1 (exclusive of 1).")


def shuffled_split(x, y, test_split, seed):
    """Shuffles with `np.random.RandomState(seed)` and keeps the first 1 - test_split."""
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))


def load_xy(path):
    arrays = load_npz(path)
    return arrays["x"], arrays["y"]
