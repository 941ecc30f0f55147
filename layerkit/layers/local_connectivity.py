"""Which input cells each output cell of a locally connected layer reads, and where
Keras 2 keeps each weight for it: static numpy index tables, computed once at build.

A window of output position p along an axis starts at input cell p * stride ('valid')
or p * stride - kernel // 2 ('same', Keras 2's LocallyConnected rule: note kernel // 2,
where TensorFlow's conv 'same' uses (kernel - 1) // 2); cells of a window outside the
input have no weight. Output lengths are Keras 2's: ceil((n - k + 1) / s) for 'valid',
ceil(n / s) for 'same'.

The layers compute every implementation the same way: input patches (batch, positions,
window cells * channels) times a per-position kernel (positions, window cells *
channels, filters). `kernel_index` says where each entry of that kernel sits in the
weight as Keras 2 stores it for `implementation` 1, 2 or 3, so a Keras 2 file's
weights load unchanged and train in place (the gradient flows back through the gather
into the stored layout; weights outside every window get zero gradient, as under
Keras 2's mask).
"""
import numpy as np


def output_length(size, kernel, stride, padding):
    if size is None:
        return None
    length = size - kernel + 1 if padding == "valid" else size
    return (length + stride - 1) // stride


def window_cells(in_spatial, kernel_size, strides, padding):
    """(positions, window cells) flat input cell of each window cell, and a bool table
    of which are inside the input. Positions and cells run row-major."""
    rank = len(in_spatial)
    out_spatial = [output_length(n, k, s, padding)
                   for n, k, s in zip(in_spatial, kernel_size, strides)]
    flat, inside = 0, True
    for axis, (n, o, k, s) in enumerate(zip(in_spatial, out_spatial, kernel_size, strides)):
        start = np.arange(o) * s - (k // 2 if padding == "same" else 0)
        coord = start[:, None] + np.arange(k)[None, :]          # (out, k) on this axis
        # Broadcast to (out_1 .. out_n, k_1 .. k_n): this axis at `axis` and rank + axis.
        shape = [1] * (2 * rank)
        shape[axis], shape[rank + axis] = o, k
        coord = coord.reshape(shape)
        inside = inside & (coord >= 0) & (coord < n)
        flat = flat * n + coord
    positions, cells = int(np.prod(out_spatial)), int(np.prod(kernel_size))
    flat = np.broadcast_to(flat, tuple(out_spatial) + tuple(kernel_size))
    inside = np.broadcast_to(inside, flat.shape)
    valid = inside.reshape(positions, cells)
    return tuple(out_spatial), np.where(valid, flat.reshape(positions, cells), 0), valid


def kernel_index(implementation, data_format, in_spatial, kernel_size, strides, padding,
                 channels, filters):
    """Returns (shape of the stored kernel, index table (positions, window cells *
    channels, filters) into the flattened stored kernel, bool table (positions,
    window cells) of window cells inside the input).

    Stored layouts (Keras 2):
    1: (positions, window cells * channels, filters), a window flattened as
       (cells..., channels) for channels_last and (channels, cells...) for
       channels_first;
    2: dense (in spatial..., channels, out spatial..., filters) for channels_last,
       (channels, in spatial..., filters, out spatial...) for channels_first;
    3: the values of the connected pairs of a (out cells * filters, in cells *
       channels) matrix, in sorted (row, column) order, rows and columns flattened
       in the data_format's order.
    A window cell outside the input points at entry 0; its input is zero.
    """
    out_spatial, cells, valid = window_cells(in_spatial, kernel_size, strides, padding)
    n_pos, n_cells = cells.shape
    n_in = int(np.prod(in_spatial))
    p = np.arange(n_pos)[:, None, None, None]
    k = np.arange(n_cells)[None, :, None, None]
    i = cells[:, :, None, None]
    c = np.arange(channels)[None, None, :, None]
    f = np.arange(filters)[None, None, None, :]
    if implementation == 1:
        shape = (n_pos, n_cells * channels, filters)
        row = k * channels + c if data_format == "channels_last" else c * n_cells + k
        index = (p * (n_cells * channels) + row) * filters + f
    elif implementation == 2:
        if data_format == "channels_last":
            shape = tuple(in_spatial) + (channels,) + tuple(out_spatial) + (filters,)
            index = ((i * channels + c) * n_pos + p) * filters + f
        else:
            shape = (channels,) + tuple(in_spatial) + (filters,) + tuple(out_spatial)
            index = ((c * n_in + i) * filters + f) * n_pos + p
    elif implementation == 3:
        if data_format == "channels_last":
            row, col = p * filters + f, i * channels + c
        else:
            row, col = f * n_pos + p, c * n_in + i
        keys = row * (n_in * channels) + col
        ok = np.broadcast_to(valid[:, :, None, None], keys.shape)
        connected = np.unique(keys[ok])
        shape = (connected.size,)
        index = np.searchsorted(connected, keys)
    else:
        raise ValueError(f"implementation must be 1, 2 or 3, received {implementation!r}")
    index = np.broadcast_to(index, (n_pos, n_cells, channels, filters))
    index = np.where(valid[:, :, None, None], index, 0)
    return shape, index.reshape(n_pos, n_cells * channels, filters), out_spatial, \
        cells, valid
