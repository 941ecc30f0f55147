"""Resizing and CenterCrop: fixed-size image outputs through layerkit.ops.image."""
from layerkit import config, ops
from layerkit.layers.layer import Layer
from layerkit.ops import image as image_ops


def image_hw_axes(ndim, data_format):
    """The (height, width) axes of a rank-3 or rank-4 image tensor."""
    return (ndim - 3, ndim - 2) if data_format == "channels_last" else (ndim - 2, ndim - 1)


def check_image_rank(layer, shape):
    if len(shape) not in (3, 4):
        raise ValueError(f'{type(layer).__name__} "{layer.name}" expects images of rank 3 '
                         f"(one image) or 4 (a batch), received input shape {tuple(shape)}.")


def with_hw(layer, input_shape, height, width):
    check_image_rank(layer, input_shape)
    shape = list(input_shape)
    h, w = image_hw_axes(len(shape), layer.data_format)
    shape[h], shape[w] = height, width
    return tuple(shape)


def check_size(layer, height, width):
    for name, value in (("height", height), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f'{type(layer).__name__} "{layer.name}": `{name}` must be a '
                             f"positive integer, received {name}={value!r}.")


class Resizing(Layer):
    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        check_size(self, height, width)
        if interpolation not in image_ops.RESIZE_INTERPOLATIONS:
            raise ValueError(f'Resizing "{self.name}": `interpolation` must be one of '
                             f"{image_ops.RESIZE_INTERPOLATIONS}, received {interpolation!r}.")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(f'Resizing "{self.name}": only one of `crop_to_aspect_ratio` and '
                             "`pad_to_aspect_ratio` can be True.")
        if fill_mode != "constant":
            raise ValueError(f'Resizing "{self.name}": only fill_mode="constant" is supported, '
                             f"received {fill_mode!r}.")
        self.height, self.width = height, width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)
        self.data_format = config.standardize_data_format(data_format)
        self.built = True

    def call(self, inputs):
        check_image_rank(self, inputs.shape)
        out = image_ops.resize(inputs, (self.height, self.width),
                               interpolation=self.interpolation, antialias=self.antialias,
                               crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                               pad_to_aspect_ratio=self.pad_to_aspect_ratio,
                               fill_mode=self.fill_mode, fill_value=self.fill_value,
                               data_format=self.data_format)
        return ops.cast(out, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return with_hw(self, input_shape, self.height, self.width)

    def get_config(self):
        config_ = super().get_config()
        config_.update({"height": self.height, "width": self.width,
                        "interpolation": self.interpolation,
                        "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                        "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
                        "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                        "antialias": self.antialias, "data_format": self.data_format})
        return config_


class CenterCrop(Layer):
    """Crops the central height x width box; an image smaller than that on an axis is
    cropped to the target aspect ratio and resized (bilinear), as Keras does."""

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        check_size(self, height, width)
        self.height, self.width = height, width
        self.data_format = config.standardize_data_format(data_format)
        self.built = True

    def call(self, inputs):
        check_image_rank(self, inputs.shape)
        inputs = ops.cast(inputs, self.compute_dtype)
        h_axis, w_axis = image_hw_axes(len(inputs.shape), self.data_format)
        h_diff = inputs.shape[h_axis] - self.height
        w_diff = inputs.shape[w_axis] - self.width
        if h_diff >= 0 and w_diff >= 0:
            index = [slice(None)] * len(inputs.shape)
            index[h_axis] = slice(h_diff // 2, h_diff // 2 + self.height)
            index[w_axis] = slice(w_diff // 2, w_diff // 2 + self.width)
            return inputs[tuple(index)]
        out = image_ops.resize(inputs, (self.height, self.width), crop_to_aspect_ratio=True,
                               data_format=self.data_format)
        return ops.cast(out, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return with_hw(self, input_shape, self.height, self.width)

    def get_config(self):
        config_ = super().get_config()
        config_.update({"height": self.height, "width": self.width,
                        "data_format": self.data_format})
        return config_
