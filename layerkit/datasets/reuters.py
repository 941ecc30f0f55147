"""`keras.datasets.reuters`: 11,228 Reuters newswires as word indices, in 46 topics."""
import numpy as np

from layerkit.datasets import word_sequences as ws
from layerkit.datasets.safe_pickle import load_npz
from layerkit.datasets.sources import fetch

_LABELS = ("cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing",
           "money-supply", "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass",
           "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum",
           "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi",
           "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
           "dlr", "gas", "silver", "wpi", "hog", "lead")


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3, **kwargs):
    """Loads the Reuters newswires from `reuters.npz` in the Keras cache.

    Arguments as `imdb.load_data`, plus `test_split`: the fraction of the
    (shuffled) newswires kept for the test set.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays of lists of ints, and
        int topic labels (0-45).
    """
    num_words = ws.legacy_num_words("reuters.load_data", num_words, kwargs)
    arrays = load_npz(fetch("reuters.npz", fname=path))
    xs, labels = ws.shuffled(np.random.RandomState(seed), arrays["x"], arrays["y"])
    xs = ws.shift(xs, start_char, index_from)
    if maxlen:
        xs, labels = ws.drop_long(maxlen, xs, labels)
    xs = ws.limit_vocabulary(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    return ((np.array(xs[:cut], dtype="object"), np.array(labels[:cut])),
            (np.array(xs[cut:], dtype="object"), np.array(labels[cut:])))


def get_word_index(path="reuters_word_index.json"):
    """The dict word -> index used by `load_data` (before `index_from`)."""
    return ws.read_word_index(fetch("reuters_word_index.json", fname=path))


def get_label_names():
    """The 46 topic names, in label order."""
    return _LABELS
