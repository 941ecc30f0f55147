"""The word-index processing shared by imdb and reuters, in Keras's order:
prepend `start_char` and shift by `index_from`, drop sequences of `maxlen` or
more words, then map indices outside [skip_top, num_words) to `oov_char` (or
drop them when `oov_char` is None)."""
import json

import numpy as np


def shift(sequences, start_char, index_from):
    if start_char is not None:
        return [[start_char] + [w + index_from for w in seq] for seq in sequences]
    return [[w + index_from for w in seq] for seq in sequences]


def drop_long(maxlen, sequences, labels):
    """Keeps the sequences shorter than maxlen (Keras keeps len < maxlen)."""
    kept = [(seq, label) for seq, label in zip(sequences, labels) if len(seq) < maxlen]
    return [s for s, _ in kept], [label for _, label in kept]


def limit_vocabulary(sequences, num_words, skip_top, oov_char):
    if not num_words:
        num_words = max(max(seq) for seq in sequences)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in seq]
                for seq in sequences]
    return [[w for w in seq if skip_top <= w < num_words] for seq in sequences]


def shuffled(rng, *arrays):
    order = np.arange(len(arrays[0]))
    rng.shuffle(order)
    return [a[order] for a in arrays]


def read_word_index(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def legacy_num_words(loader, num_words, kwargs):
    """Keras 1's `nb_words` (Keras 2 took it with a warning); anything else is an error."""
    if "nb_words" in kwargs:
        import warnings
        warnings.warn(f"{loader}: `nb_words` is now `num_words`.", stacklevel=3)
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"{loader}: unrecognized keyword arguments: {sorted(kwargs)}.")
    return num_words
