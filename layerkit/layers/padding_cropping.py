"""ZeroPadding1D/2D/3D and Cropping1D/2D/3D: add zero cells around, or cut
cells from, the spatial axes. Amounts are (before, after) per spatial axis.
"""
from layerkit import ops
from layerkit.layers import conv_arguments as args
from layerkit.layers.input_spec import InputSpec
from layerkit.layers.reshaping import _ShapeLayer


class _SpatialEdges(_ShapeLayer):
    """`amounts`: one (before, after) pair per spatial axis."""

    def __init__(self, rank, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.data_format = args.data_format(self, data_format)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _check_rank(self, input_shape):
        args.spatial_rank_shape(self, input_shape)

    def _resize(self, input_shape, sign):
        """The shape after adding (sign=1) or removing (sign=-1) the amounts."""
        self._check_rank(input_shape)
        out = list(input_shape)
        for axis, (before, after) in zip(args.spatial_axes(self.rank, self.data_format),
                                         self._amounts()):
            if out[axis] is not None:
                out[axis] += sign * (before + after)
        return tuple(out)


class ZeroPadding(_SpatialEdges):
    def __init__(self, rank, padding, data_format=None, **kwargs):
        super().__init__(rank, data_format=data_format, **kwargs)
        if rank == 1:
            self.padding = args.int_tuple(self, padding, 2, "padding", allow_zero=True)
        else:
            self.padding = args.pairs(self, padding, rank, "padding")

    def _amounts(self):
        return (self.padding,) if self.rank == 1 else self.padding

    def call(self, inputs):
        pads = [(0, 0)] * (self.rank + 2)
        for axis, amount in zip(args.spatial_axes(self.rank, self.data_format),
                                self._amounts()):
            pads[axis] = amount
        return ops.pad(inputs, pads)

    def compute_output_shape(self, input_shape):
        return self._resize(tuple(input_shape), 1)

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config


class ZeroPadding1D(ZeroPadding):
    """Zeros before and after the steps of (batch, steps, features):
    padding = int or (before, after)."""

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(1, padding, data_format=data_format, **kwargs)


class ZeroPadding2D(ZeroPadding):
    """Zero rows and columns around images: padding = int, (rows, cols) or
    ((top, bottom), (left, right))."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(2, padding, data_format=data_format, **kwargs)


class ZeroPadding3D(ZeroPadding):
    """Zeros around volumes: padding = int, 3 ints or 3 (before, after) pairs."""

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, padding, data_format=data_format, **kwargs)


class Cropping(_SpatialEdges):
    def __init__(self, rank, cropping, data_format=None, **kwargs):
        super().__init__(rank, data_format=data_format, **kwargs)
        if rank == 1:
            self.cropping = args.int_tuple(self, cropping, 2, "cropping", allow_zero=True)
        else:
            self.cropping = args.pairs(self, cropping, rank, "cropping")

    def _amounts(self):
        return (self.cropping,) if self.rank == 1 else self.cropping

    def _check_fits(self, input_shape):
        for axis, (before, after) in zip(args.spatial_axes(self.rank, self.data_format),
                                         self._amounts()):
            size = input_shape[axis]
            if size is not None and before + after >= size:
                raise ValueError(
                    f"{args.describe(self)}: cropping {before + after} cells from axis {axis} "
                    f"of size {size} leaves none (cropping={self.cropping}, input shape "
                    f"{tuple(input_shape)}); the cropping must be smaller than the input.")

    def call(self, inputs):
        self._check_fits(tuple(inputs.shape))
        index = [slice(None)] * (self.rank + 2)
        for axis, (before, after) in zip(args.spatial_axes(self.rank, self.data_format),
                                         self._amounts()):
            index[axis] = slice(before, inputs.shape[axis] - after)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        self._check_rank(input_shape)
        self._check_fits(input_shape)
        return self._resize(input_shape, -1)

    def get_config(self):
        config = super().get_config()
        config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config


class Cropping1D(Cropping):
    """Cuts steps from (batch, steps, features): cropping = int or (before, after)."""

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(1, cropping, data_format="channels_last", **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["data_format"]  # Keras's Cropping1D has none
        return config


class Cropping2D(Cropping):
    """Cuts rows and columns from images: cropping = int, (rows, cols) or
    ((top, bottom), (left, right))."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(2, cropping, data_format=data_format, **kwargs)


class Cropping3D(Cropping):
    """Cuts cells from volumes: cropping = int, 3 ints or 3 (before, after) pairs."""

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, cropping, data_format=data_format, **kwargs)
