"""`layerkit.utils`: to_categorical, normalize, Sequence, set_random_seed, Progbar."""
from layerkit.utils.data_sequence import Sequence
from layerkit.utils.np_utils import normalize, to_categorical
from layerkit.utils.random_seed import set_random_seed


def __getattr__(name):
    if name == "Progbar":
        from layerkit.utils.progbar import Progbar
        return Progbar
    if name in ("np_utils",):
        import importlib
        return importlib.import_module(f"layerkit.utils.{name}")
    raise AttributeError(f"module 'layerkit.utils' has no attribute {name!r}")
