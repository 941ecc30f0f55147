"""Hashing, StringLookup, IntegerLookup and TextVectorization against real Keras 3's
numbers. Keras runs these layers on TensorFlow, absent from the test environment, so
its outputs were recorded by make_keras_string_fixtures.py (Keras 3.15.1 +
TensorFlow) into keras_string_fixtures.json; each case is rerun here on the current
engine: output, vocabulary and config."""
import json
import pathlib

import numpy as np
import pytest

from layerkit import engine, layers

FIXTURES = json.loads((pathlib.Path(__file__).parent / "keras_string_fixtures.json")
                      .read_text(encoding="utf-8"))
CASES = FIXTURES["cases"]


def _kwargs(case):
    kwargs = dict(case["kwargs"])
    if isinstance(kwargs.get("ngrams"), list):
        kwargs["ngrams"] = tuple(kwargs["ngrams"])   # JSON has no tuples
    return kwargs


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c['layer']}" for i, c in enumerate(CASES)])
def test_matches_keras(case):
    layer = getattr(layers, case["layer"])(**_kwargs(case))
    if case["adapt"] is not None:
        layer.adapt(np.array(case["adapt"]))
    out = layer(np.array(case["inputs"]))
    got = out if isinstance(out, np.ndarray) else np.asarray(engine.convert_to_numpy(out))
    want = np.array(case["output"])
    assert got.shape == want.shape
    if want.dtype.kind in "fc":
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    else:
        assert got.tolist() == want.tolist()
    if "vocabulary" in case:
        assert layer.get_vocabulary() == case["vocabulary"]
    config = layer.get_config()
    for key, value in case["config"].items():
        assert key in config, f"config key {key!r} missing"
        ours = config[key]
        if isinstance(ours, tuple):
            ours = list(ours)
        assert ours == value or (isinstance(value, float) and np.isclose(ours, value)), \
            f"config[{key!r}]: layerkit {config[key]!r}, Keras {value!r}"
