"""Argument checks shared by the convolution, pooling and spatial reshaping layers.

Each raises a ValueError that names the layer, the argument, what was expected and
what was received, at construction time (not at the first call).
"""
import numbers

from layerkit import config
from layerkit.engine.common.conv_utils import conv_output_length


def describe(layer):
    """`Conv2D "conv2d"`: how errors name a layer."""
    return f'{type(layer).__name__} "{layer.name}"'


def int_tuple(layer, value, n, name, allow_zero=False):
    """An int or n ints (a list or tuple) -> a tuple of n ints, each positive
    (or non-negative with allow_zero)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        values = (int(value),) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            values = None
        if values is None or len(values) != n or not all(
                isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values):
            raise ValueError(f"{describe(layer)}: `{name}` must be an int or a tuple of {n} "
                             f"ints, received {name}={value!r}.")
    low = 0 if allow_zero else 1
    if any(v < low for v in values):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{describe(layer)}: every value of `{name}` must be {kind}, "
                         f"received {name}={value!r}.")
    return tuple(int(v) for v in values)


def padding_mode(layer, padding, allow_causal=False):
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    mode = padding.lower() if isinstance(padding, str) else padding
    if mode not in allowed:
        raise ValueError(f"{describe(layer)}: `padding` must be one of "
                         f"{', '.join(map(repr, allowed))}, received padding={padding!r}.")
    return mode


def data_format(layer, value):
    try:
        return config.standardize_data_format(value)
    except ValueError:
        raise ValueError(f'{describe(layer)}: `data_format` must be "channels_last" or '
                         f'"channels_first", received data_format={value!r}.') from None


def positive_int(layer, value, name):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{describe(layer)}: `{name}` must be a positive integer, "
                         f"received {name}={value!r}.")
    return int(value)  # a numpy integer (np.max(y) + 1) becomes a plain int


def pairs(layer, value, n, name):
    """ZeroPadding/Cropping amounts: an int, n ints (symmetric), or n pairs
    (before, after) -> n pairs of non-negative ints."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (int_tuple(layer, value, 2, name, allow_zero=True),) * n
    try:
        items = tuple(value)
    except TypeError:
        items = ()
    if len(items) != n:
        raise ValueError(
            f"{describe(layer)}: `{name}` must be an int, a tuple of {n} ints or a tuple of "
            f"{n} (before, after) pairs, received {name}={value!r}.")
    return tuple(int_tuple(layer, item, 2, f"{name}[{i}]", allow_zero=True)
                 for i, item in enumerate(items))


def spatial_rank_shape(layer, input_shape):
    """`input_shape` as a tuple, checked to be (batch, `layer.rank` spatial dims,
    channels) long; the error names the layer, as Keras's input check does."""
    input_shape = tuple(input_shape)
    if len(input_shape) != layer.rank + 2:
        raise ValueError(
            f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected '
            f"ndim={layer.rank + 2} (batch, {layer.rank} spatial dims, channels), found "
            f"ndim={len(input_shape)}. Full shape received: {input_shape}")
    return input_shape


def spatial_axes(rank, data_format):
    """The spatial axes of a (batch, spatial..., channels) or (batch, channels,
    spatial...) tensor."""
    start = 1 if data_format == "channels_last" else 2
    return tuple(range(start, start + rank))


def channel_axis(data_format):
    return -1 if data_format == "channels_last" else 1


def conv_output_spatial(layer, spatial, input_shape=None):
    """Output spatial sizes of a forward convolution over `spatial`; a window that does
    not fit a 'valid' input raises, naming the axis (and the input shape if given)."""
    out = []
    for axis, (size, k, s, d) in enumerate(zip(spatial, layer.kernel_size, layer.strides,
                                               layer.dilation_rate)):
        length = conv_output_length(size, (k - 1) * d + 1, s, layer.padding)
        if length is not None and length <= 0:
            shown = "" if input_shape is None else f" (input shape {tuple(input_shape)})"
            raise ValueError(
                f"{describe(layer)}: the kernel (kernel_size={layer.kernel_size}, "
                f"dilation_rate={layer.dilation_rate}) spans {(k - 1) * d + 1} cells on "
                f"spatial axis {axis}, more than the input's {size}{shown}, so "
                "padding='valid' leaves no output. Use padding='same', a smaller kernel or "
                "a larger input.")
        out.append(length)
    return tuple(out)

