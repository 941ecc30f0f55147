"""`keras.datasets.california_housing`: 8 attributes of California districts, house values."""
from layerkit.datasets.housing_split import check_test_split, load_xy, shuffled_split
from layerkit.datasets.sources import fetch


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Loads the California housing data, shuffled with `seed` and split.

    Args:
        version: "large" (20,640 districts) or "small" (the first 600).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float32 arrays; with the defaults
        (16512, 8), (16512,), (4128, 8), (4128,).
    """
    check_test_split(test_split)
    if version not in ("small", "large"):
        raise ValueError("california_housing.load_data: version must be 'small' or 'large'; "
                         f"received version={version!r}.")
    x, y = load_xy(fetch("california_housing.npz", fname=path))
    if version == "small":
        x, y = x[:600], y[:600]
    return shuffled_split(x, y, test_split, seed)
