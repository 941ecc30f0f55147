"""ImageDataGenerator: arguments, random draws, transforms, statistics —
against independent numpy computations and against Keras's own generator."""
import warnings

import numpy as np
import pytest

from layerkit.preprocessing.image import ImageDataGenerator

AUGMENT = dict(rotation_range=25, width_shift_range=0.15, height_shift_range=[1, 2, 3],
               shear_range=8, zoom_range=[0.8, 1.1], channel_shift_range=15.0,
               horizontal_flip=True, vertical_flip=True, fill_mode="reflect")


def images(n=6, h=10, w=12, c=3, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, h, w, c)).astype("float32")


# ---------------------------------------------------------------- arguments
def test_unknown_keyword_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match="rotation_rnage"):
        ImageDataGenerator(rotation_rnage=10)


@pytest.mark.parametrize("kwargs, exc, words", [
    (dict(fill_mode="mirror"), ValueError, "fill_mode.*'mirror'"),
    (dict(data_format="channels_middle"), ValueError, "data_format.*channels_middle"),
    (dict(zoom_range=[0.5, 1, 2]), ValueError, "zoom_range"),
    (dict(zoom_range="big"), ValueError, "zoom_range"),
    (dict(brightness_range=0.5), ValueError, "brightness_range"),
    (dict(validation_split=1.5), ValueError, "validation_split.*1.5"),
    (dict(width_shift_range="0.1"), TypeError, "width_shift_range"),
    (dict(rotation_range=None), TypeError, "rotation_range"),
    (dict(interpolation_order=7), ValueError, "interpolation_order"),
    (dict(preprocessing_function=3), TypeError, "preprocessing_function"),
])
def test_bad_arguments(kwargs, exc, words):
    with pytest.raises(exc, match=words):
        ImageDataGenerator(**kwargs)


def test_argument_normalisation_and_override_warnings():
    g = ImageDataGenerator(zoom_range=0.2)
    assert g.zoom_range == [0.8, 1.2]
    assert g.channel_axis == 3 and g.row_axis == 1 and g.col_axis == 2
    g = ImageDataGenerator(data_format="channels_first")
    assert (g.channel_axis, g.row_axis, g.col_axis) == (1, 2, 3)
    with pytest.warns(UserWarning, match="featurewise_center"):
        g = ImageDataGenerator(featurewise_std_normalization=True)
    assert g.featurewise_center
    with pytest.warns(UserWarning):
        g = ImageDataGenerator(zca_whitening=True, featurewise_std_normalization=True)
    assert g.featurewise_center and not g.featurewise_std_normalization


# ---------------------------------------------------------- random draws
def test_draws_follow_numpy_global_state():
    g = ImageDataGenerator(**AUGMENT)
    a = g.get_random_transform((10, 12, 3), seed=3)
    b = g.get_random_transform((10, 12, 3), seed=3)
    assert a == b
    assert -25 <= a["theta"] <= 25 and 0.8 <= a["zx"] <= 1.1
    assert abs(a["tx"]) in (1, 2, 3)  # list: one of the values, either sign
    assert abs(a["ty"]) <= 0.15 * 12  # fraction of the width


def test_int_shift_range_picks_whole_pixels():
    g = ImageDataGenerator(width_shift_range=4, height_shift_range=2.5)
    draws = [g.get_random_transform((20, 20, 1)) for _ in range(200)]
    assert {abs(d["ty"]) for d in draws} <= {0, 1, 2, 3}
    assert all(-2.5 <= d["tx"] <= 2.5 for d in draws)  # float >= 1: pixels, uniform
    assert any(d["tx"] != int(d["tx"]) for d in draws)


def test_random_transform_shape_and_flip_only():
    x = images(1)[0]
    g = ImageDataGenerator(horizontal_flip=True)
    flipped = [g.random_transform(x, seed=s) for s in range(10)]
    for out in flipped:
        assert out.shape == x.shape
        assert np.array_equal(out, x) or np.array_equal(out, x[:, ::-1])
    assert any(np.array_equal(o, x[:, ::-1]) for o in flipped)


def test_apply_transform_channel_shift_clips_to_image_range():
    x = images(1)[0]
    g = ImageDataGenerator()
    out = g.apply_transform(x, {"channel_shift_intensity": 40.0})
    np.testing.assert_allclose(out, np.clip(x + 40.0, x.min(), x.max()))


def test_matches_keras_random_transform_and_draws(keras_image):
    x = images(1)[0]
    for data_format in ("channels_last", "channels_first"):
        xx = x if data_format == "channels_last" else x.transpose(2, 0, 1).copy()
        ours = ImageDataGenerator(**AUGMENT, data_format=data_format)
        theirs = keras_image.ImageDataGenerator(**AUGMENT, data_format=data_format)
        for seed in range(5):
            assert ours.get_random_transform(xx.shape, seed) == theirs.get_random_transform(
                xx.shape, seed)
            np.testing.assert_allclose(ours.random_transform(xx, seed=seed),
                                       theirs.random_transform(xx, seed=seed), atol=2e-3)


def test_brightness_matches_keras(keras_image):
    x = images(1)[0]
    ours = ImageDataGenerator(brightness_range=(0.4, 1.6))
    theirs = keras_image.ImageDataGenerator(brightness_range=(0.4, 1.6))
    for seed in range(3):
        np.testing.assert_allclose(ours.random_transform(x, seed=seed),
                                   theirs.random_transform(x, seed=seed), atol=1e-4)


