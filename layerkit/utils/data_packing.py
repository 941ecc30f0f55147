"""Keras's `pack_x_y_sample_weight` / `unpack_x_y_sample_weight`: the tuple forms a
data source yields and a custom `train_step` receives."""


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """`x` alone (a 1-tuple if x is itself a list or tuple), `(x, y)`, or
    `(x, y, sample_weight)`: what `fit` hands `train_step` as `data`."""
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """`(x, y, sample_weight)` from `data`, the missing parts None."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError("Data is expected to be x, (x,), (x, y) or (x, y, sample_weight); "
                     f"received a tuple of {len(data)} items.")
