"""flow_from_directory / flow_from_dataframe: scanning, labels, decoding,
subsets, saving, bad input — against the files written and against Keras."""
import os
import re

import numpy as np
import pytest
from PIL import Image

from layerkit.preprocessing.image import (
    DirectoryNotFoundError,
    ImageDataGenerator,
    ImageDecodeError,
    img_to_array,
    load_img,
)


def test_scan_classes_filenames_and_labels(image_folder, capsys):
    it = ImageDataGenerator().flow_from_directory(image_folder, target_size=(8, 10), batch_size=4,
                                                  shuffle=False)
    assert "Found 9 images belonging to 3 classes." in capsys.readouterr().out
    assert it.class_indices == {"a": 0, "b": 1, "c": 2}
    assert it.samples == 9 and it.num_classes == 3 and len(it) == 3
    assert it.filenames == [os.path.join("a", f"img{i}.png") for i in range(4)] + [
        os.path.join("b", "img0.png"), os.path.join("b", "img1.png"),
        os.path.join("b", "nested", "img0.png"), os.path.join("c", "img0.png"),
        os.path.join("c", "img1.png")]
    np.testing.assert_array_equal(it.classes, [0, 0, 0, 0, 1, 1, 1, 2, 2])
    x, y = next(it)
    assert x.shape == (4, 8, 10, 3) and x.dtype == np.float32
    np.testing.assert_array_equal(y, np.eye(3, dtype="float32")[[0, 0, 0, 0]])
    want = img_to_array(load_img(os.path.join(image_folder, it.filenames[1]), target_size=(8, 10)))
    np.testing.assert_array_equal(x[1], want)
    x, y = next(it)
    np.testing.assert_array_equal(y.argmax(1), [1, 1, 1, 2])
    x, y = next(it)
    assert x.shape == (1, 8, 10, 3)


@pytest.mark.parametrize("class_mode, check", [
    ("binary", lambda y, b: y.tolist() == [0.0, 0.0, 0.0, 0.0]),
    ("sparse", lambda y, b: y.dtype == np.float32 and y.shape == (4,)),
    ("input", lambda y, b: np.array_equal(y, b)),
])
def test_class_modes(image_folder, class_mode, check):
    it = ImageDataGenerator().flow_from_directory(image_folder, target_size=(6, 6), batch_size=4,
                                                  class_mode=class_mode, shuffle=False)
    x, y = next(it)
    assert check(y, x)


def test_class_mode_none_and_explicit_classes(image_folder):
    it = ImageDataGenerator().flow_from_directory(image_folder, target_size=(6, 6), batch_size=2,
                                                  class_mode=None, classes=["c", "a"],
                                                  shuffle=False)
    assert it.class_indices == {"c": 0, "a": 1} and it.samples == 6
    assert isinstance(next(it), np.ndarray)


@pytest.mark.parametrize("color_mode, channels", [("grayscale", 1), ("rgb", 3), ("rgba", 4)])
def test_color_modes_and_channels_first(image_folder, color_mode, channels):
    it = ImageDataGenerator(data_format="channels_first").flow_from_directory(
        image_folder, target_size=(5, 7), color_mode=color_mode, batch_size=3)
    assert next(it)[0].shape == (3, channels, 5, 7)


def test_subsets_split_each_class(image_folder):
    gen = ImageDataGenerator(validation_split=0.5)
    val = gen.flow_from_directory(image_folder, target_size=(4, 4), subset="validation")
    train = gen.flow_from_directory(image_folder, target_size=(4, 4), subset="training")
    assert val.filenames == ["a/img0.png", "a/img1.png", "b/img0.png", "c/img0.png"]
    assert sorted(val.filenames + train.filenames) == sorted(
        ImageDataGenerator().flow_from_directory(image_folder).filenames)


def test_seeded_augmented_batches_repeat_and_save(image_folder, tmp_path):
    gen = ImageDataGenerator(rotation_range=30, zoom_range=0.2, horizontal_flip=True)
    save = tmp_path / "saved"
    a = gen.flow_from_directory(image_folder, target_size=(8, 8), batch_size=3, seed=4,
                                save_to_dir=str(save), save_prefix="gen", save_format="png")
    b = gen.flow_from_directory(image_folder, target_size=(8, 8), batch_size=3, seed=4)
    for _ in range(4):
        (ax, ay), (bx, by) = next(a), next(b)
        np.testing.assert_array_equal(ax, bx)
        np.testing.assert_array_equal(ay, by)
    names = os.listdir(save)
    assert len(names) == 12 and all(re.fullmatch(r"gen_\d_\d+\.png", n) for n in names)


