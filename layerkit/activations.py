"""Activation functions (Keras 3's `keras.activations`, Keras 2's names kept).

Each takes a tensor (or anything `layerkit.ops` accepts) and returns a tensor.
Where Keras 2 and Keras 3 differ, these follow Keras 3: `gelu` is exact by default,
`hard_sigmoid` is relu6(x + 3) / 6, `softmax` accepts rank-1 inputs and a tuple of axes.
Keras 2's clip(0.2 x + 0.5, 0, 1) is `keras2_hard_sigmoid`: what "hard_sigmoid" means in
a Keras 2 file's layer config (saving/keras2_activations.py) and what the legacy K
function `layerkit.backend.hard_sigmoid` computes.
"""
import inspect
import warnings

from layerkit import ops
from layerkit.utils.object_registry import get_builtin_class


def _t(x):
    return x if ops.is_tensor(x) else ops.convert_to_tensor(x)


def linear(x):
    return x


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """max(x, 0) by default; `negative_slope` leaks below `threshold`, `max_value` caps."""
    x = _t(x)
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return ops.leaky_relu(x, negative_slope=negative_slope)
        negative_part = ops.relu(threshold - x) if threshold != 0 else ops.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        x = ops.where(ops.greater(x, threshold), x, ops.zeros_like(x))
    elif max_value == 6:
        x = ops.relu6(x)
        clip_max = False
    else:
        x = ops.relu(x)
    if clip_max:
        x = ops.clip(x, 0.0, float(max_value))
    if negative_slope != 0.0:
        x = x - negative_slope * negative_part
    return x


def leaky_relu(x, negative_slope=0.2):
    return ops.leaky_relu(_t(x), negative_slope=negative_slope)


def relu6(x):
    return ops.relu6(_t(x))


def sigmoid(x):
    return ops.sigmoid(_t(x))


def hard_sigmoid(x):
    """relu6(x + 3) / 6, Keras 3's definition."""
    return ops.hard_sigmoid(_t(x))


def keras2_hard_sigmoid(x):
    """clip(0.2 x + 0.5, 0, 1), Keras 2's hard_sigmoid (a Keras 2 file's "hard_sigmoid")."""
    return ops.clip(0.2 * _t(x) + 0.5, 0.0, 1.0)


def hard_silu(x):
    x = _t(x)
    return x * ops.hard_sigmoid(x)


hard_swish = hard_silu


def log_sigmoid(x):
    return ops.log_sigmoid(_t(x))


