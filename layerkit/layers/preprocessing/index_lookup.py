"""StringLookup and IntegerLookup: tokens to indices (or back, with `invert`) through a
vocabulary that is given or learned by `adapt()`, on the host with numpy.

Index layout, as Keras: [mask (int mode, when mask_token is set)] [num_oov_indices
OOV indices] [vocabulary]. An unknown token goes to the OOV index; with several, to
Fingerprint64(token) mod n for strings and token mod n for integers (oov_method
"floormod"; "farmhash" hashes the decimal string). adapt() orders the vocabulary by
count, then by token, both descending (Keras's order). tf_idf weights are
log(1 + documents / (1 + document frequency)), the OOV weight their mean.
"""
import collections

import numpy as np

from layerkit import config
from layerkit.layers.preprocessing import adapt_data
from layerkit.layers.preprocessing.category_encoding import check_sparse
from layerkit.layers.preprocessing.hashing import encode_on_host
from layerkit.layers.preprocessing.host_layer import HostLayer
from layerkit.layers.preprocessing.string_hash import hash_buckets

MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


class IndexLookup(HostLayer):
    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 sparse=False, pad_to_max_tokens=False, oov_method="floormod", salt=None,
                 vocabulary_size=None, **kwargs):
        super().__init__(**kwargs)
        who = f'{type(self).__name__} "{self.name}"'
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"{who}: `max_tokens` must be > 1, received {max_tokens}.")
        if num_oov_indices < 0:
            raise ValueError(f"{who}: `num_oov_indices` must be >= 0, received "
                             f"{num_oov_indices}.")
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in MODES:
            raise ValueError(f"{who}: `output_mode` must be one of {MODES}, received "
                             f"{output_mode!r}.")
        if invert and output_mode != "int":
            raise ValueError(f"{who}: `invert=True` needs output_mode='int', received "
                             f"{output_mode!r}.")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"{who}: `idf_weights` is only used with output_mode='tf_idf'.")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{who}: `pad_to_max_tokens=True` needs `max_tokens`.")
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.vocabulary_dtype = vocabulary_dtype
        self.invert = bool(invert)
        self.output_mode = output_mode
        self.sparse = check_sparse(self, sparse, output_mode)
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.oov_method = oov_method
        self.salt = salt
        self.input_vocabulary = vocabulary
        self.input_idf_weights = idf_weights
        self.output_dtype = (vocabulary_dtype if invert else "int64") if output_mode == "int" \
            else config.floatx()
        self._tokens = None
        self._idf = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # --- vocabulary ----------------------------------------------------------
    def _oov_start(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start(self):
        return self._oov_start() + self.num_oov_indices

    def _as_tokens(self, values):
        return np.asarray(values, dtype=object if self.vocabulary_dtype == "string"
                          else np.int64)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        who = f'{type(self).__name__} "{self.name}"'
        if isinstance(vocabulary, str):
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = [line.rstrip("\n") for line in f if line.rstrip("\n")]
            if self.vocabulary_dtype != "string":
                vocabulary = [int(v) for v in vocabulary]
        vocab = list(np.asarray(vocabulary).reshape(-1).tolist())
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError(f"{who}: output_mode='tf_idf' needs `idf_weights` with the "
                             "vocabulary.")
        if not vocab:
            raise ValueError(f"{who}: cannot set an empty vocabulary.")
        specials = [self.mask_token] * self._oov_start() + [self.oov_token] * \
            self.num_oov_indices
        with_specials = vocab[:len(specials)] == specials
        tokens = vocab[len(specials):] if with_specials else vocab
        repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError(f"{who}: the vocabulary repeats {sorted(map(str, repeated))}; "
                             "pass each token once.")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(f"{who}: the mask token {self.mask_token!r} is in the vocabulary "
                             f"at a place other than the start; expected the special tokens "
                             f"{specials} first or not at all.")
        if self.invert and self.oov_token in tokens:
            raise ValueError(f"{who}: the OOV token {self.oov_token!r} is in the vocabulary; "
                             f"expected the special tokens {specials} first or not at all.")
        size = self._token_start() + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(f"{who}: the vocabulary has {size} entries with the special "
                             f"tokens, more than max_tokens={self.max_tokens}.")
        self._tokens = self._as_tokens(tokens)
        if idf_weights is not None:
            idf = np.asarray(idf_weights, dtype=np.float64).reshape(-1)
            if len(idf) != len(vocab):
                raise ValueError(f"{who}: `idf_weights` has {len(idf)} values for a "
                                 f"vocabulary of {len(vocab)}.")
            if not with_specials:
                idf = np.concatenate([np.full(self._token_start(), idf.mean()), idf])
            self._set_idf(idf)
        self._index = {t: i + self._token_start() for i, t in enumerate(self._tokens.tolist())}

    def _set_idf(self, idf):
        if self.pad_to_max_tokens:
            idf = np.pad(idf, (0, self.max_tokens - len(idf)))
        self._idf = idf.astype(config.floatx())

    def vocabulary_size(self):
        if self._tokens is None:
            return self._token_start()
        return self._token_start() + len(self._tokens)

    def get_vocabulary(self, include_special_tokens=True):
        tokens = [] if self._tokens is None else self._tokens.tolist()
        if not include_special_tokens:
            return tokens
        specials = [self.mask_token] * self._oov_start() + [self.oov_token] * \
            self.num_oov_indices
        return specials + tokens

    # --- adapt -----------------------------------------------------------------
    def adapt(self, data, steps=None):
        who = f'{type(self).__name__} "{self.name}"'
        if self.input_vocabulary is not None:
            raise ValueError(f"{who}: cannot adapt a layer created with a `vocabulary`.")
        if isinstance(data, (np.ndarray, list)) and np.ndim(data) == 1:
            data = np.asarray(data)[:, None]   # one token per document, as Keras
        rows = (row for batch in adapt_data.batches(data, who, steps)
                for row in self._rows(np.asarray(batch)))
        self.adapt_rows(rows)

    def _rows(self, batch):
        if batch.ndim == 0:
            batch = batch[None]
        rows = batch.reshape(batch.shape[0], -1) if batch.ndim > 1 else batch[None]
        return [self._token_list(row) for row in rows]

    def adapt_rows(self, rows):
        """Learns the vocabulary (and idf weights) from documents given as token lists."""
        counts, doc_counts, documents = collections.Counter(), collections.Counter(), 0
        for row in rows:
            counts.update(row)
            if self.output_mode == "tf_idf":
                doc_counts.update(set(row))
                documents += 1
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        tokens = list(counts)
        keys = np.empty(len(tokens), dtype=object) if self.vocabulary_dtype == "string" \
            else np.asarray(tokens, dtype=np.int64)
        if self.vocabulary_dtype == "string":
            keys[:] = [t.encode("utf-8") for t in tokens]   # TensorFlow sorts bytes
        order = np.lexsort((keys, np.asarray([counts[t] for t in tokens])))[::-1] \
            if tokens else np.zeros(0, dtype=np.int64)
        if self.max_tokens:
            order = order[:self.max_tokens - self._token_start()]
        self._tokens = self._as_tokens([tokens[i] for i in order])
        self._index = {t: i + self._token_start() for i, t in enumerate(self._tokens.tolist())}
        if self.output_mode == "tf_idf":
            df = np.asarray([doc_counts[t] for t in self._tokens.tolist()], dtype=np.float64)
            idf = np.log1p(documents / (1.0 + df))
            self._set_idf(np.concatenate([np.full(self._token_start(), idf.mean()), idf]))

    def _token_list(self, values):
        if self.vocabulary_dtype == "string":
            return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values]
        return [int(v) for v in values]

    # --- lookup ----------------------------------------------------------------
    def host_call(self, inputs):
        if self._tokens is None:
            raise ValueError(f'{type(self).__name__} "{self.name}": give a `vocabulary` or '
                             "call adapt() before using the layer.")
        inputs = np.asarray(inputs)
        if self.invert:
            return self._invert(inputs)
        ids = self.lookup(inputs)
        if self.output_mode == "int":
            return ids
        depth = self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()
        if self.mask_token is not None:
            ids = np.where(inputs == self.mask_token, depth, ids)   # dropped from counts
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode_on_host(ids, mode, depth, config.floatx())
        return out * self._idf[:depth] if self.output_mode == "tf_idf" else out

    def lookup(self, inputs):
        """The int64 index of each item of the numpy array `inputs`."""
        flat = inputs.reshape(-1)
        unique, inverse = np.unique(flat, return_inverse=True)
        found = np.asarray([self._index.get(t, -1) for t in self._token_list(unique)],
                           dtype=np.int64)
        ids = found[inverse].reshape(inputs.shape)
        missing = ids < 0
        if missing.any():
            if self.num_oov_indices == 0:
                raise ValueError(f'{type(self).__name__} "{self.name}": with num_oov_indices=0 '
                                 "every input must be in the vocabulary; found "
                                 f"{inputs[missing][:5].tolist()}.")
            if self.num_oov_indices == 1:
                oov = np.full(inputs.shape, self._oov_start(), dtype=np.int64)
            elif self.vocabulary_dtype != "string" and self.oov_method != "farmhash":
                oov = np.mod(inputs.astype(np.int64), self.num_oov_indices) + self._oov_start()
            else:
                oov = hash_buckets(inputs, self.num_oov_indices, self.salt) + self._oov_start()
            ids = np.where(missing, oov, ids)
        if self.mask_token is not None and self.output_mode == "int":
            ids = np.where(inputs == self.mask_token, 0, ids)
        return ids

    def _invert(self, ids):
        vocab = self._as_tokens(self.get_vocabulary())
        ids = ids.astype(np.int64)
        valid = (ids >= 0) & (ids < len(vocab))
        out = vocab[np.where(valid, ids, 0)]
        out = np.where(valid, out, self.oov_token)
        if self.vocabulary_dtype == "string":
            return out.astype(str)
        return out.astype(np.int64)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()
        if self.output_mode == "one_hot" and not (len(input_shape) > 1 and
                                                  input_shape[-1] == 1):
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    def get_config(self):
        config_ = super().get_config()
        config_.update({
            "invert": self.invert, "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
            "mask_token": self.mask_token, "output_mode": self.output_mode,
            "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": _listify(self.input_idf_weights),
            "vocabulary": _listify(self.input_vocabulary),
            "vocabulary_size": self.vocabulary_size() if self._tokens is not None else None,
            "oov_method": self.oov_method, "salt": self.salt})
        return config_


def _listify(value):
    if value is None or isinstance(value, str):
        return value
    return np.asarray(value).tolist()


class StringLookup(IndexLookup):
    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, salt=None,
                 **kwargs):
        # Written by get_config; strings always hash into the OOV buckets.
        kwargs.pop("vocabulary_dtype", None)
        kwargs.pop("oov_method", None)
        self.encoding = encoding
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, "string",
                         vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, oov_method="floormod",
                         salt=salt, name=name, **kwargs)

    def get_config(self):
        config_ = super().get_config()
        del config_["vocabulary_dtype"]
        config_["encoding"] = self.encoding
        return config_


class IntegerLookup(IndexLookup):
    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False,
                 oov_method="floormod", salt=None, name=None, **kwargs):
        if vocabulary_dtype != "int64":
            raise ValueError(f"IntegerLookup: only vocabulary_dtype='int64' is supported, "
                             f"received {vocabulary_dtype!r}.")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(f"IntegerLookup: `oov_method` must be 'floormod' or 'farmhash', "
                             f"received {oov_method!r}.")
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, "int64",
                         vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, oov_method=oov_method,
                         salt=salt, name=name, **kwargs)
