"""Hashing: strings or integers to bins by FarmHash Fingerprint64 (or salted SipHash),
Keras's numbers (its TensorFlow ops) computed on the host (string_hash.py)."""
import numpy as np

from layerkit import engine
from layerkit.layers.preprocessing.category_encoding import (encoded_shape,
                                                             check_sparse)
from layerkit.layers.preprocessing.host_layer import HostLayer
from layerkit.layers.preprocessing.string_hash import hash_buckets

_MODES = ("int", "one_hot", "multi_hot", "count")


def encode_on_host(indices, output_mode, depth, dtype):
    """encode_categories on numpy ids (Keras's layout; see category_encoding.py)."""
    if output_mode == "int":
        return indices.astype(dtype)
    if indices.ndim == 0:
        indices = indices[None]
    if output_mode == "one_hot":
        if indices.ndim > 1 and indices.shape[-1] == 1:
            indices = indices[..., 0]
        return (indices[..., None] == np.arange(depth)).astype(dtype)
    hot = (indices[..., None] == np.arange(depth)).astype(dtype)
    axis = 1 if indices.ndim > 1 else 0
    return hot.max(axis=axis) if output_mode == "multi_hot" else hot.sum(axis=axis)


class Hashing(HostLayer):
    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else None
        super().__init__(**kwargs)
        if isinstance(num_bins, bool) or not isinstance(num_bins, int) or num_bins <= 0:
            raise ValueError(f'Hashing "{self.name}": `num_bins` must be a positive integer, '
                             f"received num_bins={num_bins!r}.")
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in _MODES:
            raise ValueError(f'Hashing "{self.name}": `output_mode` must be one of {_MODES}, '
                             f"received {output_mode!r}.")
        if salt is not None:
            if isinstance(salt, (list, tuple)) and len(salt) == 2 and \
                    all(isinstance(s, int) for s in salt):
                salt = list(salt)
            elif isinstance(salt, int) and not isinstance(salt, bool):
                salt = [salt, salt]
            else:
                raise ValueError(f'Hashing "{self.name}": `salt` must be an int or a pair of '
                                 f"ints, received salt={salt!r}.")
        if mask_value is not None and num_bins < 2:
            raise ValueError(f'Hashing "{self.name}": with a `mask_value`, `num_bins` must be '
                             f"at least 2 (bin 0 is the mask), received {num_bins}.")
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.salt = salt
        self.output_mode = output_mode
        self.sparse = check_sparse(self, sparse, output_mode)
        self.output_dtype = "int64" if output_mode == "int" else engine.standardize_dtype(
            self.dtype)

    def host_call(self, inputs):
        inputs = np.asarray(inputs)
        if inputs.dtype.kind == "f":
            raise ValueError(f'Hashing "{self.name}" hashes strings or integers, received '
                             f"{inputs.dtype} values.")
        bins = self.num_bins - (self.mask_value is not None)
        out = hash_buckets(inputs, bins, self.salt)
        if self.mask_value is not None:
            out = np.where(inputs == self.mask_value, 0, out + 1)
        return encode_on_host(out, self.output_mode, self.num_bins, self.output_dtype)

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self.num_bins)

    def get_config(self):
        config_ = super().get_config()
        config_.update({"num_bins": self.num_bins, "salt": self.salt,
                        "mask_value": self.mask_value, "output_mode": self.output_mode,
                        "sparse": self.sparse})
        return config_
