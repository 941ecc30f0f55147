"""Shape arithmetic shared by the engines' convolution and pooling ops.

Keras/TF 'same' padding: out = ceil(size / stride), and an odd total padding
puts the extra cell after (bottom/right).
"""


def _spatial_tuple(value, n, name):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1 and n > 1:
        return value * n
    if len(value) != n:
        raise ValueError(f"`{name}` must be an int or a tuple of {n} ints for a {n}D "
                         f"operation, received {name}={value}.")
    return value


def _padding_mode(padding, allow_causal=False):
    mode = str(padding).lower()
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if mode not in allowed:
        raise ValueError(f"`padding` must be one of {', '.join(map(repr, allowed))}, "
                         f"received padding={padding!r}.")
    return mode


def _spatial_rank(x, op):
    if x.ndim not in (3, 4, 5):
        raise ValueError(f"{op}: expected an input of rank 3, 4 or 5 (batch, 1 to 3 spatial "
                         f"dims, channels), received shape {tuple(x.shape)}.")
    return x.ndim - 2


def _same_pads(size, window, stride):
    """TF 'same': (before, after) so that the output has ceil(size / stride) cells."""
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def _window_pads(spatial_shape, windows, strides, padding):
    if padding == "valid":
        return [(0, 0)] * len(spatial_shape)
    if padding == "causal":
        # Every output step sees only the current and earlier steps: the whole
        # (dilated) window minus one goes before.
        return [(w - 1, 0) for w in windows]
    return [_same_pads(s, w, st) for s, w, st in zip(spatial_shape, windows, strides)]


