"""`layerkit.utils`: to_categorical, normalize, Sequence, set_random_seed, Progbar, get_file,
plot_model, model_to_dot."""
from layerkit.utils.data_packing import pack_x_y_sample_weight, unpack_x_y_sample_weight
from layerkit.utils.data_sequence import Sequence
from layerkit.utils.py_dataset import PyDataset
from layerkit.utils.file_utils import get_file
from layerkit.utils.np_utils import normalize, to_categorical
from layerkit.utils.object_registry import (CustomObjectScope, custom_object_scope,
                                            get_custom_objects, get_registered_name,
                                            get_registered_object, register_keras_serializable)
from layerkit.utils.random_seed import set_random_seed


_PREPROCESSING = {
    "load_img": "layerkit.preprocessing.image", "img_to_array": "layerkit.preprocessing.image",
    "array_to_img": "layerkit.preprocessing.image", "save_img": "layerkit.preprocessing.image",
    "image_dataset_from_directory": "layerkit.preprocessing.image",
    "pad_sequences": "layerkit.preprocessing.sequence",
    "timeseries_dataset_from_array": "layerkit.preprocessing.timeseries",
}


def __getattr__(name):
    # Keras 3 exposes these under keras.utils; they load scipy/Pillow, so lazily.
    if name in _PREPROCESSING:
        import importlib
        return getattr(importlib.import_module(_PREPROCESSING[name]), name)
    if name in ("plot_model", "model_to_dot"):
        from layerkit.utils import model_visualization
        return getattr(model_visualization, name)
    if name == "Progbar":
        from layerkit.utils.progbar import Progbar
        return Progbar
    if name in ("np_utils",):
        import importlib
        return importlib.import_module(f"layerkit.utils.{name}")
    raise AttributeError(f"module 'layerkit.utils' has no attribute {name!r}")
