"""Reading Keras's dataset files without running code from them.

imdb.npz and reuters.npz hold object arrays (one list of word indices per
review), which numpy stores as pickles, and the CIFAR batches are pickles. A
pickle can name any Python callable; these files only ever need numpy's array
and dtype, so the unpickler here refuses every other name.
"""
import io
import pickle
import zipfile

import numpy as np

__all__ = ["load_pickle", "load_npz"]

_ALLOWED = frozenset({
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
})


class _NumpyOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(
                f"Refusing to load `{module}.{name}` from a dataset file: only numpy arrays "
                "are expected there. The file may be corrupted or malicious.")
        return super().find_class(module, name)


def load_pickle(file, encoding="bytes"):
    """Unpickles an open file, allowing only numpy arrays and dtypes as globals."""
    return _NumpyOnlyUnpickler(file, encoding=encoding).load()


def _read_npy(buffer):
    try:
        return np.lib.format.read_array(buffer, allow_pickle=False)
    except ValueError:  # an object array: a pickle after the header
        buffer.seek(0)
        major, _ = np.lib.format.read_magic(buffer)
        if major == 1:
            np.lib.format.read_array_header_1_0(buffer)
        elif major in (2, 3):
            np.lib.format.read_array_header_2_0(buffer)
        else:
            raise ValueError(f"Unsupported .npy format version {major}.") from None
        return load_pickle(buffer, encoding="latin1")


def load_npz(path):
    """The arrays of an .npz file as a dict (object arrays unpickled safely)."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                arrays[member[:-4]] = _read_npy(io.BytesIO(archive.read(member)))
    return arrays
