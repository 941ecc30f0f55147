"""engine/torch/random.py's batch_share: inside, a draw over this process's rows is
the matching slice of the same draw over the global batch (what one process would
draw), and draws that do not follow the batch are left whole."""
import contextlib

import numpy as np
import pytest

import layerkit
from layerkit import random

pytestmark = pytest.mark.skipif(layerkit.backend.backend() != "torch",
                                reason="the torch engine's several-process draws")


def _draws(share=None):
    from layerkit.engine.torch.random import batch_share
    gen = random.SeedGenerator(3)
    x = np.ones((4, 5), "float32") if share else np.ones((8, 5), "float32")
    with batch_share(*share) if share else contextlib.nullcontext():
        return {"dropout": np.asarray(random.dropout(x, 0.5, seed=gen)),
                "normal": np.asarray(random.normal((x.shape[0], 5), seed=gen)),
                "uniform": np.asarray(random.uniform((x.shape[0], 2, 2), seed=gen)),
                "truncated": np.asarray(random.truncated_normal((x.shape[0],), seed=gen)),
                "randint": np.asarray(random.randint((x.shape[0], 3), 0, 9, seed=gen)),
                "shared": np.asarray(random.normal((7,), seed=gen)),
                "one_mask": np.asarray(random.dropout(x, 0.5, noise_shape=(1, 5), seed=gen))}


def test_a_share_is_its_rows_of_the_global_draw():
    whole, first, second = _draws(), _draws((0, 2, 4)), _draws((1, 2, 4))
    for name in ("dropout", "normal", "uniform", "truncated", "randint"):
        np.testing.assert_array_equal(first[name], whole[name][:4], err_msg=name)
        np.testing.assert_array_equal(second[name], whole[name][4:], err_msg=name)
        assert not np.array_equal(first[name], second[name]), name
    # Not batch-shaped, or one mask for every row: the same draw on every process.
    for name in ("shared", "one_mask"):
        np.testing.assert_array_equal(first[name], second[name], err_msg=name)
    np.testing.assert_array_equal(first["shared"], whole["shared"])


def test_shuffle_folds_the_process_into_the_seed():
    from layerkit.engine.torch.random import batch_share
    x = np.arange(40.0).reshape(20, 2)
    orders = []
    for index in (0, 1):
        with batch_share(index, 2, 20):
            orders.append(np.asarray(random.shuffle(x, seed=random.SeedGenerator(3))))
    assert not np.array_equal(orders[0], orders[1])
    assert sorted(orders[0][:, 0].tolist()) == sorted(orders[1][:, 0].tolist())
