"""What `adapt()` accepts, as one stream of numpy batches: an array or engine tensor
(one batch), a layerkit Dataset (batched by 128 when its elements are rank 1, as
Keras batches an unbatched tf.data.Dataset), a Sequence/PyDataset, or any iterable or
generator of batches. An (x, y) pair contributes its x. Runs on the host."""
import itertools

import numpy as np

from layerkit import engine
from layerkit.utils.data_sequence import Sequence


def _x_part(batch):
    if isinstance(batch, tuple):
        return batch[0]
    if isinstance(batch, dict) and len(batch) == 1:
        return next(iter(batch.values()))
    return batch


def to_numpy(batch, layer_name):
    batch = _x_part(batch)
    if engine.is_tensor(batch) or isinstance(batch, engine.Variable):
        return np.asarray(engine.convert_to_numpy(batch))
    if hasattr(batch, "numpy") and callable(batch.numpy):
        return np.asarray(batch.numpy())
    if isinstance(batch, (np.ndarray, list, tuple, str, bytes, int, float, np.generic)):
        return np.asarray(batch)
    raise TypeError(f"{layer_name}.adapt(): each batch must be an array, a tensor or a list, "
                    f"received {type(batch).__name__}.")


def batches(data, layer_name, steps=None):
    """Yields the numpy batches of `data` (see the module docstring)."""
    if data is None:
        raise ValueError(f"{layer_name}.adapt() needs data, received None.")
    if isinstance(data, (np.ndarray, list, str)) or engine.is_tensor(data):
        yield to_numpy(data, layer_name)
        return
    if isinstance(data, Sequence):
        items = (data[i] for i in range(len(data)))
    elif hasattr(data, "__iter__"):
        items = iter(data)
        first = next(items, None)
        if first is None:
            raise ValueError(f"{layer_name}.adapt() received an empty iterable: it yielded "
                             "no batch.")
        if hasattr(data, "batch") and hasattr(data, "cardinality") and \
                np.ndim(_x_part(first)) <= 1:
            items = iter(data.batch(128))
        else:
            items = itertools.chain([first], items)
    else:
        raise TypeError(f"{layer_name}.adapt() supports numpy arrays, tensors, lists, layerkit "
                        "Datasets, Sequences and iterables of batches; received "
                        f"{type(data).__name__}.")
    for i, batch in enumerate(items):
        if steps is not None and i >= steps:
            break
        yield to_numpy(batch, layer_name)
