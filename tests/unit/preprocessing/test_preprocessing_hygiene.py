"""Engine neutrality and the Keras 2 import paths of layerkit.preprocessing
(the import cost is checked in test_preprocessing_examples.py)."""
import os
import re

PACKAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))), "layerkit", "preprocessing")


def test_no_engine_imports():
    for name in os.listdir(PACKAGE):
        if name.endswith(".py"):
            with open(os.path.join(PACKAGE, name), encoding="utf-8") as f:
                text = f.read()
            assert not re.search(r"^\s*(import|from)\s+(jax|torch)\b", text, re.M), name


def test_keras_2_import_paths_resolve():
    from layerkit.preprocessing import image, sequence

    for name in ("ImageDataGenerator", "NumpyArrayIterator", "DirectoryIterator",
                 "DataFrameIterator", "Iterator", "load_img", "img_to_array", "array_to_img",
                 "save_img", "apply_affine_transform", "image_dataset_from_directory",
                 "random_rotation", "random_shift", "random_shear", "random_zoom",
                 "apply_channel_shift", "apply_brightness_shift", "smart_resize"):
        assert callable(getattr(image, name)), name
    assert callable(sequence.pad_sequences) and callable(sequence.TimeseriesGenerator)
    import layerkit.preprocessing as preprocessing

    assert preprocessing.image_dataset_from_directory is image.image_dataset_from_directory
    assert callable(preprocessing.timeseries_dataset_from_array)
