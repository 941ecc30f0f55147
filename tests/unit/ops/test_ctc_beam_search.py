"""ctc_decode(strategy="beam_search") against real Keras 3: the decoded paths and
their log-probabilities, on random logits of several sizes."""
import numpy as np
import pytest

from layerkit import engine, ops


def to_np(x):
    return np.asarray(ops.convert_to_numpy(x))


# (batch, steps, classes, beam_width, top_paths, mask_index)
CASES = [(3, 6, 5, 4, 2, 0), (2, 8, 4, 3, 3, None), (4, 5, 7, 10, 1, 2), (2, 1, 4, 3, 2, 0),
         (2, 10, 3, 2, 2, 0), (3, 7, 6, 100, 3, 0), (2, 3, 3, 2, 4, 1)]


@pytest.mark.parametrize("case", CASES, ids=[str(c) for c in CASES])
def test_beam_search_matches_keras(keras_oracle, case):
    batch, steps, classes, width, top, blank = case
    rng = np.random.default_rng(sum(case[:5]))
    x = (rng.normal(size=(batch, steps, classes)) * 2).astype("float32")
    lengths = rng.integers(1, steps + 1, size=batch).astype("int32")
    k_paths, k_scores = keras_oracle.ops.ctc_decode(
        x, lengths, strategy="beam_search", beam_width=width, top_paths=top, mask_index=blank)
    paths, scores = ops.ctc_decode(x, lengths, strategy="beam_search", beam_width=width,
                                   top_paths=top, mask_index=blank)
    assert ops.dtype(paths) == "int32" and ops.dtype(scores) == "float32"
    np.testing.assert_array_equal(to_np(paths), np.asarray(k_paths))
    np.testing.assert_allclose(to_np(scores), np.asarray(k_scores), rtol=1e-5, atol=1e-5)


def test_beam_search_finds_the_sequence_greedy_decoding_misses():
    # Two steps over {blank, a}: blank wins each step (0.6), so greedy decodes "", but
    # "a" has probability 1 - 0.6 ** 2 = 0.64 summed over its three alignments.
    p = np.array([[[0.6, 0.4], [0.6, 0.4]]], "float32")
    paths, scores = ops.ctc_decode(np.log(p), [2], strategy="beam_search", beam_width=4,
                                   top_paths=2)
    np.testing.assert_array_equal(to_np(paths)[:, 0], [[1, -1], [-1, -1]])
    np.testing.assert_allclose(np.exp(to_np(scores)), [[0.64, 0.36]], rtol=1e-5)
    greedy, _ = ops.ctc_decode(np.log(p), [2])
    np.testing.assert_array_equal(to_np(greedy)[0, 0], [-1, -1])


def test_beam_search_runs_under_jit():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 5, 4)).astype("float32")
    lengths = np.array([5, 3], "int32")

    def decode(x, lengths):
        return ops.ctc_decode(x, lengths, strategy="beam_search", beam_width=3, top_paths=2)

    eager = decode(x, lengths)
    compiled = engine.core.jit(decode)(ops.convert_to_tensor(x), ops.convert_to_tensor(lengths))
    np.testing.assert_array_equal(to_np(compiled[0]), to_np(eager[0]))
    np.testing.assert_allclose(to_np(compiled[1]), to_np(eager[1]), rtol=1e-6)
