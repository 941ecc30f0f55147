"""What every engine folder provides (a test checks each engine against this list),
and the one structure a model's state takes on every engine."""
from typing import NamedTuple

CONTRACT = {
    "core": ("NAME", "Variable", "convert_to_tensor", "convert_to_numpy", "is_tensor", "cast",
             "cond", "stop_gradient", "compute_output_spec", "no_grad", "default_int_dtype",
             "value_and_grad", "jit", "keep_memory_order",
             "keep_conv_kernel_layout"),
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
           "fused_batch_normalization", "layer_normalization", "dot_product_attention"),
    "elementwise": (
        "arccosh", "arcsinh", "arctanh", "cbrt", "exp2", "trunc", "signbit", "sinc", "i0",
        "erfc", "erfinv", "rsqrt", "hypot", "fmax", "fmin", "fmod", "gcd", "lcm", "heaviside",
        "nextafter", "isneginf", "isposinf", "deg2rad", "rad2deg", "bitwise_and", "bitwise_or",
        "bitwise_xor", "bitwise_invert", "bitwise_left_shift", "bitwise_right_shift", "angle",
        "ldexp", "logaddexp2", "isclose", "isin"),
    "arrays": (
        "dstack", "rot90", "kron", "inner", "vander", "diagflat", "array_split", "append",
        "vdot", "cross", "correlate", "diff", "trapezoid", "select", "unravel_index",
        "argpartition", "view", "tri", "geomspace", "logspace", "empty_like", "bartlett",
        "blackman", "hamming", "hanning", "kaiser", "slice_update", "unstack"),
    "statistics": (
        "nanmax", "nanmin", "nanmean", "nanstd", "nanvar", "nansum", "nanprod", "nanmedian",
        "nanargmax", "nanargmin", "nancumsum", "nancumprod", "median", "percentile",
        "nanpercentile", "nanquantile", "ptp", "corrcoef", "histogram", "searchsorted",
        "digitize", "bincount", "segment_max", "segment_min", "segment_prod"),
    "linalg": ("cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "lu_factor",
               "lstsq", "matrix_rank", "pinv", "qr", "solve", "solve_triangular", "svd",
               "slogdet", "logdet", "jvp"),
    "fft": ("fft", "fft2", "ifft2", "rfft", "irfft", "view_as_complex", "view_as_real"),
    "control_flow": ("switch", "scan", "fori_loop", "while_loop", "map", "associative_scan",
                     "vectorized_map", "custom_gradient"),
    "ctc": ("ctc_loss",),
    "losses": ("binary_crossentropy_probabilities",),
    "sparse": ("SUPPORTED", "is_sparse", "todense", "fromdense", "one_hot", "multi_hot",
               "count", "bincount"),
    "random": ("make_seed_state", "reseed", "normal", "uniform", "truncated_normal", "randint",
               "dropout", "shuffle", "categorical"),
    "rnn": ("rnn", "lstm", "gru"),
    "foreach": ("add", "sub", "mul", "div", "addcmul", "addcdiv", "lerp", "sqrt", "square",
                "abs", "sign", "maximum", "clip", "norm", "copy",
                # The same on a list the update made itself (never a Variable's value or
                # a gradient): PyTorch writes into it instead of a fresh buffer.
                "add_", "mul_", "div_", "addcmul_", "sqrt_"),
    "trainer": ("make_step", "get_state", "set_state"),
    "profiler": ("start_trace", "stop_trace"),
    # Process facts and set-up for several devices/hosts (engine/common/distribution_plan.py
    # holds the plan the trainers read).
    "distribution": ("list_devices", "initialize", "process_id", "num_processes",
                     "broadcast_int", "data_share"),
}

# What `trainer.make_step(model, kind)` returns: run(batch, n, want_logs) -> logs or None,
# results() -> the logs of the steps so far, predict(x), sync() (state back into the
# Variables), reset_metrics().
STEP_RUNNER = ("run", "results", "predict", "sync", "reset_metrics")


class EngineState(NamedTuple):
    """A model's state as a step reads and writes it: five lists, the same on every
    engine. `trainer.get_state(model)` fills them with engine tensors (jax.Array,
    torch.Tensor), `trainer.set_state(model, state)` writes them back; saving,
    resuming and the distributed step hold this and nothing else.

    The order inside each list is `state_variables(model)`'s:
      trainable      model.trainable_variables (Keras's weight order)
      non_trainable  model.non_trainable_variables
      optimizer      model.optimizer.variables (iterations, learning rate, slots)
      metrics        model.metrics_variables() (loss tracker first, then compiled metrics)
      seeds          the (seed, counter) state of each SeedGenerator of the model's
                     layers (Dropout, noise layers), in layer order
    A step of kind "test" has no optimizer group; "predict" neither optimizer nor metrics.
    """
    trainable: list
    non_trainable: list
    optimizer: list
    metrics: list
    seeds: list


def state_variables(model, kind="train"):
    """The Variables behind each group of EngineState, for a step of `kind`."""
    optimizer = getattr(model, "optimizer", None)
    train = kind == "train" and optimizer is not None
    return EngineState(
        trainable=list(model.trainable_variables),
        non_trainable=list(model.non_trainable_variables),
        optimizer=list(optimizer.variables) if train else [],
        metrics=list(model.metrics_variables()) if kind != "predict" and
        hasattr(model, "metrics_variables") else [],
        seeds=[g.state for g in model.seed_generators],
    )


def check_state(groups, state):
    """Raises a clear error if `state` (an EngineState) does not fit `groups`, the
    Variables of state_variables(): a group of another length, a value of another shape."""
    if not isinstance(state, tuple) or len(state) != len(EngineState._fields):
        raise TypeError(f"set_state expects an EngineState ({', '.join(EngineState._fields)}), "
                        f"as get_state() returns; received {type(state).__name__}.")
    for name, variables, values in zip(EngineState._fields, groups, state):
        if len(values) != len(variables):
            raise ValueError(
                f"set_state: the `{name}` group holds {len(values)} value(s), but the model "
                f"has {len(variables)} {name} Variable(s). Take the state with get_state() "
                "from the same model and compile(); the optimizer slots and compiled metrics "
                "exist once fit() or evaluate() has run.")
        for v, value in zip(variables, values):
            if tuple(value.shape) != tuple(v.shape):
                raise ValueError(f"set_state: `{name}` value for {v.path} has shape "
                                 f"{tuple(value.shape)}, the Variable has {tuple(v.shape)}.")


def assign_state(model, state, kind="train"):
    """Writes an EngineState (engine tensors or numpy arrays) into the model's Variables,
    after checking every group's length and shapes: each engine's `set_state`."""
    groups = state_variables(model, kind)
    check_state(groups, state)
    for group, values in zip(groups, state):
        for v, value in zip(group, values):
            v.assign(value)
