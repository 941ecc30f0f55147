"""`keras.preprocessing.text`: Keras 2's word tokenizing utilities.

`Tokenizer` numbers words by frequency (1 = most frequent; 0 is never a word, it
is left for padding), turns texts into index lists and into bag-of-words
matrices. Outputs, including `to_json`, are those of Keras's legacy
implementation (`keras.src.legacy.preprocessing.text`), quirks included: with
`num_words=n` only indices below n are kept (n - 1 words), and `char_level`
texts are split into characters without applying `filters`.
"""
import collections
import hashlib
import json
import warnings

import numpy as np

__all__ = ["Tokenizer", "tokenizer_from_json", "text_to_word_sequence", "one_hot",
           "hashing_trick"]

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
_MODES = ("binary", "count", "tfidf", "freq")


def text_to_word_sequence(input_text, filters=DEFAULT_FILTERS, lower=True, split=" "):
    """Splits a text into words: lower-cased, every `filters` character a separator."""
    if lower:
        input_text = input_text.lower()
    cleaned = input_text.translate(str.maketrans({c: split for c in filters}))
    return [word for word in cleaned.split(split) if word]


def _md5(word):
    return int(hashlib.md5(word.encode()).hexdigest(), 16)


def hashing_trick(text, n, hash_function=None, filters=DEFAULT_FILTERS, lower=True, split=" ",
                  analyzer=None):
    """Each word of `text` as `hash(word) % (n - 1) + 1` (indices 1 … n - 1).

    `hash_function`: None (Python's `hash`, which varies between runs unless
    PYTHONHASHSEED is set), "md5" (stable), or any function of a string.
    """
    if hash_function is None:
        hash_function = hash
    elif hash_function == "md5":
        hash_function = _md5
    words = (analyzer(text) if analyzer is not None
             else text_to_word_sequence(text, filters=filters, lower=lower, split=split))
    return [hash_function(word) % (n - 1) + 1 for word in words]


def one_hot(input_text, n, filters=DEFAULT_FILTERS, lower=True, split=" ", analyzer=None):
    """`hashing_trick` with Python's `hash`: a word index in 1 … n - 1 per word."""
    return hashing_trick(input_text, n, hash_function=hash, filters=filters, lower=lower,
                         split=split, analyzer=analyzer)


