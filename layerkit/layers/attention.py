"""Attention (Luong dot-product) and AdditiveAttention (Bahdanau), called on
[query, value] or [query, value, key] with an optional [query_mask, value_mask].

scores (B, Tq, Tv) = query . key (times `scale` with use_scale) for score_mode "dot",
concat_score_weight * sum(tanh(scale * (query + key))) for "concat", and
sum(scale * tanh(query + key)) for AdditiveAttention; masked keys get -1e9 (65504
in float16), the softmax gives the weights, dropout acts on them while training, and
the output is weights . value, zero where the query is masked. Keras 2's
`causal=True` is the same as passing use_causal_mask=True to every call.
"""
from layerkit import ops
from layerkit import random as lk_random
from layerkit.engine.common.dtypes import standardize_dtype
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.layers.layer import Layer


class Attention(Layer):
    """Dot-product attention layer (Luong-style)."""

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None,
                 causal=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f'{type(self).__name__} "{self.name}": `score_mode` must be '
                             f'"dot" or "concat", received score_mode={score_mode!r}.')
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) \
                or not 0 <= dropout <= 1:
            raise ValueError(f'{type(self).__name__} "{self.name}": `dropout` must be a '
                             f"float in [0, 1], received dropout={dropout!r}.")
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.dropout = float(dropout)
        self.seed = seed
        # Keras 2 (tf.keras 2.4-2.9) took the causal flag here; Keras 3 per call.
        self.causal = bool(causal) if causal is not None else None
        if self.dropout > 0:
            self.seed_generator = lk_random.SeedGenerator(
                seed, name=f"{self.name}_seed_generator")
            self._seed_generators.append(self.seed_generator)
        self.supports_masking = True
        self.scale = None
        self.concat_score_weight = None

    def _who(self):
        return f'{type(self).__name__} "{self.name}"'

    def _validate(self, inputs, mask=None):
        single = isinstance(inputs, (list, tuple)) and all(
            d is None or isinstance(d, int) for d in inputs)     # one tensor's shape
        if not isinstance(inputs, (list, tuple)) or single or not 2 <= len(inputs) <= 3:
            raise ValueError(f"{self._who()} must be called on a list [query, value] or "
                             f"[query, value, key]; received {_describe(inputs)}.")
        if mask is not None and (not isinstance(mask, (list, tuple)) or
                                 not 2 <= len(mask) <= 3):
            raise ValueError(f"{self._who()}: `mask` must be a list [query_mask, "
                             f"value_mask]; received {_describe(mask)}.")
        shapes = [tuple(x) if isinstance(x, (list, tuple)) else tuple(x.shape)
                  for x in inputs]
        query, value = shapes[0], shapes[1]
        key = shapes[2] if len(shapes) > 2 else value
        if any(len(s) < 3 for s in (query, value, key)):
            raise ValueError(f"{self._who()}: query, value and key must be at least 3-D "
                             f"(batch, steps, dim); received shapes {shapes}.")
        if key[-2] is not None and value[-2] is not None and key[-2] != value[-2]:
            raise ValueError(f"{self._who()}: key and value must have the same number of "
                             f"steps; received key {key}, value {value}.")
        if query[-1] is not None and key[-1] is not None and query[-1] != key[-1]:
            raise ValueError(f"{self._who()}: query and key must have the same last "
                             f"dimension (the scores are their products); received query "
                             f"{query}, key {key}.")

    def build(self, input_shape):
        self._validate(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(),
                                                       initializer="ones")
        self.built = True

    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.swapaxes(key, -2, -1))
            return scores if self.scale is None else scores * self.scale.value
        total = ops.expand_dims(query, -2) + ops.expand_dims(key, -3)
        if self.scale is not None:
            total = self.scale.value * total
        return self.concat_score_weight.value * ops.sum(ops.tanh(total), axis=-1)

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        self._validate(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        scores = self._calculate_scores(query, key)
        keep = None if value_mask is None else \
            ops.expand_dims(ops.cast(value_mask, "bool"), -2)
        if use_causal_mask or self.causal:
            steps_q, steps_v = scores.shape[-2], scores.shape[-1]
            rows = ops.reshape(ops.arange(steps_q, dtype="int32"), (1, steps_q, 1))
            cols = ops.reshape(ops.arange(steps_v, dtype="int32"), (1, 1, steps_v))
            causal = ops.greater_equal(rows, cols)
            keep = causal if keep is None else ops.logical_and(keep, causal)
        if keep is not None:
            big = 65504.0 if standardize_dtype(scores.dtype) == "float16" else 1.0e9
            scores = ops.where(keep, scores, scores - big)
        weights = ops.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = lk_random.dropout(weights, self.dropout, seed=self.seed_generator)
        output = ops.matmul(weights, value)
        if query_mask is not None:
            output = ops.where(ops.expand_dims(ops.cast(query_mask, "bool"), -1), output,
                               ops.zeros_like(output))
        if return_attention_scores:
            return output, weights
        return output

    def compute_mask(self, inputs, mask=None):
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def compute_output_spec(self, inputs, mask=None, return_attention_scores=False,
                            **kwargs):
        self._validate(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        out = SymbolicTensor(tuple(query.shape[:-1]) + (value.shape[-1],),
                             self.compute_dtype)
        if return_attention_scores:
            scores = SymbolicTensor(tuple(query.shape[:-1]) + (key.shape[-2],),
                                    self.compute_dtype)
            return out, scores
        return out

    def get_config(self):
        config = super().get_config()
        config.update({"use_scale": self.use_scale, "score_mode": self.score_mode,
                       "dropout": self.dropout, "seed": self.seed})
        if self.causal is not None:
            config["causal"] = self.causal
        return config


class AdditiveAttention(Attention):
    """Additive attention layer (Bahdanau-style): scores sum(scale * tanh(q + k))."""

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        kwargs.pop("score_mode", None)
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],),
                                         initializer="glorot_uniform")
        self.built = True

    def _calculate_scores(self, query, key):
        tanh = ops.tanh(ops.expand_dims(query, -2) + ops.expand_dims(key, -3))
        if self.scale is not None:
            tanh = self.scale.value * tanh
        return ops.sum(tanh, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config


def _describe(x):
    if isinstance(x, (list, tuple)) and all(d is None or isinstance(d, int) for d in x):
        return f"one input of shape {tuple(x)}"
    if isinstance(x, (list, tuple)):
        return f"a {type(x).__name__} of length {len(x)}"
    shape = getattr(x, "shape", None)
    return f"{type(x).__name__} of shape {tuple(shape)}" if shape is not None else repr(x)