def conv_output_length(size, window, stride, padding):
    """Cells along one axis after a convolution or pooling window (`window` is
    the dilated extent); None stays None. 'valid' may give 0 or less: the
    caller says what that means for its layer."""
    if size is None:
        return None
    if padding == "valid":
        return (size - window) // stride + 1
    return -(-size // stride)  # 'same' and 'causal'


def transpose_output_length(size, window, stride, padding, output_padding=None):
    """Cells along one axis after a transposed convolution (see _transpose_pads)."""
    if size is None:
        return None
    if padding == "valid":
        extra = max(window, stride) - window if output_padding is None else output_padding
        return (size - 1) * stride + window + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + window % 2 + output_padding


def _transpose_pads(window, stride, padding, output_padding):
    """(before, after) padding of the stride-dilated input that the transposed
    convolution's ordinary convolution (with a flipped kernel) needs.

    `window` is the dilated kernel extent. 'valid' gives (n - 1) * stride +
    max(window, stride) cells by default, 'same' gives n * stride; an explicit
    output_padding fixes the size to (n - 1) * stride + window + output_padding
    ('valid') or (n - 1) * stride + window % 2 + output_padding ('same').
    """
    if padding == "valid":
        extra = max(window, stride) - window if output_padding is None else output_padding
        return window - 1, window - 1 + extra
    # The output has (n - 1) * stride + reach cells.
    reach = stride if output_padding is None else window % 2 + output_padding
    total = reach + window - 2
    # The forward 'same' convolution from that output back to n cells pads
    # max(window - reach, 0) in all, the smaller half before; transposing
    # leaves window - 1 - that half before.
    before = window - 1 - max(window - reach, 0) // 2
    return before, total - before


def _channels(x, data_format):
    return x.shape[-1] if data_format == "channels_last" else x.shape[1]


def spatial_shape(x, data_format):
    return x.shape[1:-1] if data_format == "channels_last" else x.shape[2:]


def conv_settings(inputs, kernel, strides, padding, data_format, dilation_rate, op):
    """Checks a convolution's arguments; returns (n, strides, dilation_rate, pads) with
    n the spatial rank and pads the (before, after) padding per spatial axis. Besides
    'valid' and 'same', a 1-D convolution takes padding='causal'."""
    n = _spatial_rank(inputs, op)
    if kernel.ndim != inputs.ndim:
        raise ValueError(f"{op}: the kernel must have rank {inputs.ndim} (spatial dims, in "
                         f"channels, out channels) for an input of shape "
                         f"{tuple(inputs.shape)}, received a kernel of shape "
                         f"{tuple(kernel.shape)}.")
    strides = _spatial_tuple(strides, n, "strides")
    dilation_rate = _spatial_tuple(dilation_rate, n, "dilation_rate")
    windows = [(k - 1) * d + 1 for k, d in zip(kernel.shape[:n], dilation_rate)]
    # 'causal' (Conv1D's) pads the steps before only, inside the same kernel call.
    pads = _window_pads(spatial_shape(inputs, data_format), windows, strides,
                        _padding_mode(padding, allow_causal=n == 1))
    return n, strides, dilation_rate, pads


def pool_settings(inputs, pool_size, strides, padding, data_format, op):
    """Checks a pooling's arguments; returns (n, pool_size, strides, pads), strides
    defaulting to pool_size."""
    n = _spatial_rank(inputs, op)
    pool_size = _spatial_tuple(pool_size, n, "pool_size")
    strides = pool_size if strides is None else _spatial_tuple(strides, n, "strides")
    pads = _window_pads(spatial_shape(inputs, data_format), pool_size, strides,
                        _padding_mode(padding))
    return n, pool_size, strides, pads


def conv_groups(inputs, kernel, data_format):
    """How many groups conv makes (channels // the kernel's in_channels), after checking
    that the kernel's channel counts divide evenly."""
    channels, kernel_in = _channels(inputs, data_format), kernel.shape[-2]
    if kernel_in == 0 or channels % kernel_in:
        raise ValueError(f"conv: the input's {channels} channels must be a multiple of the "
                         f"kernel's in_channels (kernel shape {tuple(kernel.shape)}).")
    groups = channels // kernel_in
    if kernel.shape[-1] % groups:
        raise ValueError(f"conv: with {groups} groups the kernel's out_channels "
                         f"({kernel.shape[-1]}) must be a multiple of {groups}.")
    return groups


def conv_bias(bias, out_channels, op):
    """`bias` checked to hold one value per output channel (1-D)."""
    if tuple(bias.shape) != (out_channels,):
        raise ValueError(f"{op}: expected a bias of shape ({out_channels},), one value per "
                         f"output channel, received shape {tuple(bias.shape)}.")
    return bias


def depthwise_channels(inputs, kernel, data_format):
    """The input's channel count, after checking depthwise_conv's kernel
    (spatial..., channels, multiplier) against it."""
    channels = _channels(inputs, data_format)
    if kernel.ndim != inputs.ndim or kernel.shape[-2] != channels:
        raise ValueError(f"depthwise_conv: expected a kernel of shape (spatial..., {channels}, "
                         f"multiplier) for an input of shape {tuple(inputs.shape)}, received "
                         f"{tuple(kernel.shape)}.")
    return channels


def transpose_settings(inputs, kernel, strides, padding, output_padding, dilation_rate,
                       data_format):
    """Checks conv_transpose's arguments; returns (n, strides, dilation_rate,
    pads) with pads the (before, after) padding per spatial axis of the
    stride-dilated input (see _transpose_pads)."""
    n = _spatial_rank(inputs, "conv_transpose")
    channels = _channels(inputs, data_format)
    if kernel.ndim != inputs.ndim or kernel.shape[-1] != channels:
        raise ValueError(f"conv_transpose: expected a kernel of shape (spatial..., "
                         f"out_channels, {channels}) for an input of shape "
                         f"{tuple(inputs.shape)}, received {tuple(kernel.shape)}.")
    strides = _spatial_tuple(strides, n, "strides")
    dilation_rate = _spatial_tuple(dilation_rate, n, "dilation_rate")
    if output_padding is not None:
        output_padding = _spatial_tuple(output_padding, n, "output_padding")
    else:
        output_padding = (None,) * n
    mode = _padding_mode(padding)
    pads = [_transpose_pads((k - 1) * d + 1, s, mode, op) for k, d, s, op in
            zip(kernel.shape[:n], dilation_rate, strides, output_padding)]
    return n, strides, dilation_rate, pads
