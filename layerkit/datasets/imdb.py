"""`keras.datasets.imdb`: 25,000 train and 25,000 test movie reviews as word
indices (most frequent word = 1), labelled positive (1) or negative (0)."""
import numpy as np

from layerkit.datasets import word_sequences as ws
from layerkit.datasets.safe_pickle import load_npz
from layerkit.datasets.sources import fetch


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """Loads the IMDB reviews from `imdb.npz` in the Keras cache.

    Args:
        path: the file's name in `~/.keras/datasets/`.
        num_words: keep word indices below this (others become `oov_char`).
        skip_top: indices below this (the most frequent words) become `oov_char`.
        maxlen: drop reviews of `maxlen` words or more.
        seed: shuffling seed.
        start_char: index put at the start of every review (None: none).
        oov_char: index for dropped words (None: remove them).
        index_from: offset added to every word index.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays of lists of ints, and
        int labels.
    """
    num_words = ws.legacy_num_words("imdb.load_data", num_words, kwargs)
    arrays = load_npz(fetch("imdb.npz", fname=path))
    rng = np.random.RandomState(seed)
    x_train, labels_train = ws.shuffled(rng, arrays["x_train"], arrays["y_train"])
    x_test, labels_test = ws.shuffled(rng, arrays["x_test"], arrays["y_test"])
    x_train = ws.shift(x_train, start_char, index_from)
    x_test = ws.shift(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = ws.drop_long(maxlen, x_train, labels_train)
        x_test, labels_test = ws.drop_long(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(f"imdb.load_data: no review is shorter than maxlen={maxlen}; "
                             "increase maxlen.")
    xs = ws.limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    cut = len(x_train)
    return ((np.array(xs[:cut], dtype="object"), labels[:cut]),
            (np.array(xs[cut:], dtype="object"), labels[cut:]))


def get_word_index(path="imdb_word_index.json"):
    """The dict word -> index used by `load_data` (before `index_from`)."""
    return ws.read_word_index(fetch("imdb_word_index.json", fname=path))
