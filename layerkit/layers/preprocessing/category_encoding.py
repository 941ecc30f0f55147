"""CategoryEncoding, and `encode_categories`, the one_hot / multi_hot / count encoding
that Discretization, Hashing and the lookup layers share (Keras's
encode_categorical_inputs): ids outside [0, depth) encode to all zeros.

`sparse=True` follows Keras 3 per engine: on JAX an encoded output is a BCOO (also
inside jit, where Keras 3.15's sparse multi_hot fails); the torch engine has no sparse
tensors, so the layer refuses it when built, as Keras's Discretization does. The
functional graph carries dense tensors, so a sparse layer is called on concrete data
(a preprocessing pipeline), not on an Input."""
from layerkit import engine, ops
from layerkit.layers.layer import Layer

ENCODINGS = ("one_hot", "multi_hot", "count")


def encode_categories(indices, output_mode, depth, dtype, count_weights=None, sparse=False):
    """Encodes integer ids. one_hot adds an axis (a trailing axis of size 1 is
    replaced); multi_hot and count reduce axis 1 (axis 0 for rank-1 input), as Keras."""
    if output_mode == "int":
        return ops.cast(indices, dtype)
    if len(indices.shape) == 0:
        indices = ops.expand_dims(indices, -1)
    if output_mode == "one_hot":
        if len(indices.shape) > 1 and indices.shape[-1] == 1:
            indices = ops.squeeze(indices, -1)
        return ops.one_hot(ops.cast(indices, "int32"), depth, dtype=dtype, sparse=sparse)
    if sparse:
        indices = ops.cast(indices, "int32")
        if output_mode == "multi_hot":
            return ops.multi_hot(indices, depth, dtype=dtype, sparse=True)
        return engine.sparse.count(indices, depth, count_weights, dtype)
    hot = ops.one_hot(ops.cast(indices, "int32"), depth, dtype=dtype)
    axis = 1 if len(indices.shape) > 1 else 0
    if output_mode == "multi_hot":
        return ops.max(hot, axis=axis)
    if count_weights is not None:
        hot = hot * ops.expand_dims(ops.cast(count_weights, dtype), -1)
    return ops.sum(hot, axis=axis)


def encoded_shape(input_shape, output_mode, depth):
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if not input_shape:
        return (depth,)
    if output_mode == "one_hot":
        if input_shape[-1] == 1 and len(input_shape) > 1:
            return input_shape[:-1] + (depth,)
        return input_shape + (depth,)
    if len(input_shape) >= 2:
        return (input_shape[0],) + input_shape[2:] + (depth,)
    return (depth,)


def check_sparse(layer, sparse, output_mode):
    """`sparse` as a bool, after Keras's rules: an encoded output, on an engine with
    sparse tensors."""
    if not sparse:
        return False
    who = f'{type(layer).__name__} "{layer.name}"'
    if output_mode == "int":
        raise ValueError(f"{who}: sparse=True needs an encoded output (output_mode "
                         "'one_hot', 'multi_hot', 'count' or 'tf_idf'), received "
                         "output_mode='int'.")
    if not engine.sparse.SUPPORTED:
        raise ValueError(f"{who}: sparse=True is not supported with the {engine.backend()} engine "
                         "(as in Keras 3's torch backend): it has no sparse tensors. Use "
                         "sparse=False, or run on JAX (LAYERKIT_BACKEND=jax), where the "
                         "output is a BCOO.")
    return True


def refuse_symbolic_sparse(layer):
    raise TypeError(f'{type(layer).__name__} "{layer.name}": sparse=True cannot be applied '
                    "to a symbolic tensor (an Input or a layer's output): layerkit's "
                    "functional graph carries dense tensors. Call the layer on data "
                    "(a preprocessing step before fit), or use sparse=False in a model.")


class CategoryEncoding(Layer):
    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ENCODINGS:
            raise ValueError(f'CategoryEncoding "{self.name}": `output_mode` must be one of '
                             f"{ENCODINGS}, received {output_mode!r}.")
        if num_tokens is None:
            raise ValueError(f'CategoryEncoding "{self.name}": `num_tokens` must be set. If the '
                             "number of tokens is not known beforehand, use IntegerLookup.")
        if isinstance(num_tokens, bool) or not isinstance(num_tokens, int) or num_tokens < 1:
            raise ValueError(f'CategoryEncoding "{self.name}": `num_tokens` must be an integer '
                             f">= 1, received num_tokens={num_tokens!r}.")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = check_sparse(self, sparse, output_mode)
        self.built = True

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(f'CategoryEncoding "{self.name}": `count_weights` is only used '
                             f'with output_mode="count", not {self.output_mode!r}.')
        return encode_categories(inputs, self.output_mode, self.num_tokens, self.compute_dtype,
                                 count_weights, self.sparse)

    def compute_output_spec(self, inputs, *args, **kwargs):
        if self.sparse:
            refuse_symbolic_sparse(self)
        return super().compute_output_spec(inputs, *args, **kwargs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "one_hot" or not input_shape:
            return encoded_shape(input_shape, self.output_mode, self.num_tokens)
        return input_shape[:-1] + (self.num_tokens,)

    def get_config(self):
        config_ = super().get_config()
        config_.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode,
                        "sparse": self.sparse})
        return config_
