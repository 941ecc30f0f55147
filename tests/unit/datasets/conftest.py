"""Small stand-ins for Keras's dataset files, written in the Keras cache layout
under a temporary KERAS_HOME. Every origin points at a missing file:// path, so
no test can reach the network; `put` records the stand-in's hash in the
sources table (as a test only may)."""
import gzip
import hashlib
import io
import os
import pickle
import subprocess
import sys
import tarfile

import numpy as np
import pytest

from layerkit.datasets import sources


class Cache:
    def __init__(self, root, monkeypatch):
        self.root = root
        self.datasets = root / "datasets"
        self.datasets.mkdir(parents=True)
        self._patch = monkeypatch

    def put(self, key, data, fname=None, subdir="datasets"):
        """Writes bytes where Keras keeps `key` and makes the table accept them."""
        path = self.root / subdir / (fname or key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        entry = dict(sources.SOURCES[key], file_hash=hashlib.sha256(data).hexdigest())
        self._patch.setitem(sources.SOURCES, key, entry)
        return path

    def layerkit_run(self, program, cwd):
        """Runs `layerkit run program` in a fresh interpreter that reads this cache,
        with the table accepting the stand-ins as `put` made this one accept them."""
        accepted = {key: sources.SOURCES[key] for key in sources.SOURCES}
        bootstrap = ("import sys\n"
                     "from layerkit.datasets import sources\n"
                     f"sources.SOURCES.update({accepted!r})\n"
                     "from layerkit.cli import main\n"
                     f"sys.exit(main(['run', {str(program)!r}]))\n")
        env = dict(os.environ, KERAS_HOME=str(self.root))
        return subprocess.run([sys.executable, "-c", bootstrap], capture_output=True,
                              text=True, cwd=cwd, env=env, timeout=900)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    root = tmp_path / "keras_home"
    monkeypatch.setenv("KERAS_HOME", str(root))
    for key, entry in list(sources.SOURCES.items()):
        offline = dict(entry, origin=(tmp_path / "offline" / key).as_uri())
        monkeypatch.setitem(sources.SOURCES, key, offline)
    return Cache(root, monkeypatch)


def npz_bytes(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def idx_gz(array):
    """An IDX file (the MNIST format) for a uint8 array, gzipped."""
    header = bytes([0, 0, 8, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


def ragged(rng, count, vocab, lengths=(2, 12)):
    seqs = np.empty(count, dtype=object)
    for i in range(count):
        seqs[i] = [int(w) for w in rng.integers(1, vocab, rng.integers(*lengths))]
    return seqs


def cifar_tar(folder, batches):
    """A tar.gz holding `folder/<name>` for each pickled batch dict."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, batch in batches.items():
            data = pickle.dumps({k.encode(): v for k, v in batch.items()}, protocol=4)
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def cifar_batch(rng, n, **labels):
    batch = {"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8)}
    for key, classes in labels.items():
        batch[key] = [int(v) for v in rng.integers(0, classes, n)]
    return batch


@pytest.fixture
def keras_datasets(keras_oracle):
    """Keras 3's dataset modules (their get_file is patched per test)."""
    import importlib

    return lambda name: importlib.import_module(f"keras.src.datasets.{name}")


def extract_all(tar_bytes, where):
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        tar.extractall(where, filter="data")
    return os.fspath(where)


@pytest.fixture
def files():
    """The stand-in file builders above."""
    import types

    return types.SimpleNamespace(npz_bytes=npz_bytes, idx_gz=idx_gz, ragged=ragged,
                                 cifar_tar=cifar_tar, cifar_batch=cifar_batch,
                                 extract_all=extract_all)
