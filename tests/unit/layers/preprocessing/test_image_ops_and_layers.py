"""ops.image and the deterministic image/numeric preprocessing layers against real
Keras 3 (JAX backend), plus the layer contract, on the current engine."""
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from layer_contract import run_layer_contract  # noqa: E402

from layerkit import engine, layers, ops  # noqa: E402

RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(0, 255, (2, 7, 9, 3)).astype("float32")


def _np(x):
    return np.asarray(engine.convert_to_numpy(x))


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "bicubic", "lanczos3",
                                           "lanczos5"])
@pytest.mark.parametrize("size", [(5, 4), (12, 13)])
@pytest.mark.parametrize("extra", [{}, {"antialias": True}, {"crop_to_aspect_ratio": True},
                                   {"pad_to_aspect_ratio": True, "fill_value": 2.0}])
def test_resize_matches_keras(keras_oracle, interpolation, size, extra):
    want = np.asarray(keras_oracle.ops.image.resize(IMAGES, size, interpolation=interpolation,
                                                    **extra))
    got = _np(ops.image.resize(IMAGES, size, interpolation=interpolation, **extra))
    np.testing.assert_allclose(got, want, atol=1e-3, rtol=1e-5)


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
@pytest.mark.parametrize("fill_mode", ["constant", "nearest", "wrap", "mirror", "reflect"])
def test_affine_transform_matches_keras(keras_oracle, interpolation, fill_mode):
    t = np.array([[1.1, 0.2, -1.3, -0.1, 0.9, 0.7, 0, 0],
                  [0.8, -0.3, 2.2, 0.25, 1.2, -1.5, 0, 0]], "float32")
    kw = dict(interpolation=interpolation, fill_mode=fill_mode, fill_value=0.5)
    want = np.asarray(keras_oracle.ops.image.affine_transform(IMAGES, t, **kw))
    np.testing.assert_allclose(_np(ops.image.affine_transform(IMAGES, t, **kw)), want,
                               atol=1e-4)
    cf = np.transpose(IMAGES, (0, 3, 1, 2))
    np.testing.assert_allclose(
        _np(ops.image.affine_transform(cf, t, data_format="channels_first", **kw)),
        np.transpose(want, (0, 3, 1, 2)), atol=1e-4)


def test_crop_and_pad_images_match_keras(keras_oracle):
    k = keras_oracle.ops.image
    np.testing.assert_array_equal(_np(ops.image.crop_images(IMAGES, 1, 2, target_height=4,
                                                            target_width=5)),
                                  np.asarray(k.crop_images(IMAGES, 1, 2, target_height=4,
                                                           target_width=5)))
    np.testing.assert_array_equal(_np(ops.image.pad_images(IMAGES, 1, 2, target_height=10,
                                                           target_width=15)),
                                  np.asarray(k.pad_images(IMAGES, 1, 2, target_height=10,
                                                          target_width=15)))
    with pytest.raises(ValueError, match="exactly two"):
        ops.image.crop_images(IMAGES, 1, 2, 1, target_height=4, target_width=5)


CASES = [
    ("Resizing", {"height": 5, "width": 4}),
    ("Resizing", {"height": 5, "width": 4, "interpolation": "bicubic",
                  "crop_to_aspect_ratio": True}),
    ("Resizing", {"height": 12, "width": 7, "pad_to_aspect_ratio": True}),
    ("CenterCrop", {"height": 5, "width": 6}),
    ("CenterCrop", {"height": 9, "width": 6}),
    ("Rescaling", {"scale": 1 / 255.0, "offset": -1.0}),
    ("Rescaling", {"scale": [1.0, 2.0, 3.0]}),
]


def test_resizing_channels_first_matches_keras(keras_oracle):
    images = np.transpose(IMAGES, (0, 3, 1, 2))
    kwargs = {"height": 4, "width": 11, "data_format": "channels_first",
              "interpolation": "bicubic", "pad_to_aspect_ratio": True}
    want = np.asarray(keras_oracle.layers.Resizing(**kwargs)(images))
    np.testing.assert_allclose(_np(layers.Resizing(**kwargs)(images)), want, atol=1e-3)
    cc = {"height": 5, "width": 6, "data_format": "channels_first"}
    np.testing.assert_array_equal(_np(layers.CenterCrop(**cc)(images)),
                                  np.asarray(keras_oracle.layers.CenterCrop(**cc)(images)))