# --------------------------------------------------------- normalisation
def test_fit_statistics_match_numpy():
    x = images(8)
    g = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True,
                           rescale=0.5)
    g.fit(x)
    scaled = x * 0.5
    np.testing.assert_allclose(g.mean.ravel(), scaled.mean(axis=(0, 1, 2)), rtol=1e-5)
    np.testing.assert_allclose(g.std.ravel(), scaled.std(axis=(0, 1, 2)), rtol=1e-4)
    assert g.mean.shape == (1, 1, 3)
    out = g.standardize(x[0].copy())
    np.testing.assert_allclose(out, (scaled[0] - g.mean) / (g.std + 1e-6), rtol=1e-4, atol=1e-4)


def test_zca_whitening_decorrelates():
    x = images(30, 4, 4, 1, seed=3)
    with pytest.warns(UserWarning):
        g = ImageDataGenerator(zca_whitening=True)
    g.fit(x)
    flat = g.standardize(x.copy()).reshape(30, -1)
    cov = flat.T @ flat / 30
    np.testing.assert_allclose(np.diag(cov)[:5], 1.0, atol=0.05)


def test_fit_matches_keras(keras_image):
    x = images(6, 5, 6, 3)
    kw = dict(featurewise_center=True, featurewise_std_normalization=True, rotation_range=20)
    ours, theirs = ImageDataGenerator(**kw), keras_image.ImageDataGenerator(**kw)
    ours.fit(x, augment=True, rounds=2, seed=4)
    theirs.fit(x, augment=True, rounds=2, seed=4)
    np.testing.assert_allclose(ours.mean, theirs.mean, rtol=1e-4)
    np.testing.assert_allclose(ours.std, theirs.std, rtol=1e-4)
    with pytest.warns(UserWarning):
        z_ours = ImageDataGenerator(zca_whitening=True)
        z_theirs = keras_image.ImageDataGenerator(zca_whitening=True)
    z_ours.fit(x)
    z_theirs.fit(x)
    np.testing.assert_allclose(z_ours.zca_whitening_matrix, z_theirs.zca_whitening_matrix,
                               atol=1e-3)


def test_fit_rejects_wrong_rank():
    with pytest.raises(ValueError, match="rank 4.*\\(5, 5, 3\\)"):
        ImageDataGenerator(featurewise_center=True).fit(np.zeros((5, 5, 3)))


def test_featurewise_without_fit_warns_and_continues():
    g = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
    x = images(2)
    with pytest.warns(UserWarning, match="fit"):
        out = g.standardize(x[0].copy())
    np.testing.assert_array_equal(out, x[0])


def test_samplewise_and_rescale_per_sample_in_batches():
    g = ImageDataGenerator(samplewise_center=True, samplewise_std_normalization=True,
                           rescale=1 / 255.0)
    x = images(4)
    batch = next(iter(g.flow(x, batch_size=4, shuffle=False)))
    for i in range(4):
        want = x[i] / 255.0
        want = (want - want.mean()) / (want.std() + 1e-6)
        np.testing.assert_allclose(batch[i], want, atol=1e-4)


def test_preprocessing_function_runs_after_augmentation_and_shape_is_checked():
    seen = []

    def double(img):
        seen.append(img.shape)
        return img * 2

    x = images(3)
    g = ImageDataGenerator(preprocessing_function=double, rescale=0.5)
    batch = next(iter(g.flow(x, batch_size=3, shuffle=False)))
    np.testing.assert_allclose(batch, x)  # * 2 then * 0.5
    assert seen == [(10, 12, 3)] * 3
    bad = ImageDataGenerator(preprocessing_function=lambda img: img[:5])
    with pytest.raises(ValueError, match="same shape"):
        next(iter(bad.flow(x, batch_size=2)))


def test_subclass_overrides_are_honoured():
    class Inverting(ImageDataGenerator):
        def apply_transform(self, x, transform_parameters):
            return 255.0 - x

    x = images(3)
    batch = next(iter(Inverting().flow(x, batch_size=3, shuffle=False)))
    np.testing.assert_allclose(batch, 255.0 - x)


def test_flow_matches_keras_flow_with_seed(keras_image):
    x = images(10, 9, 11, 3)
    y = np.arange(10)
    kw = dict(AUGMENT, rescale=1 / 255.0, samplewise_center=True)
    for data_format in ("channels_last", "channels_first"):
        xx = x if data_format == "channels_last" else x.transpose(0, 3, 1, 2).copy()
        ours = ImageDataGenerator(**kw, data_format=data_format).flow(xx, y, batch_size=4, seed=9)
        theirs = keras_image.ImageDataGenerator(**kw, data_format=data_format).flow(
            xx, y, batch_size=4, seed=9)
        for _ in range(5):
            (ox, oy), (tx, ty) = next(ours), next(theirs)
            np.testing.assert_array_equal(oy, ty)
            np.testing.assert_allclose(ox, tx, atol=1e-4)
        (ox, oy), (tx, ty) = ours[1], theirs[1]
        np.testing.assert_array_equal(oy, ty)
        np.testing.assert_allclose(ox, tx, atol=1e-4)


def test_warnings_do_not_repeat_per_image():
    g = ImageDataGenerator(featurewise_center=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        next(iter(g.flow(images(6), batch_size=6)))
    assert len(caught) == 1
