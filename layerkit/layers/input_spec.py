"""InputSpec: what a built layer accepts, checked on every call with a Keras-style message."""


class InputSpec:
    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None):
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.name = name

    def __repr__(self):
        return (f"InputSpec(shape={self.shape}, ndim={self.ndim}, min_ndim={self.min_ndim}, "
                f"axes={self.axes})")


def assert_input_compatibility(specs, inputs, layer_name):
    """Raises a ValueError naming the layer, the expected and the received shape."""
    if specs is None:
        return
    if not isinstance(specs, (list, tuple)):
        specs = [specs]
    if not isinstance(inputs, (list, tuple)):
        inputs = [inputs]
    for i, (spec, x) in enumerate(zip(specs, inputs)):
        if spec is None or not hasattr(x, "shape"):
            continue
        shape = tuple(x.shape)
        rank = len(shape)
        where = f'Input {i} of layer "{layer_name}" is incompatible with the layer'
        if spec.ndim is not None and rank != spec.ndim:
            raise ValueError(f"{where}: expected ndim={spec.ndim}, found ndim={rank}. "
                             f"Full shape received: {shape}")
        if spec.min_ndim is not None and rank < spec.min_ndim:
            raise ValueError(f"{where}: expected min_ndim={spec.min_ndim}, found ndim={rank}. "
                             f"Full shape received: {shape}")
        if spec.max_ndim is not None and rank > spec.max_ndim:
            raise ValueError(f"{where}: expected max_ndim={spec.max_ndim}, found ndim={rank}. "
                             f"Full shape received: {shape}")
        for axis, value in spec.axes.items():
            if value is None:
                continue
            got = shape[axis] if -rank <= axis < rank else None
            if got is not None and got != value:
                raise ValueError(
                    f"{where}: expected axis {axis} of input shape to have value {value}, "
                    f"but received input with shape {shape}")
        if spec.shape is not None:
            for want, got in zip(spec.shape[1:], shape[1:]):
                if want is not None and got is not None and want != got:
                    raise ValueError(f"{where}: expected shape={spec.shape}, found "
                                     f"shape={shape}")
