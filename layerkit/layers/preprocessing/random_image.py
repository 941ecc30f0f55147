"""Random image augmentation: the shared base, and RandomFlip, RandomCrop,
RandomContrast, RandomBrightness.

Each layer draws from its own SeedGenerator, whose state is part of the model's
EngineState (the `seeds` group): the compiled JAX step stays pure and advances the
state, and a seed makes a run reproducible on either engine. The draws are not
Keras's (another generator), the distributions are. Augmentation happens only in
training; as in Keras 3, a direct call outside fit/predict that names no `training`
augments (Keras's default training=True), and predict never does.
"""
from layerkit import config, ops
from layerkit import random as lk_random
from layerkit.layers.layer import Layer
from layerkit.layers.preprocessing.resizing import (check_image_rank, check_size,
                                                    image_hw_axes, with_hw)
from layerkit.ops import image as image_ops

HORIZONTAL, VERTICAL = "horizontal", "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"


def factor_range(layer, factor, bounds, name="factor"):
    """(lower, upper) from a number f (-f..f clipped to bounds) or a pair, as Keras."""
    message = (f'{type(layer).__name__} "{layer.name}": `{name}` must be a number or a pair '
               f"of numbers in [{bounds[0]}, {bounds[1]}], received {name}={factor!r}.")
    if isinstance(factor, (list, tuple)):
        if len(factor) != 2 or not all(isinstance(f, (int, float)) for f in factor) or \
                factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(message)
        return tuple(sorted(factor))
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or \
            not bounds[0] <= factor <= bounds[1]:
        raise ValueError(message)
    factor = abs(factor)
    return (max(-factor, bounds[0]), factor)


class RandomImageLayer(Layer):
    """Seed generator, training switch, dtype cast; subclasses write `augment`."""

    _training_default = True

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f'{type(self).__name__} "{self.name}": `seed` must be an int or '
                             f"None, received seed={seed!r}.")
        self.seed = seed
        self.data_format = config.standardize_data_format(data_format)
        self.generator = lk_random.SeedGenerator(seed, name=f"{self.name}_seed_generator")
        self._seed_generators.append(self.generator)
        self.built = True

    def call(self, inputs, training=True):
        check_image_rank(self, inputs.shape)
        inputs = ops.cast(inputs, self.compute_dtype)
        if not training:
            return self.at_inference(inputs)
        return self.augment(inputs)

    def at_inference(self, images):
        return images

    def augment(self, images):
        raise NotImplementedError

    def per_image_shape(self, images):
        """(batch, 1, 1, 1), or (1, 1, 1) for one image: one draw per image."""
        return (images.shape[0], 1, 1, 1) if len(images.shape) == 4 else (1, 1, 1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config_ = super().get_config()
        config_.update({"seed": self.seed, "data_format": self.data_format})
        return config_


class RandomFlip(RandomImageLayer):
    _MODES = (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL)

    def __init__(self, mode=HORIZONTAL_AND_VERTICAL, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if mode not in self._MODES:
            raise ValueError(f'RandomFlip "{self.name}": `mode` must be one of {self._MODES}, '
                             f"received mode={mode!r}.")
        self.mode = mode
        self.supports_masking = False

    def augment(self, images):
        # One draw per image; with both modes, a drawn image flips on both axes (Keras).
        flips = lk_random.uniform(self.per_image_shape(images), seed=self.generator) <= 0.5
        h_axis, w_axis = image_hw_axes(len(images.shape), self.data_format)
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            images = ops.where(flips, ops.flip(images, axis=w_axis), images)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            images = ops.where(flips, ops.flip(images, axis=h_axis), images)
        return images

    def get_config(self):
        config_ = super().get_config()
        config_["mode"] = self.mode
        return config_


class RandomCrop(RandomImageLayer):
    """Training: a random height x width window (one offset per batch, as Keras);
    inference: the central crop at the target aspect ratio, resized."""

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, name=name, **kwargs)
        check_size(self, height, width)
        self.height, self.width = height, width

    def augment(self, images):
        h_axis, w_axis = image_hw_axes(len(images.shape), self.data_format)
        in_h, in_w = images.shape[h_axis], images.shape[w_axis]
        if in_h < self.height or in_w < self.width:
            return self.at_inference(images)
        start = [0] * len(images.shape)
        start[h_axis] = self._offset(in_h - self.height)
        start[w_axis] = self._offset(in_w - self.width)
        size = list(images.shape)
        size[h_axis], size[w_axis] = self.height, self.width
        return ops.slice(images, start, size)

    def _offset(self, room):
        draw = lk_random.uniform((), 0.0, float(room + 1), seed=self.generator)
        return ops.minimum(ops.cast(draw, "int32"), room)

    def at_inference(self, images):
        out = image_ops.resize(images, (self.height, self.width), crop_to_aspect_ratio=True,
                               data_format=self.data_format)
        return ops.cast(out, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return with_hw(self, input_shape, self.height, self.width)

    def get_config(self):
        config_ = super().get_config()
        config_.update({"height": self.height, "width": self.width})
        return config_


def _value_range(layer, value_range):
    if not isinstance(value_range, (list, tuple)) or len(value_range) != 2:
        raise ValueError(f'{type(layer).__name__} "{layer.name}": `value_range` must be a list '
                         f"of two numbers, received value_range={value_range!r}.")
    return tuple(sorted(value_range))


class RandomContrast(RandomImageLayer):
    """(x - mean) * c + mean per image and channel, c ~ U(1 - factor[0], 1 + factor[1]),
    clipped to value_range."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = factor_range(self, factor, (0, 1))
        self.value_range = _value_range(self, value_range)

    def augment(self, images):
        contrast = lk_random.uniform(self.per_image_shape(images), 1.0 - self.factor[0],
                                     1.0 + self.factor[1], dtype=self.compute_dtype,
                                     seed=self.generator)
        h_axis, w_axis = image_hw_axes(len(images.shape), self.data_format)
        mean = ops.mean(images, axis=(h_axis, w_axis), keepdims=True)
        out = (images - mean) * contrast + mean
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        config_ = super().get_config()
        config_.update({"factor": self.factor, "value_range": self.value_range})
        return config_


class RandomBrightness(RandomImageLayer):
    """Adds delta * (value_range width) per image, delta ~ U(factor), then clips."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = factor_range(self, factor, (-1, 1))
        self.value_range = list(_value_range(self, value_range))

    def augment(self, images):
        delta = lk_random.uniform(self.per_image_shape(images), self.factor[0], self.factor[1],
                                  dtype=self.compute_dtype, seed=self.generator)
        delta = delta * (self.value_range[1] - self.value_range[0])
        return ops.clip(images + delta, self.value_range[0], self.value_range[1])

    def get_config(self):
        config_ = super().get_config()
        config_.update({"factor": self.factor, "value_range": self.value_range})
        return config_
