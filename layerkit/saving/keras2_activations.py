"""What an activation's name means in a Keras 2 file.

Keras 2 and Keras 3 define `hard_sigmoid` differently: Keras 2 clip(0.2 x + 0.5, 0,
1), Keras 3 relu6(x + 3) / 6 (up to 0.083 apart, near x = ±2.5). A file keeps the
meaning of the Keras that wrote it, so a layer config of a Keras 2 file (an .h5 whose
keras_version is 2.x, or a tf_keras .keras file) reads "hard_sigmoid" as
`keras2_hard_sigmoid` (layerkit/activations.py); Keras 3 and layerkit .keras files
keep Keras 3's.

layerkit's own .h5 files are Keras 2's format (keras_version 2.15.0), so writing one
follows the same rule backwards: `keras2_hard_sigmoid` is written "hard_sigmoid",
which Keras 2 computes the same; Keras 3's hard_sigmoid is written in Keras 3's
function form {"class_name": "function", "config": "hard_sigmoid", ...}, which Keras
2 never writes (its activations are plain names), so layerkit and Keras 3 read it as
Keras 3's function (Keras 2 has no such function and says so). Only the plain string
is translated when reading.
"""
_KERAS2_NAME = "hard_sigmoid"
_LAYERKIT_NAME = "keras2_hard_sigmoid"
_KERAS3_FORM = {"module": "keras.activations", "class_name": "function",
                "config": "hard_sigmoid", "registered_name": None}


def is_keras2_version(version):
    """Whether a file's keras_version string names Keras 1 or 2 (None: no version, as
    in the oldest Keras files)."""
    return version is None or str(version).split(".")[0] in ("1", "2")


def from_keras2(config):
    """A Keras 2 file's config with its "hard_sigmoid" activations as Keras 2's."""
    return _translate(config, {_KERAS2_NAME: _LAYERKIT_NAME})


def to_keras2(config):
    """A config for a Keras 2 format file: each hard_sigmoid in the spelling that keeps
    its meaning there."""
    return _translate(config, {_LAYERKIT_NAME: _KERAS2_NAME, _KERAS2_NAME: _KERAS3_FORM})


def _translate(value, names):
    if isinstance(value, list):
        return [_translate(v, names) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        if _is_activation(k) and isinstance(v, str) and v in names:
            new = names[v]
            out[k] = dict(new) if isinstance(new, dict) else new
        else:
            out[k] = _translate(v, names)
    return out


def _is_activation(key):
    # `activation`, `recurrent_activation` (LSTM, GRU, ConvLSTM and their cells).
    return isinstance(key, str) and key.endswith("activation")
