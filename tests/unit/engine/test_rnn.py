"""The engines' recurrent loop (`engine.rnn`) and its masking (engine/common/
rnn_masking.py), checked against a plain numpy loop."""
import numpy as np
import pytest

from layerkit import engine, ops


def step(x_t, states):
    # A leaky running sum: the output is the new state.
    new = 0.5 * states[0] + x_t
    return new, [new]


def numpy_rnn(x, h0, mask, go_backwards):
    order = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    # Keras 3: a masked step shows the previous output, read from the first state
    # (the initial state before any unmasked step).
    h, out, outs = h0.copy(), h0.copy(), []
    for t in order:
        new = 0.5 * h + x[:, t]
        keep = np.ones((x.shape[0], 1), bool) if mask is None else mask[:, t][:, None]
        out = np.where(keep, new, out)
        h = np.where(keep, new, h)
        outs.append(out)
    return out, np.stack(outs, 1), h


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_rnn_matches_a_numpy_loop(go_backwards, masked):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 6, 4)).astype("float32")
    h0 = rng.normal(size=(3, 4)).astype("float32")
    mask = None
    if masked:
        mask = np.ones((3, 6), bool)
        mask[0, :2] = False   # leading masked steps: the output is the initial state
        mask[1, 3:] = False   # trailing padding: the last output and state freeze
        mask[2, 2] = False
    last, outs, states = engine.rnn(
        step, ops.convert_to_tensor(x), [ops.convert_to_tensor(h0)],
        go_backwards=go_backwards,
        mask=None if mask is None else ops.convert_to_tensor(mask))
    want_last, want_outs, want_h = numpy_rnn(x, h0, mask, go_backwards)
    np.testing.assert_allclose(ops.convert_to_numpy(last), want_last, rtol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(outs), want_outs, rtol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(states[0]), want_h, rtol=1e-6)
    if masked and not go_backwards:
        np.testing.assert_array_equal(ops.convert_to_numpy(outs)[0, :2], h0[[0, 0]])
        assert np.all(ops.convert_to_numpy(outs)[1, 3:] == ops.convert_to_numpy(outs)[1, 2])
