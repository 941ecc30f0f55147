"""Writes keras_string_fixtures.json: real Keras 3's outputs for its TensorFlow-backed
preprocessing layers (Hashing, StringLookup, IntegerLookup, TextVectorization).

Those layers need TensorFlow, which the project's test environment does not have, so
their reference numbers are recorded once by this script and compared by
test_keras_string_fixtures.py on both engines. Run it with a Python that has
keras==3.15.1 and tensorflow (a throwaway venv; not a project dependency):

    python -m venv /tmp/kerastf && /tmp/kerastf/bin/pip install keras==3.15.1 tensorflow-cpu
    /tmp/kerastf/bin/python tests/unit/layers/preprocessing/make_keras_string_fixtures.py

Each case is (layer class, constructor kwargs, adapt data or None, inputs); the file
keeps the case with Keras's output, vocabulary and config.
"""
import json
import os

import numpy as np

TEXTS = ["The cat sat on the mat.", "A dog ran, the dog barked!", "the CAT ran",
         "Dogs and cats -- and mice?", "Ünïcode ÄND ascii", "", "a  b\tc\nd"]
WORDS = [["a", "b", "c", "a"], ["d", "a", "zz", ""], ["b", "b", "q", "e"]]
LONG = ["x" * n + "y" for n in (0, 5, 16, 20, 40, 70, 130)]

CASES = [
    ("Hashing", {"num_bins": 3}, None, [["A"], ["B"], ["C"], ["D"], ["E"]]),
    ("Hashing", {"num_bins": 7}, None, [[s] for s in LONG]),
    ("Hashing", {"num_bins": 5, "salt": 133}, None, [[s] for s in LONG]),
    ("Hashing", {"num_bins": 5, "salt": [7, 99]}, None, [[s] for s in LONG + ["A", "b"]]),
    ("Hashing", {"num_bins": 4, "mask_value": ""}, None, [["a", ""], ["bb", "c"]]),
    ("Hashing", {"num_bins": 11}, None, [[1, 22, 333], [-4, 0, 123456789]]),
    ("Hashing", {"num_bins": 6, "output_mode": "multi_hot"}, None, WORDS),
    ("Hashing", {"num_bins": 6, "output_mode": "count"}, None, WORDS),
    ("StringLookup", {}, WORDS, WORDS),
    ("StringLookup", {"max_tokens": 4, "mask_token": ""}, WORDS, WORDS),
    ("StringLookup", {"num_oov_indices": 3}, [["a", "b"]], [["a", "zz", "q", "long" * 20]]),
    ("StringLookup", {"vocabulary": ["a", "b", "c"], "output_mode": "multi_hot"}, None, WORDS),
    ("StringLookup", {"vocabulary": ["a", "b", "c"], "output_mode": "count",
                      "pad_to_max_tokens": True, "max_tokens": 6}, None, WORDS),
    ("StringLookup", {"output_mode": "tf_idf"}, WORDS, WORDS),
    ("StringLookup", {"vocabulary": ["a", "b", "c"], "idf_weights": [0.5, 1.0, 2.0],
                      "output_mode": "tf_idf"}, None, WORDS),
    ("StringLookup", {"vocabulary": ["a", "b", "c"], "invert": True}, None, [[0, 1, 2, 3]]),
    ("IntegerLookup", {}, [[5, 5, 7, 9, 9, 9, 2]], [[9, 5, 1, 2]]),
    ("IntegerLookup", {"num_oov_indices": 2, "mask_token": 0}, [[5, 5, 7, 9]],
     [[9, 0, 4, 3, -7]]),
    ("IntegerLookup", {"num_oov_indices": 3, "oov_method": "farmhash"}, [[5, 6]],
     [[5, 11, 12, 13, 14]]),
    ("IntegerLookup", {"vocabulary": [12, 36, 1138, 42], "output_mode": "one_hot"}, None,
     [[12], [1000], [42]]),
    ("IntegerLookup", {"vocabulary": [12, 36, 1138], "invert": True}, None, [[1, 3, 0]]),
    ("TextVectorization", {"output_sequence_length": 6}, TEXTS, TEXTS),
    ("TextVectorization", {"max_tokens": 6}, TEXTS, TEXTS),
    ("TextVectorization", {"standardize": "lower", "split": "character",
                           "output_sequence_length": 8}, TEXTS, TEXTS),
    ("TextVectorization", {"standardize": None, "ngrams": 2, "output_mode": "multi_hot"},
     TEXTS, TEXTS),
    ("TextVectorization", {"ngrams": (1, 3), "output_mode": "count"}, TEXTS, TEXTS),
    ("TextVectorization", {"output_mode": "tf_idf", "max_tokens": 9, "pad_to_max_tokens": True},
     TEXTS, TEXTS),
    ("TextVectorization", {"vocabulary": ["the", "cat", "dog"], "output_sequence_length": 4},
     None, TEXTS),
]


def _plain(x):
    x = np.asarray(x)
    if x.dtype.kind in "SO":
        return [[v.decode() if isinstance(v, bytes) else v for v in row] for row in x.tolist()] \
            if x.ndim == 2 else [v.decode() if isinstance(v, bytes) else v for v in x.tolist()]
    return x.tolist()


def _config(layer):
    config = layer.get_config()
    config.pop("dtype", None)
    config.pop("name", None)
    return json.loads(json.dumps(config, default=lambda o: np.asarray(o).tolist()))


def main():
    import keras
    out = []
    for name, kwargs, adapt, inputs in CASES:
        layer = getattr(keras.layers, name)(**kwargs)
        if adapt is not None:
            layer.adapt(np.array(adapt))
        result = layer(np.array(inputs))
        record = {"layer": name, "kwargs": kwargs, "adapt": adapt, "inputs": inputs,
                  "output": _plain(result), "config": _config(layer)}
        if hasattr(layer, "get_vocabulary"):
            record["vocabulary"] = [v.decode() if isinstance(v, bytes) else v
                                    for v in layer.get_vocabulary()]
        out.append(record)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras_string_fixtures.json")
    with open(path, "w") as f:
        json.dump({"keras": keras.__version__, "cases": out}, f, indent=1, ensure_ascii=False,
                  default=lambda o: np.asarray(o).tolist())
    print(f"wrote {len(out)} cases to {path}")


if __name__ == "__main__":
    main()
