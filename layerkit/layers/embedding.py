"""Embedding: maps integer indices in [0, input_dim) to rows of a trainable
(input_dim, output_dim) matrix (`ops.take`, a gather, on both engines).

Bad indices: host (NumPy/list) inputs are checked before the lookup (free).
On PyTorch the gather itself rejects an index outside the table, and that error
is re-raised naming the layer. Inside a compiled JAX step a check would cost a
device-to-host sync every step, so none is made there: an index outside the
table reads a NaN row (jnp.take's "fill" mode), which shows up as a NaN loss.
"""
import numpy as np

from layerkit import constraints, initializers, ops, regularizers
from layerkit.layers.layer import Layer

# Keras 3 options layerkit does not implement: accepted only at their "off" value so
# that Keras 3 configs load.
_UNSUPPORTED = ("lora_rank", "lora_alpha", "quantization_config")


def _positive_int(name, value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"Embedding: `{name}` must be a positive integer, received "
                         f"{name}={value!r} (of type {type(value).__name__}).")
    return int(value)


class Embedding(Layer):
    """Turns indices of shape S into vectors of shape S + (output_dim,)."""

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None,
                 mask_zero=False, weights=None, **kwargs):
        for key in _UNSUPPORTED:
            if kwargs.pop(key, None) not in (None, 0):
                raise NotImplementedError(f"Embedding: `{key}` (LoRA / quantization) is not "
                                          "supported by layerkit; leave it unset.")
        # Keras 2's `input_length` fixes the input shape (for Flatten/Dense after it).
        input_length = kwargs.pop("input_length", None)
        if input_length is not None and "input_shape" not in kwargs \
                and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = tuple(input_length) \
                if isinstance(input_length, (list, tuple)) else (input_length,)
        super().__init__(**kwargs)
        self.input_dim = _positive_int("input_dim", input_dim)
        self.output_dim = _positive_int("output_dim", output_dim)
        self.input_length = input_length
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.embeddings = None
        if weights is not None:
            # As in Keras: the table needs no input shape, so it is built now.
            self.build()
            if not (isinstance(weights, (list, tuple)) and len(weights) == 1):
                weights = [weights]
            self.set_weights(list(weights))

    def build(self, input_shape=None):
        if self.embeddings is None:
            self.embeddings = self.add_weight(name="embeddings",
                                              shape=(self.input_dim, self.output_dim),
                                              initializer=self.embeddings_initializer,
                                              regularizer=self.embeddings_regularizer,
                                              constraint=self.embeddings_constraint)
        self.built = True

    def __call__(self, *args, **kwargs):
        if args and isinstance(args[0], (np.ndarray, list, tuple)):
            self._check_host_indices(np.asarray(args[0]))
        return super().__call__(*args, **kwargs)

    def _check_host_indices(self, x):
        if x.size == 0 or x.dtype == object:
            return
        if not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
            raise ValueError(f'Embedding "{self.name}": expected integer indices, received '
                             f"an array of dtype {x.dtype}.")
        if np.issubdtype(x.dtype, np.floating) and not np.all(np.floor(x) == x):
            raise ValueError(f'Embedding "{self.name}": expected integer indices, received '
                             f"non-integer values such as {x[np.floor(x) != x].flat[0]!r}.")
        low, high = x.min(), x.max()
        if low < 0 or high >= self.input_dim:
            raise ValueError(f'Embedding "{self.name}": indices must lie in [0, '
                             f"{self.input_dim}) (input_dim={self.input_dim}), received "
                             f"values from {low} to {high}.")

    def call(self, inputs):
        dtype = ops.dtype(inputs)
        if dtype not in ("int32", "int64"):
            inputs = ops.cast(inputs, "int32")
        try:
            outputs = ops.take(self.embeddings.value, inputs, axis=0)
        except (IndexError, RuntimeError) as e:
            raise ValueError(f'Embedding "{self.name}": an index is outside [0, '
                             f"{self.input_dim}) (input_dim={self.input_dim}); the engine "
                             f"said: {e}") from e
        if ops.dtype(outputs) != self.compute_dtype:
            outputs = ops.cast(outputs, self.compute_dtype)
        return outputs

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None,
        })
        return config
