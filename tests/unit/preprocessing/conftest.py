"""Fixtures for the preprocessing tests: Keras's own legacy image module as an
oracle, and small image folders made in tmp_path."""
import os

import numpy as np
import pytest


@pytest.fixture
def keras_image(keras_oracle):
    """`keras.src.legacy.preprocessing.image` (Keras 2's ImageDataGenerator), or skip."""
    try:
        from keras.src.legacy.preprocessing import image
    except ImportError as e:
        pytest.skip(f"keras has no legacy image preprocessing: {e}")
    return image


def _write_images(root, layout, size=(12, 16), seed=0, ext="png", mode="RGB"):
    """Writes random-pixel images: layout maps a class folder to a count."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    channels = {"RGB": 3, "RGBA": 4, "L": 1}[mode]
    paths = []
    for class_name, count in layout.items():
        folder = os.path.join(root, class_name)
        os.makedirs(folder, exist_ok=True)
        for i in range(count):
            h, w = size[0] + i % 3, size[1] + (i * 2) % 5
            shape = (h, w) if channels == 1 else (h, w, channels)
            pixels = rng.integers(0, 256, shape, dtype=np.uint8)
            path = os.path.join(folder, f"img{i}.{ext}")
            Image.fromarray(pixels, mode).save(path)
            paths.append(path)
    return paths


@pytest.fixture
def write_images():
    """The image-writing helper: write_images(root, {"class": count}, size=(h, w))."""
    return _write_images


@pytest.fixture
def image_folder(tmp_path):
    """A folder with classes a (4 images), b (3 images, one in a sub-folder), c (2)."""
    root = tmp_path / "images"
    _write_images(root, {"a": 4, "b": 2, "b/nested": 1, "c": 2})
    (root / "a" / "notes.txt").write_text("not an image")
    return root
