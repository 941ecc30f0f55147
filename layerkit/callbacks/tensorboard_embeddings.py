"""The TensorBoard callback's embeddings: each Embedding layer's matrix as a TSV file
and a `projector_config.pbtxt` naming them, for TensorBoard's projector.

Keras 3 points the projector at a TensorFlow checkpoint and saves a `.weights.h5`
file the projector cannot read; the projector also reads a tensor from a TSV file
(`tensor_path`), which needs nothing but numpy. Both files go into `log_dir/train`,
the run whose folder the projector searches for its config.
"""
import json
import os

import numpy as np

from layerkit.layers import Embedding

__all__ = ["embedding_layers", "write_projector_config", "write_embeddings"]


def embedding_layers(callback, model):
    """The Embedding layers to write: all, or those `embeddings_layer_names` lists."""
    layers = [l for l in model.layers if isinstance(l, Embedding)]
    names = callback.embeddings_layer_names
    if names is None:
        return layers
    names = [names] if isinstance(names, str) else list(names)
    unknown = sorted(set(names) - {l.name for l in layers})
    if unknown:
        raise ValueError(f"TensorBoard: `embeddings_layer_names` {unknown} are not Embedding "
                         f"layers of the model; its Embedding layers are "
                         f"{[l.name for l in layers]}.")
    return [l for l in layers if l.name in names]


def _tensor_file(layer):
    return f"{layer.name}_embeddings.tsv"


def write_projector_config(callback, model):
    layers = embedding_layers(callback, model)
    metadata = callback.embeddings_metadata
    if isinstance(metadata, dict):
        unknown = sorted(set(metadata) - {l.name for l in layers})
        if unknown:
            raise ValueError("Unrecognized `Embedding` layer names passed to "
                             f"`TensorBoard`'s `embeddings_metadata` argument: {unknown}.")
    entries = []
    for layer in layers:
        lines = [f"  tensor_name: {json.dumps(layer.name)}",
                 f"  tensor_path: {json.dumps(_tensor_file(layer))}"]
        lines += [f"  tensor_shape: {int(d)}" for d in layer.embeddings.shape]
        path = metadata if isinstance(metadata, str) else (metadata or {}).get(layer.name)
        if path is not None:
            lines.append(f"  metadata_path: {json.dumps(os.fspath(path))}")
        entries.append("embeddings {\n" + "\n".join(lines) + "\n}\n")
    folder = os.path.join(callback.log_dir, "train")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "projector_config.pbtxt"), "w") as f:
        f.write("".join(entries))


def write_embeddings(callback, model):
    folder = os.path.join(callback.log_dir, "train")
    os.makedirs(folder, exist_ok=True)
    for layer in embedding_layers(callback, model):
        matrix = np.asarray(layer.embeddings.numpy(), dtype=np.float64)
        path = os.path.join(folder, _tensor_file(layer))
        np.savetxt(path + ".tmp", matrix, delimiter="\t", fmt="%.8g")
        os.replace(path + ".tmp", path)
