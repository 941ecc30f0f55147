"""image_dataset_from_directory: a layerkit Dataset of image batches."""
import os

import numpy as np
import pytest

from layerkit.preprocessing.image import image_dataset_from_directory, img_to_array, load_img


def test_batches_labels_and_attributes(image_folder):
    ds = image_dataset_from_directory(image_folder, image_size=(6, 8), batch_size=4,
                                      shuffle=False, verbose=False)
    assert ds.class_names == ["a", "b", "c"]
    assert len(ds.file_paths) == 9
    batches = list(ds)
    assert [len(b[0]) for b in batches] == [4, 4, 1]
    x = np.concatenate([b[0] for b in batches])
    y = np.concatenate([b[1] for b in batches])
    assert x.shape == (9, 6, 8, 3) and x.dtype == np.float32 and y.dtype == np.int32
    np.testing.assert_array_equal(y, [0, 0, 0, 0, 1, 1, 1, 2, 2])
    first = img_to_array(load_img(ds.file_paths[0], target_size=(6, 8),
                                  interpolation="bilinear"))
    np.testing.assert_array_equal(x[0], first)


def test_label_modes_and_split(image_folder):
    cat = image_dataset_from_directory(image_folder, label_mode="categorical", image_size=(4, 4),
                                       batch_size=None, shuffle=False, verbose=False)
    ys = np.stack([y for _, y in cat])
    assert ys.dtype == np.float32 and ys.shape == (9, 3)
    train, val = image_dataset_from_directory(image_folder, image_size=(4, 4), batch_size=2,
                                              validation_split=0.34, subset="both", seed=1,
                                              verbose=False)
    assert len(train.file_paths) == 6 and len(val.file_paths) == 3
    assert not set(train.file_paths) & set(val.file_paths)
    only = image_dataset_from_directory(image_folder, labels=None, image_size=(4, 4),
                                        color_mode="grayscale", batch_size=9, verbose=False)
    (batch,) = list(only)
    assert batch.shape == (9, 4, 4, 1)


@pytest.mark.parametrize("kwargs, words", [
    (dict(label_mode="sparse"), "label_mode"),
    (dict(color_mode="cmyk"), "color_mode"),
    (dict(image_size=(4,)), "image_size"),
    (dict(validation_split=0.2), "subset"),
    (dict(validation_split=0.2, subset="training"), "seed"),
    (dict(label_mode="binary"), "2 classes"),
    (dict(interpolation="cubic"), "interpolation"),
])
def test_bad_arguments(image_folder, kwargs, words):
    with pytest.raises(ValueError, match=words):
        image_dataset_from_directory(image_folder, verbose=False, **kwargs)


def test_missing_directory(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        image_dataset_from_directory(os.path.join(tmp_path, "none"))
