"""RandomRotation, RandomZoom and RandomTranslation: one random affine transform per
image, applied by layerkit.ops.image.affine_transform (Keras 3's transforms, fill
modes and interpolations; see random_image.py for seeding and training)."""
import math

from layerkit import ops
from layerkit import random as lk_random
from layerkit.layers.preprocessing.random_image import RandomImageLayer, factor_range
from layerkit.ops import image as image_ops

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


def _pair_factor(layer, factor, name, lower_open):
    """A zoom/translation factor: a number f (-f..f) or a sorted pair, each in
    (-1, 1] for zoom (lower_open) or [-1, 1] for translation."""
    def ok(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool) and \
            (-1.0 < v <= 1.0 if lower_open else -1.0 <= v <= 1.0)
    bounds = "(-1.0, 1.0]" if lower_open else "[-1.0, 1.0]"
    message = (f'{type(layer).__name__} "{layer.name}": `{name}` must be a number or a pair of '
               f"numbers in {bounds}, received {name}={factor!r}.")
    if isinstance(factor, (list, tuple)):
        if len(factor) != 2 or not all(ok(v) for v in factor):
            raise ValueError(message)
        return tuple(sorted(factor))
    if not ok(factor):
        raise ValueError(message)
    return (-abs(factor), abs(factor))


class _AffineLayer(RandomImageLayer):
    def __init__(self, fill_mode, interpolation, seed, fill_value, data_format, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if fill_mode not in FILL_MODES:
            raise NotImplementedError(f'{type(self).__name__} "{self.name}": unknown `fill_mode` '
                                      f"{fill_mode!r}; expected one of {FILL_MODES}.")
        if interpolation not in INTERPOLATIONS:
            raise NotImplementedError(f'{type(self).__name__} "{self.name}": unknown '
                                      f"`interpolation` {interpolation!r}; expected one of "
                                      f"{INTERPOLATIONS}.")
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value

    def _size(self, images):
        """(batch, height, width) of a rank-3 or rank-4 image tensor."""
        shape = images.shape
        batch = shape[0] if len(shape) == 4 else 1
        if self.data_format == "channels_last":
            return batch, shape[-3], shape[-2]
        return batch, shape[-2], shape[-1]

    def augment(self, images):
        batch, height, width = self._size(images)
        transform = self.transforms(batch, height, width)
        single = len(images.shape) == 3
        out = image_ops.affine_transform(ops.expand_dims(images, 0) if single else images,
                                         transform, interpolation=self.interpolation,
                                         fill_mode=self.fill_mode, fill_value=self.fill_value,
                                         data_format=self.data_format)
        return out[0] if single else out

    def transforms(self, batch, height, width):
        raise NotImplementedError

    def get_config(self):
        config_ = super().get_config()
        config_.update({"fill_mode": self.fill_mode, "fill_value": self.fill_value,
                        "interpolation": self.interpolation})
        return config_


def _stack(columns):
    """(batch, 8) transforms from eight (batch, 1) columns."""
    return ops.concatenate(columns, axis=1)


class RandomRotation(_AffineLayer):
    """Rotates by angle ~ U(factor) * 360 degrees about the image centre."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = factor_range(self, factor, (-1, 1))

    def transforms(self, batch, height, width):
        angle = lk_random.uniform((batch, 1), self.factor[0] * 360.0, self.factor[1] * 360.0,
                                  seed=self.generator) * (math.pi / 180.0)
        cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
        cos, sin = ops.cos(angle), ops.sin(angle)
        zeros = ops.zeros_like(angle)
        return _stack([cos, -sin, cx - cx * cos + cy * sin, sin, cos,
                       cy - cx * sin - cy * cos, zeros, zeros])

    def get_config(self):
        config_ = super().get_config()
        config_["factor"] = self.factor
        return config_


class RandomZoom(_AffineLayer):
    """Zooms by (1 + U(height_factor)) vertically and (1 + U(width_factor)) horizontally
    (the height draw for both when width_factor is None); a positive factor zooms out."""

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _pair_factor(self, height_factor,
                                                            "height_factor", True)
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = _pair_factor(self, width_factor,
                                                              "width_factor", True)

    def transforms(self, batch, height, width):
        zoom_h = lk_random.uniform((batch, 1), 1.0 + self.height_lower, 1.0 + self.height_upper,
                                   seed=self.generator)
        zoom_w = zoom_h if self.width_factor is None else lk_random.uniform(
            (batch, 1), 1.0 + self.width_lower, 1.0 + self.width_upper, seed=self.generator)
        zeros = ops.zeros_like(zoom_h)
        return _stack([zoom_w, zeros, (width - 1) / 2.0 * (1.0 - zoom_w), zeros, zoom_h,
                       (height - 1) / 2.0 * (1.0 - zoom_h), zeros, zeros])

    def get_config(self):
        config_ = super().get_config()
        config_.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config_


class RandomTranslation(_AffineLayer):
    """Shifts by U(height_factor) * height and U(width_factor) * width pixels."""

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _pair_factor(self, height_factor,
                                                            "height_factor", False)
        self.width_factor = width_factor
        self.width_lower, self.width_upper = _pair_factor(self, width_factor,
                                                          "width_factor", False)

    def transforms(self, batch, height, width):
        dy = lk_random.uniform((batch, 1), self.height_lower, self.height_upper,
                               seed=self.generator) * height
        dx = lk_random.uniform((batch, 1), self.width_lower, self.width_upper,
                               seed=self.generator) * width
        zeros, ones = ops.zeros_like(dx), ops.ones_like(dx)
        return _stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros])

    def get_config(self):
        config_ = super().get_config()
        config_.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config_
