"""MultiHeadAttention (Keras 3's layer: weights, names, order, masks and numbers).

query (B, T..., dim) and value/key (B, S..., dim) are projected by EinsumDense layers
named query/key/value to (B, T..., heads, key_dim) and (B, S..., heads, value_dim);
attention runs over `attention_axes` (all but batch, heads and features by default);
the attention_output EinsumDense projects back to the query's last dimension (or
`output_shape`). Weights in Keras's order: query, key, (gate), value, attention_output,
each kernel then bias.

Where Keras takes the fused kernel, so do we: rank-4 projections (one attention axis),
no dropout and no scores asked for go through `ops.dot_product_attention`
(jax.nn.dot_product_attention / torch's scaled_dot_product_attention); otherwise the
scores are an einsum, a masked softmax and dropout, as Keras writes them.
"""
import math
import string

import numpy as np

from layerkit import constraints, initializers, ops, regularizers
from layerkit.engine.common import masking
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.layers.activation_layers import Softmax
from layerkit.layers.argument_masks import argument_masks
from layerkit.layers.core import Dropout
from layerkit.layers.einsum_dense import EinsumDense
from layerkit.layers.layer import Layer


def _positive_int(value, name, who, optional=False):
    if optional and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{who}: `{name}` must be a positive integer"
                         f"{' or None' if optional else ''}, received {name}={value!r}.")


