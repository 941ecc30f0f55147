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


def _padding_mode(padding):
    mode = str(padding).lower()
    if mode not in ("valid", "same"):
        raise ValueError(f"`padding` must be 'valid' or 'same', received padding={padding!r}.")
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
    return [_same_pads(s, w, st) for s, w, st in zip(spatial_shape, windows, strides)]


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