def test_matches_keras_directory_iterator(keras_image, image_folder):
    kw = dict(rotation_range=20, width_shift_range=0.1, zoom_range=0.1, horizontal_flip=True,
              validation_split=0.3)
    for subset in ("training", "validation"):
        ours = ImageDataGenerator(**kw).flow_from_directory(
            image_folder, target_size=(9, 7), batch_size=2, seed=3, subset=subset,
            interpolation="bilinear", class_mode="sparse")
        theirs = keras_image.ImageDataGenerator(**kw).flow_from_directory(
            str(image_folder), target_size=(9, 7), batch_size=2, seed=3, subset=subset,
            interpolation="bilinear", class_mode="sparse")
        assert ours.filenames == theirs.filenames
        np.testing.assert_array_equal(ours.classes, theirs.classes)
        for _ in range(3):
            (ox, oy), (tx, ty) = next(ours), next(theirs)
            np.testing.assert_array_equal(oy, ty)
            np.testing.assert_allclose(ox, tx, atol=1e-3)


def test_missing_directory_and_missing_class(tmp_path, image_folder):
    with pytest.raises(DirectoryNotFoundError, match="does not exist") as info:
        ImageDataGenerator().flow_from_directory(tmp_path / "nope")
    assert isinstance(info.value, ValueError) and isinstance(info.value, FileNotFoundError)
    with pytest.raises(ValueError, match="'zebra'"):
        ImageDataGenerator().flow_from_directory(image_folder, classes=["a", "zebra"])
    (tmp_path / "file.png").write_bytes(b"x")
    with pytest.raises(ValueError, match="not a directory"):
        ImageDataGenerator().flow_from_directory(tmp_path / "file.png")


def test_empty_class_warns_and_no_images_errors(tmp_path, image_folder):
    (image_folder / "empty").mkdir()
    with pytest.warns(UserWarning, match="empty.*no image files"):
        it = ImageDataGenerator().flow_from_directory(image_folder)
    assert it.class_indices["empty"] == 3 and it.samples == 9
    empty_root = tmp_path / "nothing"
    (empty_root / "x").mkdir(parents=True)
    with pytest.warns(UserWarning):
        with pytest.raises(ValueError, match="found no images"):
            ImageDataGenerator().flow_from_directory(empty_root)
    with pytest.raises(ValueError, match="found no images"):
        ImageDataGenerator().flow_from_directory(tmp_path / "nothing" / "x")


