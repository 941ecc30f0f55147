"""`keras.datasets.boston_housing`: 13 attributes of 506 Boston suburbs, median values."""
from layerkit.datasets.housing_split import check_test_split, load_xy, shuffled_split
from layerkit.datasets.sources import fetch


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Loads the Boston housing data, shuffled with `seed` and split.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float64 arrays; with the defaults
        (404, 13), (404,), (102, 13), (102,).
    """
    check_test_split(test_split)
    x, y = load_xy(fetch("boston_housing.npz", fname=path))
    return shuffled_split(x, y, test_split, seed)