class Tokenizer:
    """Numbers the words of a corpus and turns texts into sequences or matrices.

    Args:
        num_words: keep only the `num_words - 1` most frequent words when converting
            (fitting still counts every word).
        filters: characters treated as separators.
        lower: lower-case texts first.
        split: the word separator.
        char_level: every character is a token.
        oov_token: if given, it takes index 1 and stands for unknown words.
        analyzer: a function text -> list of tokens used instead of splitting.
    """

    def __init__(self, num_words=None, filters=DEFAULT_FILTERS, lower=True, split=" ",
                 char_level=False, oov_token=None, analyzer=None, **kwargs):
        if "nb_words" in kwargs:
            warnings.warn("Tokenizer: `nb_words` is now `num_words`.", stacklevel=2)
            num_words = kwargs.pop("nb_words")
        document_count = kwargs.pop("document_count", 0)
        if kwargs:
            raise TypeError(f"Tokenizer: unrecognized keyword arguments: {sorted(kwargs)}.")
        self.num_words = num_words
        self.filters = filters
        self.lower = lower
        self.split = split
        self.char_level = char_level
        self.oov_token = oov_token
        self.analyzer = analyzer
        self.document_count = document_count
        self.word_counts = collections.OrderedDict()  # word -> count, in first-seen order
        self.word_docs = collections.defaultdict(int)  # word -> number of texts holding it
        self.index_docs = collections.defaultdict(int)  # index -> number of texts holding it
        self.word_index = {}
        self.index_word = {}

    def _tokens(self, text):
        # a list of tokens (or any text when char_level) is taken as it is, lower-cased
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = [t.lower() for t in text] if isinstance(text, list) else text.lower()
            return text
        if self.analyzer is not None:
            return self.analyzer(text)
        return text_to_word_sequence(text, filters=self.filters, lower=self.lower,
                                     split=self.split)

    def fit_on_texts(self, texts):
        """Counts the words of `texts` (strings, or lists of tokens) and renumbers them."""
        for text in texts:
            self.document_count += 1
            tokens = self._tokens(text)
            for word in tokens:
                self.word_counts[word] = self.word_counts.get(word, 0) + 1
            for word in set(tokens):
                self.word_docs[word] += 1
        # stable sort: words of equal count keep their first-seen order
        by_count = sorted(self.word_counts.items(), key=lambda item: item[1], reverse=True)
        vocabulary = ([] if self.oov_token is None else [self.oov_token])
        vocabulary += [word for word, _ in by_count]
        self.word_index = {}
        for index, word in enumerate(vocabulary, start=1):
            self.word_index[word] = index  # a word met twice keeps its later index
        self.index_word = {index: word for word, index in self.word_index.items()}
        for word, docs in list(self.word_docs.items()):
            self.index_docs[self.word_index[word]] = docs

    def fit_on_sequences(self, sequences):
        """Counts, for tf-idf, the texts each index occurs in (sequences of indices)."""
        self.document_count += len(sequences)
        for seq in sequences:
            for index in set(seq):
                self.index_docs[index] += 1

    def texts_to_sequences(self, texts):
        """Each text as a list of word indices (unknown words dropped, or `oov_token`)."""
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        """`texts_to_sequences`, one text at a time."""
        oov = self.word_index.get(self.oov_token)
        for text in texts:
            seq = []
            for word in self._tokens(text):
                index = self.word_index.get(word)
                if index is not None and not (self.num_words and index >= self.num_words):
                    seq.append(index)
                # as Keras: a too-rare word becomes oov only if oov_token is numbered,
                # an unknown word whenever oov_token is set
                elif (oov if index is not None else self.oov_token) is not None:
                    seq.append(oov)
            yield seq

    def sequences_to_texts(self, sequences):
        """Each list of indices as a text of space-separated words."""
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences):
        """`sequences_to_texts`, one sequence at a time."""
        oov = self.word_index.get(self.oov_token)
        for seq in sequences:
            words = []
            for index in seq:
                word = self.index_word.get(index)
                if word is not None and not (self.num_words and index >= self.num_words):
                    words.append(word)
                elif (oov if word is not None else self.oov_token) is not None:
                    words.append(self.index_word[oov])
            yield " ".join(words)

    def texts_to_matrix(self, texts, mode="binary"):
        """`sequences_to_matrix(texts_to_sequences(texts), mode)`."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        """A (len(sequences), num_words) float64 bag-of-words matrix.

        mode: "binary" (1 where an index occurs), "count", "freq" (count / length
        of the sequence) or "tfidf" ((1 + log count) * log(1 + texts / (1 + texts
        holding the index))).
        """
        if mode not in _MODES:
            raise ValueError(f"Tokenizer.sequences_to_matrix: mode must be one of {_MODES}; "
                             f"received mode={mode!r}.")
        if self.num_words:
            width = self.num_words
        elif self.word_index:
            width = len(self.word_index) + 1
        else:
            raise ValueError("Tokenizer.sequences_to_matrix: give `num_words` or fit the "
                             "Tokenizer on some texts first.")
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Tokenizer.sequences_to_matrix: fit the Tokenizer on some data "
                             "before using mode='tfidf'.")
        lengths = np.array([len(seq) for seq in sequences], dtype=np.int64)
        rows = np.repeat(np.arange(len(sequences)), lengths)
        cols = np.fromiter((j for seq in sequences for j in seq), dtype=np.int64,
                           count=int(lengths.sum()))
        kept = (cols >= 0) & (cols < width)
        counts = np.zeros((len(sequences), width))
        np.add.at(counts, (rows[kept], cols[kept]), 1)
        if mode == "count":
            return counts
        if mode == "binary":
            return (counts > 0).astype(np.float64)
        if mode == "freq":
            return counts / np.maximum(lengths, 1)[:, None]
        docs = np.array([self.index_docs.get(j, 0) for j in range(width)], dtype=np.float64)
        idf = np.log(1 + self.document_count / (1 + docs))
        return np.where(counts > 0, (1 + np.log(np.maximum(counts, 1))) * idf, 0.0)

    def get_config(self):
        """The settings and the fitted tables (the tables as JSON strings, as Keras)."""
        return {
            "num_words": self.num_words, "filters": self.filters, "lower": self.lower,
            "split": self.split, "char_level": self.char_level, "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts),
            "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs),
            "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs):
        """The tokenizer as a JSON string (`tokenizer_from_json` reads it); kwargs go to
        `json.dumps`. An `analyzer` function is not saved."""
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()},
                          **kwargs)


def tokenizer_from_json(json_string):
    """A `Tokenizer` from `Tokenizer.to_json()` output."""
    config = dict(json.loads(json_string).get("config"))
    tables = {name: json.loads(config.pop(name))
              for name in ("word_counts", "word_docs", "index_docs", "index_word", "word_index")}
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = tables["word_counts"]
    tokenizer.word_docs = tables["word_docs"]
    tokenizer.index_docs = {int(k): v for k, v in tables["index_docs"].items()}
    tokenizer.index_word = {int(k): v for k, v in tables["index_word"].items()}
    tokenizer.word_index = tables["word_index"]
    return tokenizer
