"""The CIFAR archives: finding the extracted batches and reading one batch.

Keras 2 and Keras 3 extract the same archive to different places:
Keras 2 keeps `datasets/cifar-10-batches-py.tar.gz` and extracts it to
`datasets/cifar-10-batches-py/`; Keras 3 keeps
`datasets/cifar-10-batches-py-target_archive` and extracts it to
`datasets/cifar-10-batches-py-target/cifar-10-batches-py/`. A copy in either
layout (with the right hash) is used; a new download takes Keras 2's layout.
"""
import os

from layerkit import config
from layerkit.datasets import sources
from layerkit.datasets.safe_pickle import load_pickle
from layerkit.utils.archives import extract_archive
from layerkit.utils.file_utils import cache_folder, validate_file


def batches_folder(name):
    """The folder holding the extracted batches of archive `name` (a SOURCES key)."""
    entry = sources.SOURCES[name]
    keras3 = os.path.join(cache_folder(), f"{name}-target")
    archive = keras3 + "_archive"
    if os.path.isfile(archive) and (entry["file_hash"] is None
                                    or validate_file(archive, entry["file_hash"])):
        folder = os.path.join(keras3, name)
        if not os.path.isdir(folder):
            extract_archive(archive, keras3, "tar")
        return folder
    return sources.fetch(name, untar=True)


def load_batch(fpath, label_key="labels"):
    """One pickled CIFAR batch: (uint8 data of shape (n, 3, 32, 32), list of labels)."""
    with open(fpath, "rb") as f:
        batch = {k.decode("utf8") if isinstance(k, bytes) else k: v
                 for k, v in load_pickle(f).items()}
    data = batch["data"]
    return data.reshape(data.shape[0], 3, 32, 32), batch[label_key]


def to_data_format(x):
    """Batches stay (n, 3, 32, 32) for channels_first, else become (n, 32, 32, 3)."""
    return x.transpose(0, 2, 3, 1) if config.image_data_format() == "channels_last" else x
