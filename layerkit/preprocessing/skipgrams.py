"""word2vec training pairs: `skipgrams` and `make_sampling_table` (Keras 2's).

Both draw from Python's `random` module in the order Keras 2 does (one draw per
word when a sampling table is given, then the negative samples, then one seed
for the two shuffles), so a program that seeds `random` gets Keras's pairs.
"""
import random

import numpy as np

__all__ = ["skipgrams", "make_sampling_table"]

_EULER_GAMMA = 0.577  # Keras's rounding of the Euler-Mascheroni constant


def make_sampling_table(size, sampling_factor=1e-5):
    """Probability of keeping the word of each frequency rank (0 … size - 1).

    Word ranks are assumed Zipf-distributed, word2vec's subsampling then keeps a
    word of frequency f with probability min(1, sqrt(f / sampling_factor) /
    (f / sampling_factor)); the frequency of rank r is approximated by
    1 / (r (ln r + gamma) + 1/2 - 1 / (12 r)). Rank 0 (padding) is given rank 1's value.
    """
    rank = np.arange(size)
    rank[0] = 1
    inverse_frequency = rank * (np.log(rank) + _EULER_GAMMA) + 0.5 - 1.0 / (12.0 * rank)
    scaled = sampling_factor * inverse_frequency
    # written as scaled / sqrt(scaled) (not sqrt(scaled)) to round as Keras does
    return np.minimum(1.0, scaled / np.sqrt(scaled))


def skipgrams(sequence, vocabulary_size, window_size=4, negative_samples=1.0, shuffle=True,
              categorical=False, sampling_table=None, seed=None):
    """(word, context) pairs from a sequence of word indices, with labels.

    Positive pairs join each word to the words at most `window_size` away (index 0
    is padding and never paired); `negative_samples` times as many negative pairs
    join a word to a random index in 1 … vocabulary_size - 1.

    Returns:
        `couples` (list of [word, context]) and `labels` (1 / 0, or [0, 1] / [1, 0]
        when `categorical`).
    """
    positive, negative = ([0, 1], [1, 0]) if categorical else (1, 0)
    couples, labels = [], []
    for i, word in enumerate(sequence):
        if not word:
            continue
        if sampling_table is not None and sampling_table[word] < random.random():
            continue
        for j in range(max(0, i - window_size), min(len(sequence), i + window_size + 1)):
            if j != i and sequence[j]:
                couples.append([word, sequence[j]])
                labels.append(positive)
    if negative_samples > 0:
        count = int(len(labels) * negative_samples)
        words = [pair[0] for pair in couples]
        random.shuffle(words)
        couples += [[words[k % len(words)], random.randint(1, vocabulary_size - 1)]
                    for k in range(count)]
        labels += [negative] * count
    if shuffle:
        if seed is None:
            seed = random.randint(0, 10_000_000)
        # one seed for both shuffles keeps couples and labels aligned
        random.seed(seed)
        random.shuffle(couples)
        random.seed(seed)
        random.shuffle(labels)
    return couples, labels