def test_truncated_or_bogus_file_raises_naming_it_when_loaded(tmp_path, write_images):
    root = tmp_path / "bad"
    write_images(root, {"a": 2})
    good = root / "a" / "img0.png"
    data = good.read_bytes()
    (root / "a" / "truncated.png").write_bytes(data[: len(data) // 2])
    (root / "a" / "zbogus.jpg").write_bytes(b"this is not a jpeg")
    it = ImageDataGenerator().flow_from_directory(root, target_size=(4, 4), batch_size=1,
                                                  shuffle=False)
    assert it.samples == 4  # scanning does not open files
    next(it)
    next(it)
    with pytest.raises(ImageDecodeError, match="truncated.png"):
        next(it)
    with pytest.raises(ValueError, match="zbogus.jpg"):
        next(it)


@pytest.mark.parametrize("kwargs, words", [
    (dict(class_mode="multi"), "class_mode.*'multi'"),
    (dict(color_mode="cmyk"), "color_mode.*'cmyk'"),
    (dict(interpolation="cubic"), "interpolation.*'cubic'"),
    (dict(target_size=(0, 4)), "target_size"),
    (dict(batch_size=0), "batch_size"),
    (dict(subset="test"), "subset"),
])
def test_bad_arguments(image_folder, kwargs, words):
    with pytest.raises(ValueError, match=words):
        ImageDataGenerator().flow_from_directory(image_folder, **kwargs)


def test_threaded_decode_matches_sequential(image_folder):
    it = ImageDataGenerator().flow_from_directory(image_folder, target_size=(7, 9), batch_size=9,
                                                  shuffle=False, interpolation="bicubic")
    x, _ = next(it)
    for i, path in enumerate(it.filepaths):
        np.testing.assert_array_equal(
            x[i], img_to_array(load_img(path, target_size=(7, 9), interpolation="bicubic")))


def test_flow_from_dataframe(tmp_path, write_images):
    pd = pytest.importorskip("pandas")
    root = tmp_path / "df"
    write_images(root, {"imgs": 5})
    df = pd.DataFrame({"filename": [f"imgs/img{i}.png" for i in range(5)] + ["imgs/missing.png"],
                       "class": ["cat", "dog", "cat", "dog", "cat", "dog"],
                       "w": np.arange(6, dtype=float)})
    gen = ImageDataGenerator()
    with pytest.warns(UserWarning, match="1 invalid"):
        it = gen.flow_from_dataframe(df, directory=str(root), target_size=(5, 5), batch_size=5,
                                     shuffle=False, weight_col="w")
    assert it.class_indices == {"cat": 0, "dog": 1} and it.samples == 5
    x, y, w = next(it)
    assert x.shape == (5, 5, 5, 3)
    np.testing.assert_array_equal(y.argmax(1), [0, 1, 0, 1, 0])
    np.testing.assert_array_equal(w, [0, 1, 2, 3, 4])
    raw = gen.flow_from_dataframe(df.iloc[:5], directory=str(root), y_col="w", class_mode="raw",
                                  target_size=(5, 5), batch_size=2, shuffle=False)
    np.testing.assert_array_equal(next(raw)[1], [0.0, 1.0])
    with pytest.raises(TypeError, match="bogus_option"):
        gen.flow_from_dataframe(df, bogus_option=1)
    with pytest.raises(ValueError, match="binary.*3"):
        gen.flow_from_dataframe(df.assign(**{"class": ["a", "b", "c", "a", "b", "c"]}),
                                directory=str(root), class_mode="binary")


def test_load_save_round_trip(tmp_path):
    from layerkit.preprocessing.image import array_to_img, save_img

    x = np.random.default_rng(0).integers(0, 256, (6, 5, 3)).astype("float32")
    path = tmp_path / "roundtrip.png"
    save_img(path, x, scale=False)
    assert os.listdir(tmp_path) == ["roundtrip.png"]  # no temporary left behind
    np.testing.assert_array_equal(img_to_array(load_img(path)), x)
    gray = img_to_array(load_img(path, color_mode="grayscale"))
    assert gray.shape == (6, 5, 1)
    assert img_to_array(load_img(path, color_mode="rgba")).shape == (6, 5, 4)
    assert load_img(path, target_size=(3, 4)).size == (4, 3)
    img = array_to_img(x, scale=True)
    arr = np.asarray(img)
    assert arr.min() == 0 and arr.max() == 255
    chw = img_to_array(load_img(path), data_format="channels_first")
    assert chw.shape == (3, 6, 5)
    with pytest.raises(FileNotFoundError, match="absent.png"):
        load_img(tmp_path / "absent.png")
    with pytest.raises(ValueError, match="array_to_img.*channels"):
        array_to_img(np.zeros((4, 4, 2)))


def test_load_img_matches_keras(keras_oracle, tmp_path, write_images):
    from keras.utils import img_to_array as k_img_to_array
    from keras.utils import load_img as k_load_img

    (path,) = write_images(tmp_path, {"x": 1}, size=(20, 33))
    for kw in (dict(target_size=(9, 9), interpolation="bilinear", keep_aspect_ratio=True),
               dict(target_size=(12, 7), interpolation="lanczos"),
               dict(color_mode="grayscale", target_size=(5, 5))):
        np.testing.assert_array_equal(img_to_array(load_img(path, **kw)),
                                      k_img_to_array(k_load_img(path, **kw)))


def test_smart_resize_crops_the_centre_without_distortion():
    from layerkit.preprocessing.image import smart_resize

    x = np.zeros((20, 40, 1), "float32")
    x[:, 10:30] = 5.0  # the centre square is constant, the sides differ
    out = smart_resize(x, (8, 8), interpolation="nearest")
    assert out.shape == (8, 8, 1)
    np.testing.assert_array_equal(out, 5.0)
    batch = smart_resize(np.stack([x, x]).transpose(0, 3, 1, 2), (4, 6),
                         data_format="channels_first")
    assert batch.shape == (2, 1, 4, 6)

