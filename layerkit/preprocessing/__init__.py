"""`keras.preprocessing`: image augmentation (`image`), sequence padding
(`sequence`), word tokenizing (`text`) and time-series windows (`timeseries`)."""

from layerkit.preprocessing import image as image
from layerkit.preprocessing import sequence as sequence
from layerkit.preprocessing import text as text

_LAZY = {
    "timeseries": ("layerkit.preprocessing.timeseries", None),
    "image_dataset_from_directory": ("layerkit.preprocessing.image_dataset",
                                     "image_dataset_from_directory"),
    "timeseries_dataset_from_array": ("layerkit.preprocessing.timeseries",
                                      "timeseries_dataset_from_array"),
}


def __getattr__(name):
    # these need layerkit.data: import it only when they are asked for
    if name in _LAZY:
        import importlib

        module_name, attr = _LAZY[name]
        module = importlib.import_module(module_name)
        return module if attr is None else getattr(module, attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))
