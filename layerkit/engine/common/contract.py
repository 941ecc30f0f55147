"""What every engine folder provides. A test checks each engine against this list."""

CONTRACT = {
    "core": ("NAME", "Variable", "convert_to_tensor", "convert_to_numpy", "is_tensor", "cast",
             "cond", "stop_gradient", "compute_output_spec", "no_grad", "default_int_dtype",
             "value_and_grad", "jit"),
    "numpy": (
        "abs", "absolute", "add", "subtract", "multiply", "divide", "true_divide",
        "floor_divide", "mod", "power", "negative", "reciprocal", "square", "sqrt", "exp",
        "expm1", "log", "log1p", "log2", "log10", "sign", "floor", "ceil", "sin", "cos", "tan",
        "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh", "maximum", "minimum",
        "equal", "not_equal", "greater", "greater_equal", "less", "less_equal", "logical_and",
        "logical_or", "logical_not", "logical_xor", "isnan", "isinf", "isfinite", "where",
        "matmul", "dot", "tensordot", "einsum", "outer", "reshape", "transpose", "swapaxes",
        "moveaxis", "expand_dims", "squeeze", "concatenate", "stack", "hstack", "vstack",
        "split", "tile", "repeat", "flip", "roll", "broadcast_to", "take", "take_along_axis",
        "pad", "tril", "triu", "diag", "eye", "identity", "sum", "prod", "mean", "max", "amax",
        "min", "amin", "std", "var", "all", "any", "argmax", "argmin", "argsort", "sort",
        "cumsum", "cumprod", "count_nonzero", "average", "round", "clip", "linspace", "ndim",
        "size", "nan_to_num", "arange", "zeros", "ones", "full", "zeros_like", "ones_like",
        "full_like", "array", "logsumexp", "erf", "norm", "top_k", "segment_sum",
        "slice", "scatter", "scatter_update", "diagonal", "trace", "meshgrid", "nonzero",
        "quantile", "unique", "empty", "copy", "conj", "real", "imag", "logaddexp"),
    "nn": ("relu", "relu6", "sigmoid", "tanh", "softplus", "softsign", "silu", "swish", "selu",
           "log_sigmoid", "elu", "leaky_relu", "gelu", "hard_sigmoid", "softmax", "log_softmax",
           "one_hot", "dense", "conv", "depthwise_conv",
           "conv_transpose", "max_pool", "average_pool", "batch_normalization",
           "fused_batch_normalization", "layer_normalization"),
    "random": ("make_seed_state", "reseed", "normal", "uniform", "truncated_normal", "randint",
               "dropout", "shuffle", "categorical"),
    "rnn": ("rnn",),
    "foreach": ("add", "sub", "mul", "div", "addcmul", "addcdiv", "lerp", "sqrt", "square",
                "abs", "sign", "maximum", "clip", "norm", "copy"),
    "trainer": ("make_step", "get_state", "set_state"),
}

# What `trainer.make_step(model, kind)` returns: run(batch, n, want_logs) -> logs or None,
# results() -> the logs of the steps so far, predict(x), sync() (state back into the
# Variables), reset_metrics().
STEP_RUNNER = ("run", "results", "predict", "sync", "reset_metrics")