def _check_axis(x, axis):
    if isinstance(axis, int) and -x.ndim <= axis < x.ndim and x.shape[axis] == 1:
        warnings.warn(
            f"softmax over axis {axis} of a tensor of shape {tuple(x.shape)}: this axis has "
            f"size 1, so the result is always 1. Did you mean to use a sigmoid?", stacklevel=3)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along `axis` (an int or a tuple of ints). A rank-1 input is
    normalized over its single axis."""
    x = _t(x)
    _check_axis(x, axis)
    if isinstance(axis, (tuple, list)):
        axis = tuple(axis)
        e = ops.exp(x - ops.stop_gradient(ops.max(x, axis=axis, keepdims=True)))
        return e / ops.sum(e, axis=axis, keepdims=True)
    return ops.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    x = _t(x)
    if isinstance(axis, (tuple, list)):
        axis = tuple(axis)
        return x - ops.logsumexp(x, axis=axis, keepdims=True)
    return ops.log_softmax(x, axis=axis)


def tanh(x):
    return ops.tanh(_t(x))


def elu(x, alpha=1.0):
    return ops.elu(_t(x), alpha=alpha)


def selu(x):
    return ops.selu(_t(x))


def celu(x, alpha=1.0):
    x = _t(x)
    return ops.maximum(x, 0.0) + alpha * ops.expm1(ops.minimum(x, 0.0) / alpha)


def softplus(x):
    return ops.softplus(_t(x))


def softsign(x):
    return ops.softsign(_t(x))


def silu(x):
    return ops.silu(_t(x))


swish = silu


def gelu(x, approximate=False):
    """x * Phi(x); `approximate=True` uses the tanh approximation."""
    return ops.gelu(_t(x), approximate=approximate)


def exponential(x):
    return ops.exp(_t(x))


def mish(x):
    x = _t(x)
    return x * ops.tanh(ops.softplus(x))


def glu(x, axis=-1):
    """Gated linear unit: a * sigmoid(b), a and b the two halves of `axis`."""
    x = _t(x)
    if x.shape[axis] % 2:
        raise ValueError(f"glu needs an even size along axis {axis}; received shape "
                         f"{tuple(x.shape)}.")
    a, b = ops.split(x, 2, axis=axis)
    return a * ops.sigmoid(b)


def hard_tanh(x):
    return ops.clip(_t(x), -1.0, 1.0)


def tanh_shrink(x):
    x = _t(x)
    return x - ops.tanh(x)


def soft_shrink(x, threshold=0.5):
    x = _t(x)
    zero = ops.zeros_like(x)
    return ops.where(x > threshold, x - threshold, ops.where(x < -threshold, x + threshold, zero))


def hard_shrink(x, threshold=0.5):
    x = _t(x)
    return ops.where(ops.abs(x) > threshold, x, ops.zeros_like(x))


def squareplus(x, b=4):
    x = _t(x)
    return (x + ops.sqrt(ops.square(x) + b)) / 2.0


def sparse_plus(x):
    x = _t(x)
    zero = ops.zeros_like(x)
    return ops.where(x <= -1.0, zero, ops.where(x >= 1.0, x, ops.square(x + 1.0) / 4.0))


def threshold(x, threshold, default_value):
    x = _t(x)
    return ops.where(x > threshold, x, ops.full_like(x, default_value))


def sparse_sigmoid(x):
    """0 below -1, 1 above 1, linear (x + 1) / 2 between."""
    return ops.clip((_t(x) + 1.0) / 2.0, 0.0, 1.0)


def sparsemax(x, axis=-1):
    """The Euclidean projection of x onto the probability simplex along `axis`: like
    softmax, but with exact zeros."""
    x = ops.moveaxis(_t(x), axis, -1)
    n = x.shape[-1]
    z = ops.flip(ops.sort(x, axis=-1), axis=-1)  # descending
    k = ops.arange(1, n + 1, dtype=ops.dtype(x))
    z_cumsum = ops.cumsum(z, axis=-1)
    support = ops.cast(1.0 + k * z > z_cumsum, ops.dtype(x))
    k_z = ops.sum(support, axis=-1, keepdims=True)
    tau = (ops.sum(z * support, axis=-1, keepdims=True) - 1.0) / k_z
    return ops.moveaxis(ops.maximum(x - tau, 0.0), -1, axis)


_FUNCTIONS = (linear, relu, leaky_relu, relu6, sigmoid, hard_sigmoid, keras2_hard_sigmoid,
              hard_silu, log_sigmoid,
              softmax, log_softmax, tanh, elu, selu, celu, softplus, softsign, silu, gelu,
              exponential, mish, glu, hard_tanh, tanh_shrink, soft_shrink, hard_shrink,
              squareplus, sparse_plus, threshold, sparse_sigmoid, sparsemax)
_LOOKUP = {fn.__name__: fn for fn in _FUNCTIONS}
_LOOKUP.update({"swish": silu, "hard_swish": hard_silu})


def _valid():
    return ", ".join(sorted(_LOOKUP))


def serialize(activation):
    """A built-in or named function gives its name; a layer-like object its config dict."""
    if activation is None:
        return "linear"
    if isinstance(activation, str):
        return activation
    if hasattr(activation, "get_config") and not inspect.isfunction(activation):
        return {"module": type(activation).__module__, "class_name": type(activation).__name__,
                "config": activation.get_config(), "registered_name": None}
    name = getattr(activation, "_registered_name", None) or getattr(activation, "__name__", None)
    if name is None:
        raise ValueError(f"Cannot serialize activation {activation!r}: it has no name.")
    return name


def deserialize(config, custom_objects=None):
    """The function for a name, or for Keras 3's {"class_name": "function", "config":
    name} dict; other dicts are looked up as layer classes (e.g. LeakyReLU)."""
    from layerkit.initializers.registry import _registered_custom_object
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        found = _registered_custom_object(config, custom_objects)
        if found is not None:
            return found
        if config in _LOOKUP:
            return _LOOKUP[config]
        raise ValueError(f"Unknown activation function: {config!r}. Valid activations are: "
                         f"{_valid()}.")
    if isinstance(config, dict) and "class_name" in config:
        if config["class_name"] == "function":  # Keras 3: {"class_name": "function", "config": name}
            return deserialize(config["config"], custom_objects)
        name = config["class_name"]
        cls = _registered_custom_object(config.get("registered_name") or name, custom_objects)
        if cls is None:
            # A layer class (LeakyReLU …): layerkit.layers registers its classes at import.
            cls = get_builtin_class(name)
        if cls is None:
            raise ValueError(f"Unknown activation class {name!r} in {config!r}.")
        cfg = config.get("config") or {}
        return cls.from_config(cfg) if hasattr(cls, "from_config") else cls(**cfg)
    raise ValueError(f"Could not interpret activation function identifier: {config!r}.")


def get(identifier):
    """The activation for None (linear), a name, a config dict or a callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}. "
                     f"Pass a name ({_valid()}) or a callable.")