def projection_equation(free_dims, bound_dims, output_dims):
    """An EinsumDense equation keeping `free_dims` axes, contracting `bound_dims` and
    adding `output_dims`: (equation, bias axes, output rank)."""
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims:free_dims + bound_dims]
    out = letters[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{out}->{free}{out}", out, free_dims + output_dims


def attention_equations(rank, attention_axes):
    """The einsum equations of the query-key product and of the weighted sum, for
    projected tensors (B, <other axes>, <attention axes>, heads, channels)."""
    letters = string.ascii_lowercase
    target = letters[:rank]
    batch_axes = [i for i in range(rank) if i not in attention_axes and i != rank - 1]
    source, extra = "", rank
    for i in range(rank):
        if i in batch_axes or i == rank - 1:
            source += target[i]
        else:
            source += letters[extra]
            extra += 1
    product = "".join([target[i] for i in batch_axes] + [target[i] for i in attention_axes]
                      + [source[i] for i in attention_axes])
    return (f"{source},{target}->{product}", f"{product},{source}->{target}", len(product))


class MultiHeadAttention(Layer):
    """Multi-head attention of Vaswani et al. (2017): `layer(query, value, key=None)`."""

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        who = f"MultiHeadAttention \"{kwargs.get('name') or 'multi_head_attention'}\""
        _positive_int(num_heads, "num_heads", who)
        _positive_int(key_dim, "key_dim", who)
        _positive_int(value_dim, "value_dim", who, optional=True)
        _positive_int(sliding_window, "sliding_window", who, optional=True)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) \
                or not 0 <= dropout <= 1:
            raise ValueError(f"{who}: `dropout` must be a float in [0, 1], received "
                             f"dropout={dropout!r}.")
        super().__init__(**kwargs)
        # The layer's own activity regularizer stays unused: Keras hands it to the
        # projections.
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim or key_dim
        self._dropout = float(dropout)
        self._use_bias = bool(use_bias)
        self._use_gate = bool(use_gate)
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(int(d) for d in output_shape)
            except (TypeError, ValueError):
                raise ValueError(f"{who}: `output_shape` must be an int or a tuple of ints, "
                                 f"received output_shape={output_shape!r}.") from None
        self._output_shape = output_shape or None
        if flash_attention and self._dropout > 0:
            raise ValueError(f"{who}: flash attention cannot apply dropout; pass dropout=0 "
                             "or flash_attention=None.")
        self._flash_attention = flash_attention
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(f"{who}: `attention_axes` must be an int, a list or a tuple, "
                             f"received attention_axes={attention_axes!r}.")
        self._attention_axes = None if attention_axes is None else tuple(attention_axes)
        self._sliding_window = sliding_window
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(key_dim))

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)
    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    def _who(self):
        return f'MultiHeadAttention "{self.name}"'

    # --- building ------------------------------------------------------
    def __call__(self, query, value=None, key=None, **kwargs):
        if value is None:
            raise TypeError(f"{self._who()} must be called as layer(query, value) or "
                            "layer(query, value, key); no `value` was given.")
        query, value, key = (self._as_tensor(t) for t in (query, value, key))
        self._check_ranks(query, value, key)
        if not self.built:
            self.build(tuple(query.shape), tuple(value.shape),
                       None if key is None else tuple(key.shape))
            self.built = True
            if self._initial_weights is not None:
                self.set_weights(self._initial_weights)
                self._initial_weights = None
        if key is not None:
            kwargs["key"] = key
        if masking.LIVE and not any(type(t) is SymbolicTensor for t in (query, value, key)):
            # Outside a graph the masks ride on the tensors, as in Keras. (A graph
            # carries them beside the tensors: its runner fills these arguments.)
            kwargs.update(argument_masks(self, (query, value), kwargs,
                                         masking.get_keras_mask))
        return super().__call__(query, value, **kwargs)

    def _as_tensor(self, x):
        """Arrays (numpy, lists) become engine tensors, floats in the layer's dtype;
        tensors and symbolic tensors pass through."""
        if x is None or (hasattr(x, "shape") and not isinstance(x, np.ndarray)):
            return x
        x = np.asarray(x)
        return ops.convert_to_tensor(x, dtype=self.compute_dtype if x.dtype.kind == "f"
                                     else None)

    def _check_ranks(self, query, value, key):
        ranks = {"query": len(query.shape), "value": len(value.shape)}
        if key is not None:
            ranks["key"] = len(key.shape)
        if any(r < 3 for r in ranks.values()):
            raise ValueError(f"{self._who()}: query, value and key must be at least 3-D "
                             "(batch, sequence..., features); received ranks "
                             f"{ranks}, shapes query={tuple(query.shape)}, "
                             f"value={tuple(value.shape)}.")
        if len(set(ranks.values())) > 1:
            raise ValueError(f"{self._who()}: query, value and key must have the same "
                             f"rank; received ranks {ranks}.")
        if self.built:
            for name, shape in (("query", self._query_shape), ("value", self._value_shape),
                                ("key", self._key_shape)):
                tensor = {"query": query, "value": value, "key": key}[name]
                if name == "key" and tensor is None:
                    tensor = value
                if tensor.shape[-1] is not None and tensor.shape[-1] != shape[-1]:
                    raise ValueError(
                        f"{self._who()} was built for {name} of last dimension "
                        f"{shape[-1]} (shape {shape}), received {name} of shape "
                        f"{tuple(tensor.shape)}.")

    def _sublayer_kwargs(self):
        # Each projection gets its own copy of the initializers (a seeded initializer
        # shared by four layers would give them all the same values).
        return dict(kernel_initializer=self._kernel_initializer.__class__.from_config(
                        self._kernel_initializer.get_config()),
                    bias_initializer=self._bias_initializer.__class__.from_config(
                        self._bias_initializer.get_config()),
                    kernel_regularizer=self._kernel_regularizer,
                    bias_regularizer=self._bias_regularizer,
                    activity_regularizer=self._activity_regularizer,
                    kernel_constraint=self._kernel_constraint,
                    bias_constraint=self._bias_constraint, dtype=self._dtype)

    def _projection(self, rank, heads_dims, name, activation=None):
        equation, bias_axes, out_rank = projection_equation(rank - 1, 1, 2)
        return EinsumDense(equation, output_shape=[None] * (out_rank - 3) + list(heads_dims),
                           bias_axes=bias_axes if self._use_bias else None, name=name,
                           activation=activation, **self._sublayer_kwargs())

    def build(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None:
            raise ValueError(f"{self._who()}: build needs query_shape and value_shape.")
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(f"{self._who()}: value and key must agree on every axis but "
                             f"the last; received value shape {value_shape}, key shape "
                             f"{key_shape}.")
        if query_shape[-1] is None or value_shape[-1] is None or key_shape[-1] is None:
            raise ValueError(f"{self._who()}: the last (feature) dimension of query, value "
                             f"and key must be known; received {query_shape}, "
                             f"{value_shape}, {key_shape}.")
        self._query_shape, self._value_shape, self._key_shape = \
            query_shape, value_shape, key_shape
        rank = len(query_shape)
        heads_key = (self._num_heads, self._key_dim)
        heads_value = (self._num_heads, self._value_dim)
        self._query_dense = self._projection(rank, heads_key, "query")
        self._query_dense.build(query_shape)
        self._key_dense = self._projection(len(key_shape), heads_key, "key")
        self._key_dense.build(key_shape)
        if self._use_gate:
            self._gate_dense = self._projection(rank, heads_value, "gate", "sigmoid")
            self._gate_dense.build(query_shape)
        self._value_dense = self._projection(len(value_shape), heads_value, "value")
        self._value_dense.build(value_shape)
        self._build_attention(rank + 1)
        out_dims = self._output_shape or (query_shape[-1],)
        equation, bias_axes, out_rank = projection_equation(rank - 1, 2, len(out_dims))
        self._output_dense = EinsumDense(
            equation, output_shape=[None] * (out_rank - 1 - len(out_dims)) + list(out_dims),
            bias_axes=bias_axes if self._use_bias else None, name="attention_output",
            **self._sublayer_kwargs())
        self._output_dense.build(query_shape[:-1] + heads_value)
        self.built = True

    def _build_attention(self, rank):
        axes = self._attention_axes
        if axes is None:
            axes = tuple(range(1, rank - 2))
        else:
            axes = tuple(a if a >= 0 else (rank - 1) + a for a in axes)
            bad = [a for a in axes if not 1 <= a < rank - 2]
            if bad:
                raise ValueError(f"{self._who()}: attention_axes {self._attention_axes} "
                                 f"must name axes of the query other than batch and "
                                 f"features (1..{rank - 3} or negative); received {bad}.")
        self._attention_axes = axes
        self._dot_product_equation, self._combine_equation, scores_rank = \
            attention_equations(rank, axes)
        norm_axes = tuple(range(scores_rank - len(axes), scores_rank))
        self._softmax = Softmax(axis=norm_axes, dtype=self._dtype)
        self._dropout_layer = Dropout(rate=self._dropout, seed=self.seed, dtype=self._dtype)

    # --- calling -------------------------------------------------------
    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        if key is None:
            key = value
            key_mask = None
        if masking.LIVE:
            # The masks are read (query_mask ...); as Keras does, take them off the
            # tensors so the projections do not see (and warn about) them.
            for t in (query, value, key):
                masking.set_keras_mask(t, None)
        if attention_mask is not None:
            self._check_attention_mask(query, value, attention_mask)
        causal_only = (use_causal_mask and query_mask is None and value_mask is None and
                       key_mask is None and attention_mask is None and
                       self._sliding_window is None)
        if not causal_only:
            attention_mask = self._attention_mask(query, value, query_mask, value_mask,
                                                  key_mask, attention_mask, use_causal_mask)
        gate = self._gate_dense(query) if self._use_gate else None
        query = self._query_dense(query)
        key = self._key_dense(key)
        value = self._value_dense(value)
        output, scores = self._compute_attention(query, key, value, attention_mask, training,
                                                 return_attention_scores, causal_only)
        if gate is not None:
            output = output * gate
        output = self._output_dense(output)
        if return_attention_scores:
            return output, scores
        return output

    def _check_attention_mask(self, query, value, attention_mask):
        rank = len(query.shape)
        axes = self._attention_axes
        want = tuple(query.shape[:1]) + tuple(query.shape[a] for a in axes) + \
            tuple(value.shape[a] for a in axes)
        got = tuple(attention_mask.shape)
        ok = len(got) <= len(want) + 1 and all(
            g == 1 or w is None or g == w for g, w in zip(reversed(got), reversed(want)))
        if not ok or rank < 3:
            raise ValueError(f"{self._who()}: attention_mask must be shaped (batch, query "
                             f"length, key length) = {want}, or broadcast to it; received "
                             f"attention_mask.shape={got}.")

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask,
                        attention_mask, use_causal_mask):
        """The padding masks, the causal triangle, the sliding window and the given
        attention_mask, AND-ed into one boolean (B, T, S) mask (or None)."""
        auto = None

        def both(a, b):
            return b if a is None else ops.logical_and(a, b)

        if query_mask is not None:
            auto = ops.expand_dims(ops.cast(query_mask, "bool"), -1)
        if value_mask is not None:
            auto = both(auto, ops.expand_dims(ops.cast(value_mask, "bool"), -2))
        if key_mask is not None:
            auto = both(auto, ops.expand_dims(ops.cast(key_mask, "bool"), -2))
        if use_causal_mask:
            auto = both(auto, self._causal_mask(query, value))
        if self._sliding_window is not None:
            auto = both(auto, self._window_mask(query, value))
        if attention_mask is not None:
            attention_mask = ops.cast(attention_mask, "bool")
            return attention_mask if auto is None else ops.logical_and(attention_mask, auto)
        return auto

    @staticmethod
    def _positions(query, value):
        t, s = query.shape[1], value.shape[1]
        rows = ops.reshape(ops.arange(t, dtype="int32"), (1, t, 1))
        cols = ops.reshape(ops.arange(s, dtype="int32"), (1, 1, s))
        return rows, cols

    def _causal_mask(self, query, value):
        """(1, T, S): query position i sees keys 0..i."""
        rows, cols = self._positions(query, value)
        return ops.greater_equal(rows, cols)

    def _window_mask(self, query, value):
        """(1, T, S): keys within sliding_window - 1 of the query position."""
        rows, cols = self._positions(query, value)
        return ops.less(ops.abs(rows - cols), self._sliding_window)

    def _expand_mask(self, mask, rank):
        # The missing axes are the heads (and any batch-like axes before them).
        axis = -len(self._attention_axes) * 2 - 1
        for _ in range(rank - len(mask.shape)):
            mask = ops.expand_dims(mask, axis=axis)
        return mask

    def _compute_attention(self, query, key, value, attention_mask=None, training=None,
                           return_attention_scores=False, causal_only=False):
        if self._flash_attention and return_attention_scores:
            raise ValueError(f"{self._who()}: attention scores cannot be returned with "
                             "flash attention; pass flash_attention=None.")
        if not (self._dropout > 0 or return_attention_scores or len(query.shape) != 4):
            mask = None if attention_mask is None else self._expand_mask(attention_mask, 4)
            output = ops.dot_product_attention(
                query, key, value, mask=mask, scale=self._inverse_sqrt_key_dim,
                is_causal=causal_only, flash_attention=self._flash_attention)
            return output, None
        if causal_only:
            attention_mask = self._causal_mask(query, value)
        query = query * self._inverse_sqrt_key_dim
        scores = ops.einsum(self._dot_product_equation, key, query)
        if attention_mask is not None:
            attention_mask = self._expand_mask(attention_mask, len(scores.shape))
        scores = self._softmax(scores, mask=attention_mask)
        weights = self._dropout_layer(scores, training=training) if self._dropout > 0 \
            else scores
        return ops.einsum(self._combine_equation, weights, value), scores

    # --- shapes and config ----------------------------------------------
    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        if value_shape is not None:
            value_shape = tuple(value_shape)
            key_shape = value_shape if key_shape is None else tuple(key_shape)
            if value_shape[1:-1] != key_shape[1:-1]:
                raise ValueError(f"{self._who()}: value and key must agree on every axis "
                                 f"but the last; received value shape {value_shape}, key "
                                 f"shape {key_shape}.")
        if self._output_shape:
            return query_shape[:-1] + self._output_shape
        return query_shape

    def compute_output_spec(self, query, value, key=None, return_attention_scores=False,
                            **kwargs):
        shape = self.compute_output_shape(query.shape, value.shape,
                                          None if key is None else key.shape)
        out = SymbolicTensor(shape, self.compute_dtype)
        if not return_attention_scores:
            return out
        axes = self._attention_axes
        rank = len(query.shape)
        batch = [query.shape[i] for i in range(rank - 1) if i not in axes]
        scores = tuple(batch) + (self._num_heads,) + \
            tuple(query.shape[a] for a in axes) + tuple(value.shape[a] for a in axes)
        return out, SymbolicTensor(scores, self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_heads": self._num_heads, "key_dim": self._key_dim,
            "value_dim": self._value_dim, "dropout": self._dropout,
            "use_bias": self._use_bias, "use_gate": self._use_gate,
            "output_shape": self._output_shape, "attention_axes": self._attention_axes,
            "sliding_window": self._sliding_window,
            "kernel_initializer": initializers.serialize(self._kernel_initializer),
            "bias_initializer": initializers.serialize(self._bias_initializer),
            "kernel_regularizer": regularizers.serialize(self._kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self._bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._activity_regularizer),
            "kernel_constraint": constraints.serialize(self._kernel_constraint),
            "bias_constraint": constraints.serialize(self._bias_constraint),
            "seed": self.seed,
        })
        return config
