"""Every call of keras_cases.CASES gives real Keras 3's numbers (JAX backend) and
dtypes on this engine: the same lambda runs once with layerkit.ops and once with
keras.ops on the same numpy inputs (float, int, uint8, bool and NaN-holding)."""
import pathlib
import sys

import numpy as np
import pytest

from layerkit import ops

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from keras_cases import CASES  # noqa: E402


def _leaves(x):
    if isinstance(x, (list, tuple)):
        out = []
        for item in x:
            out.extend(_leaves(item))
        return out
    return [x]


@pytest.mark.parametrize("call", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_matches_keras(keras_oracle, call):
    expected = call(keras_oracle.ops)
    ours = call(ops)
    expected_leaves, our_leaves = _leaves(expected), _leaves(ours)
    assert len(our_leaves) == len(expected_leaves)
    for e, o in zip(expected_leaves, our_leaves):
        want = np.asarray(e)
        got = np.asarray(ops.convert_to_numpy(o))
        assert ops.dtype(o) == keras_oracle.backend.standardize_dtype(e.dtype)
        assert got.shape == want.shape
        if want.dtype.kind in "biu":
            np.testing.assert_array_equal(got, want)
        else:
            scale = max(1.0, float(np.nanmax(np.abs(want)))) if want.size else 1.0
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * scale,
                                       equal_nan=True)
