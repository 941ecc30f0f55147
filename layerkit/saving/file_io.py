"""Writing model files atomically and opening them with clear errors.

A file is written to a temporary name in the same folder and renamed over the
target (os.replace, atomic on POSIX and Windows), so a crash or a kill during
saving leaves the previous file whole. Reading checks the file's kind first (a zip
for .keras, an HDF5 signature for .h5) so a truncated or foreign file gives an
error naming the path, never an h5py/zipfile traceback from deep inside.
"""
import contextlib
import os
import tempfile
import zipfile

from layerkit import engine

_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


class ModelFileError(ValueError):
    """A model or weights file that cannot be read: truncated, corrupted or foreign."""


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path, overwrite=True):
    """Yields a temporary path beside `path`; renamed to `path` if the block succeeds."""
    path = os.fspath(path)
    chief = engine.distribution.process_id() == 0
    if not overwrite and os.path.exists(path) and chief:
        raise FileExistsError(f"{path} exists and overwrite=False.")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=folder)
    os.close(fd)
    try:
        yield tmp
        if not chief:
            # Several processes: every one builds the file (the same bytes), only
            # process 0 puts it in place.
            return
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        # mkstemp makes the file private (0600); a saved model gets the mode any new
        # file gets here (0666 less the umask), as an `open(path, "w")` would.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def file_kind(path):
    """'zip', 'h5' or None, from the file's first bytes."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No file or directory found at {path}.")
    if os.path.isdir(path):
        raise ModelFileError(f"{path} is a folder (a TensorFlow SavedModel?); layerkit reads "
                             ".keras, .h5/.hdf5 and .weights.h5 files.")
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"PK"):
        return "zip"
    if head == _HDF5_SIGNATURE:
        return "h5"
    return None


def open_h5(path, mode="r"):
    """An h5py File, or a ModelFileError naming the path when it cannot be read."""
    import h5py
    if mode == "r" and file_kind(path) != "h5":
        raise ModelFileError(f"{path} is not an HDF5 file (it does not start with the HDF5 "
                             "signature): it is corrupted, truncated or of another kind.")
    try:
        return h5py.File(path, mode)
    except OSError as e:
        raise ModelFileError(f"Cannot read the HDF5 file {path}: it is truncated or "
                             f"corrupted ({e}).") from e


def open_zip(path):
    """A ZipFile that has passed its CRC test, or a ModelFileError naming the path."""
    if file_kind(path) != "zip":
        raise ModelFileError(f"{path} is not a .keras file (not a zip archive): it is "
                             "corrupted, truncated or of another kind.")
    try:
        archive = zipfile.ZipFile(path)
        bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise ModelFileError(f"Cannot read the .keras file {path}: it is truncated or "
                             f"corrupted ({e}).") from e
    if bad is not None:
        archive.close()
        raise ModelFileError(f"Cannot read the .keras file {path}: member {bad!r} is "
                             "corrupted (CRC check failed).")
    return archive
