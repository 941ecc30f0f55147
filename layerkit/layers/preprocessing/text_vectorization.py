"""TextVectorization: standardize, split, n-grams, then a StringLookup (mask token "",
OOV "[UNK]"), all on the host with numpy (see host_layer.py for how a string input
reaches it inside fit/predict).

Standardization follows Keras's TensorFlow ops: `lower` lowercases ASCII letters only
(tf.strings.lower), `strip_punctuation` removes string.punctuation; `whitespace`
splitting drops empty tokens; n-grams of each width join tokens with one space,
narrow widths first. int output pads with 0 (or truncates) to output_sequence_length,
or to the longest document of the batch without one.
"""
import string

import numpy as np

from layerkit.layers.preprocessing import adapt_data
from layerkit.layers.preprocessing.category_encoding import check_sparse
from layerkit.layers.preprocessing.host_layer import HostLayer
from layerkit.layers.preprocessing.index_lookup import MODES, StringLookup, _listify

_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_NO_PUNCT = str.maketrans("", "", string.punctuation)
STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLIT = ("whitespace", "character")


class TextVectorization(HostLayer):
    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int", output_sequence_length=None,
                 pad_to_max_tokens=False, vocabulary=None, idf_weights=None, sparse=False,
                 ragged=False, encoding="utf-8", name=None, **kwargs):
        kwargs.pop("vocabulary_size", None)
        kwargs.pop("has_input_vocabulary", None)
        super().__init__(name=name, **kwargs)
        who = f'TextVectorization "{self.name}"'
        if not (standardize is None or callable(standardize) or standardize in STANDARDIZE):
            raise ValueError(f"{who}: `standardize` must be None, a callable or one of "
                             f"{STANDARDIZE}, received {standardize!r}.")
        if not (split is None or callable(split) or split in SPLIT):
            raise ValueError(f"{who}: `split` must be None, a callable or one of {SPLIT}, "
                             f"received {split!r}.")
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        if output_mode not in MODES:
            raise ValueError(f"{who}: `output_mode` must be one of {MODES}, received "
                             f"{output_mode!r}.")
        if not (ngrams is None or (isinstance(ngrams, int) and ngrams > 0) or (
                isinstance(ngrams, tuple) and all(isinstance(n, int) and n > 0 for n in ngrams))):
            raise ValueError(f"{who}: `ngrams` must be None, a positive integer or a tuple of "
                             f"them, received ngrams={ngrams!r}.")
        if output_sequence_length is not None and output_mode != "int":
            raise ValueError(f"{who}: `output_sequence_length` is only used with "
                             f"output_mode='int', received output_mode={output_mode!r}.")
        if output_sequence_length is not None and (
                isinstance(output_sequence_length, bool) or
                not isinstance(output_sequence_length, int) or output_sequence_length < 1):
            raise ValueError(f"{who}: `output_sequence_length` must be a positive integer or "
                             f"None, received {output_sequence_length!r}.")
        if ragged:
            raise ValueError(f"{who}: ragged=True is not supported (as in Keras 3 outside "
                             "TensorFlow: layerkit's engines have no ragged tensors); int output "
                             "is padded to the longest document or output_sequence_length.")
        self.sparse = check_sparse(self, sparse, output_mode)
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._ragged = False
        self._encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
            name=f"{self.name}_string_lookup")
        self.output_dtype = self._lookup_layer.output_dtype

    # --- text to tokens ---------------------------------------------------------
    def _text(self, value):
        text = value.decode(self._encoding) if isinstance(value, bytes) else str(value)
        if callable(self._standardize):
            return self._standardize(text)
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            text = text.translate(_LOWER)
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = text.translate(_NO_PUNCT)
        return text

    def _tokens(self, text):
        if callable(self._split):
            tokens = list(self._split(text))
        elif self._split == "whitespace":
            tokens = text.split()
        elif self._split == "character":
            tokens = list(text)
        else:
            tokens = [text]
        if self._ngrams:
            tokens = [" ".join(tokens[i:i + n]) for n in self._ngrams
                      for i in range(len(tokens) - n + 1)]
        return tokens

    def _documents(self, inputs):
        inputs = np.asarray(inputs)
        if inputs.ndim == 2 and inputs.shape[1] == 1:
            inputs = inputs[:, 0]
        if inputs.ndim == 0:
            inputs = inputs[None]
        if inputs.ndim != 1:
            raise ValueError(f'TextVectorization "{self.name}" expects a batch of strings of '
                             f"shape (batch,) or (batch, 1), received shape {inputs.shape}.")
        return [self._tokens(self._text(v)) for v in inputs.tolist()]

    # --- vocabulary ---------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None):
        who = f'TextVectorization "{self.name}"'
        if isinstance(data, (list, str)):
            data = np.asarray(data)
        docs = (doc for batch in adapt_data.batches(data, who, steps)
                for doc in self._documents(batch))
        if self._lookup_layer.input_vocabulary is not None:
            raise ValueError(f"{who}: cannot adapt a layer created with a `vocabulary`.")
        self._lookup_layer.adapt_rows(docs)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights)

    def get_vocabulary(self, include_special_tokens=True):
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        return self._lookup_layer.vocabulary_size()

    # --- call -----------------------------------------------------------------------
    def host_call(self, inputs):
        docs = self._documents(inputs)
        lookup = self._lookup_layer
        if self._output_mode != "int":
            width = max(1, max((len(d) for d in docs), default=0))
            tokens = np.full((len(docs), width), "", dtype=object)
            for i, d in enumerate(docs):
                tokens[i, :len(d)] = d
            return lookup.host_call(tokens)
        length = self._output_sequence_length or max((len(d) for d in docs), default=0)
        ids = np.zeros((len(docs), length), dtype=np.int64)
        flat = [t for d in docs for t in d[:length]]
        if flat:
            found = lookup.lookup(np.asarray(flat, dtype=object))
            rows = np.repeat(np.arange(len(docs)), [min(len(d), length) for d in docs])
            cols = np.concatenate([np.arange(min(len(d), length)) for d in docs])
            ids[rows, cols] = found
        return ids

    def compute_output_shape(self, input_shape):
        batch = tuple(input_shape)[:1] or (None,)
        if self._output_mode == "int":
            return batch + (self._output_sequence_length,)
        depth = self._lookup_layer.max_tokens if self._lookup_layer.pad_to_max_tokens \
            else self._lookup_layer.vocabulary_size()
        return batch + (depth,)

    def get_config(self):
        config_ = super().get_config()
        config_.update({
            "max_tokens": self._lookup_layer.max_tokens, "standardize": self._standardize,
            "split": self._split, "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": self._lookup_layer.pad_to_max_tokens, "sparse": self.sparse,
            "ragged": False, "vocabulary": _listify(self._lookup_layer.input_vocabulary),
            "idf_weights": _listify(self._lookup_layer.input_idf_weights),
            "encoding": self._encoding, "vocabulary_size": self.vocabulary_size()})
        return config_
