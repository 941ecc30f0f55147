"""The composed affine transform against an independent per-channel scipy
computation and against Keras's own apply_affine_transform."""
import numpy as np
import pytest
from scipy import ndimage

from layerkit.preprocessing import affine_transform as at
from layerkit.preprocessing import resample
from layerkit.preprocessing.image import apply_affine_transform, transform_matrix_offset_center

MODES = ("nearest", "constant", "reflect", "wrap")


def reference_transform(x, theta, tx, ty, shear, zx, zy, row_axis, col_axis, channel_axis,
                        fill_mode, cval, order):
    """Keras 2's documented construction, step by step: explicit 3x3 products,
    centring, axis swap, one scipy call per channel."""
    t, s = np.deg2rad(theta), np.deg2rad(shear)
    rotation = np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])
    shift = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
    shear_m = np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]])
    zoom = np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
    m = rotation @ shift @ shear_m @ zoom
    h, w = x.shape[row_axis], x.shape[col_axis]
    ox, oy = h / 2 - 0.5, w / 2 - 0.5
    m = (np.array([[1, 0, ox], [0, 1, oy], [0, 0, 1]]) @ m
         @ np.array([[1, 0, -ox], [0, 1, -oy], [0, 0, 1]]))
    if col_axis > row_axis:
        m = m[[1, 0, 2]][:, [1, 0, 2]]
    planes = np.moveaxis(x, channel_axis, 0)
    out = np.stack([ndimage.affine_transform(p, m[:2, :2], m[:2, 2], order=order, mode=fill_mode,
                                             cval=cval) for p in planes])
    return np.moveaxis(out, 0, channel_axis)


def random_params(rng):
    return dict(theta=rng.uniform(-180, 180), tx=rng.uniform(-6, 6), ty=rng.uniform(-6, 6),
                shear=rng.uniform(-40, 40), zx=rng.uniform(0.5, 1.8), zy=rng.uniform(0.5, 1.8))


@pytest.mark.parametrize("fill_mode", MODES)
@pytest.mark.parametrize("axes", [(1, 2, 0), (0, 1, 2), (1, 0, 2)])
def test_matches_reference_all_modes_and_axes(fill_mode, axes):
    rng = np.random.default_rng(0)
    row, col, channel = axes
    shape = [0, 0, 0]
    shape[row], shape[col], shape[channel] = 11, 14, 3  # non-square on purpose
    x = rng.integers(0, 256, shape).astype("float32")
    for _ in range(6):
        p = random_params(rng)
        got = apply_affine_transform(x, **p, row_axis=row, col_axis=col, channel_axis=channel,
                                     fill_mode=fill_mode, cval=7.0, order=1)
        want = reference_transform(x, **p, row_axis=row, col_axis=col, channel_axis=channel,
                                   fill_mode=fill_mode, cval=7.0, order=1)
        assert got.shape == x.shape and got.dtype == x.dtype
        np.testing.assert_allclose(got, want, atol=2e-3, rtol=0)


@pytest.mark.parametrize("order", [0, 3])
def test_other_orders_go_through_scipy(order):
    rng = np.random.default_rng(1)
    x = rng.random((9, 10, 3)).astype("float32")
    p = random_params(rng)
    got = apply_affine_transform(x, **p, row_axis=0, col_axis=1, channel_axis=2, order=order,
                                 fill_mode="reflect")
    want = reference_transform(x, **p, row_axis=0, col_axis=1, channel_axis=2, order=order,
                               fill_mode="reflect", cval=0.0)
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_identity_returns_input_and_float64_and_uint8_work():
    x = np.arange(2 * 5 * 6, dtype="float64").reshape(2, 5, 6)
    assert apply_affine_transform(x) is x
    got = apply_affine_transform(x, theta=30)
    want = reference_transform(x, 30, 0, 0, 0, 1, 1, 1, 2, 0, "nearest", 0.0, 1)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want, atol=1e-9)
    u = np.random.default_rng(2).integers(0, 256, (3, 8, 8)).astype("uint8")
    got_u = apply_affine_transform(u, theta=15, zx=1.2)
    assert got_u.dtype == np.uint8
    np.testing.assert_array_equal(got_u, reference_transform(u, 15, 0, 0, 0, 1.2, 1, 1, 2, 0,
                                                             "nearest", 0.0, 1))


def test_flips_fold_into_the_matrix():
    rng = np.random.default_rng(3)
    x = rng.random((10, 13, 3)).astype("float32")
    p = random_params(rng)
    for flip_rows in (False, True):
        for flip_cols in (False, True):
            got = at.transform_image(x, **p, fill_mode="constant", flip_rows=flip_rows,
                                     flip_cols=flip_cols)
            want = reference_transform(x, **p, row_axis=0, col_axis=1, channel_axis=2,
                                       fill_mode="constant", cval=0.0, order=1)
            if flip_rows:
                want = want[::-1]
            if flip_cols:
                want = want[:, ::-1]
            np.testing.assert_allclose(got, want, atol=1e-4)


def test_batch_warp_matches_per_image_scipy():
    rng = np.random.default_rng(4)
    batch = rng.random((5, 150, 130, 4)).astype("float32")  # several row blocks per image
    thetas = rng.uniform(-30, 30, 5)
    matrices, offsets = at.compose_index_affine(thetas, rng.uniform(-9, 9, 5), 0, 0,
                                                rng.uniform(0.8, 1.2, 5), 1, 150, 130)
    out = resample.warp_affine(batch, matrices, offsets, "wrap", 0.0, 1)
    for n in range(5):
        for ch in range(4):
            want = ndimage.affine_transform(batch[n, :, :, ch], matrices[n], offsets[n], order=1,
                                            mode="wrap")
            np.testing.assert_allclose(out[n, :, :, ch], want, atol=1e-5)


def test_offset_center_matches_explicit_product():
    m = np.array([[0.9, -0.2, 3.0], [0.3, 1.1, -2.0], [0, 0, 1]])
    ox, oy = 7 / 2 - 0.5, 12 / 2 - 0.5
    want = (np.array([[1, 0, ox], [0, 1, oy], [0, 0, 1]]) @ m
            @ np.array([[1, 0, -ox], [0, 1, -oy], [0, 0, 1]]))
    np.testing.assert_allclose(transform_matrix_offset_center(m, 7, 12), want)


def test_bad_arguments_raise_clear_errors():
    x = np.zeros((3, 4, 4), "float32")
    with pytest.raises(ValueError, match="fill_mode.*'mirror'"):
        apply_affine_transform(x, theta=10, fill_mode="mirror")
    with pytest.raises(ValueError, match="rank 3"):
        apply_affine_transform(np.zeros((4, 4)), theta=10)
    with pytest.raises(ValueError, match="distinct"):
        apply_affine_transform(x, row_axis=1, col_axis=1, channel_axis=0)


@pytest.mark.parametrize("fill_mode", MODES)
def test_agrees_with_keras_apply_affine_transform(keras_image, fill_mode):
    rng = np.random.default_rng(5)
    x = rng.integers(0, 256, (3, 12, 17)).astype("float32")
    for _ in range(4):
        p = random_params(rng)
        got = apply_affine_transform(x, **p, fill_mode=fill_mode, cval=3.0)
        want = keras_image.apply_affine_transform(x, **p, fill_mode=fill_mode, cval=3.0)
        np.testing.assert_allclose(got, want, atol=2e-3, rtol=0)