@pytest.mark.parametrize("name,kwargs", CASES)
def test_image_layers_match_keras(keras_oracle, name, kwargs):
    want = np.asarray(getattr(keras_oracle.layers, name)(**kwargs)(IMAGES))
    ours = getattr(layers, name)(**kwargs)
    np.testing.assert_allclose(_np(ours(IMAGES)), want, atol=1e-3, rtol=1e-5)
    run_layer_contract(getattr(layers, name), kwargs, input_data=IMAGES / 255.0,
                       expected_output_shape=want.shape, expected_num_trainable_weights=0)


def test_normalization_adapt_matches_keras_and_follows_set_weights(keras_oracle):
    data = RNG.normal(3, 2, (64, 4)).astype("float32")
    theirs = keras_oracle.layers.Normalization()
    theirs.adapt(data)
    ours = layers.Normalization()
    ours.adapt(data)
    np.testing.assert_allclose(_np(ours(data)), np.asarray(theirs(data)), atol=1e-5)
    assert [v.path.split("/")[-1] for v in ours.weights] == ["mean", "variance", "count"]
    # Batches from a generator merge to the same statistics.
    batched = layers.Normalization()
    batched.adapt(iter([data[:10], data[10:40], data[40:]]))
    np.testing.assert_allclose(_np(batched(data)), _np(ours(data)), atol=1e-5)
    # The statistics are weights: set_weights changes the output at once.
    ours.set_weights([np.full(4, 1.0, "float32"), np.full(4, 4.0, "float32"),
                      np.array(64)])
    np.testing.assert_allclose(_np(ours(data)), (data - 1.0) / 2.0, rtol=1e-6)


@pytest.mark.parametrize("kwargs", [{"axis": None}, {"axis": (1, 2)},
                                    {"mean": [1, 2, 3, 4], "variance": [1, 4, 9, 16],
                                     "invert": True}])
def test_normalization_variants_match_keras(keras_oracle, kwargs):
    data = RNG.normal(3, 2, (8, 3, 4)).astype("float32")
    theirs = keras_oracle.layers.Normalization(**kwargs)
    ours = layers.Normalization(**kwargs)
    if "mean" not in kwargs:
        theirs.adapt(data)
        ours.adapt(data)
    np.testing.assert_allclose(_np(ours(data)), np.asarray(theirs(data)), atol=1e-4)


def test_normalization_contract_and_errors():
    run_layer_contract(layers.Normalization, {"mean": 1.0, "variance": 4.0},
                       input_shape=(3, 5), expected_num_trainable_weights=0)
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="cannot learn"):
        layers.Normalization(mean=1.0, variance=1.0).adapt(np.ones((2, 2)))


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
def test_category_encoding_matches_keras(keras_oracle, mode):
    ids = np.array([[0, 1, 1], [3, 2, 0]]) if mode != "one_hot" else np.array([[0], [3]])
    want = np.asarray(keras_oracle.layers.CategoryEncoding(4, output_mode=mode)(ids))
    np.testing.assert_array_equal(_np(layers.CategoryEncoding(4, output_mode=mode)(ids)), want)


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_discretization_matches_keras(keras_oracle, mode):
    data = RNG.normal(0, 1, (200, 3)).astype("float32")
    theirs = keras_oracle.layers.Discretization(num_bins=5, output_mode=mode)
    theirs.update_state(data)      # Keras's adapt() needs TensorFlow; this is its array path
    theirs.finalize_state()
    ours = layers.Discretization(num_bins=5, output_mode=mode)
    ours.adapt(data)
    np.testing.assert_allclose(ours.bin_boundaries, theirs.bin_boundaries, rtol=1e-6)
    x = data[:6] if mode != "one_hot" else data[:6, :1]
    got, want = _np(ours(x)), np.asarray(theirs(x))
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    fixed = layers.Discretization(bin_boundaries=[-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(_np(fixed(np.array([[-2.0, -1.0, 0.5, 3.0]]))), [[0, 1, 2, 3]])
