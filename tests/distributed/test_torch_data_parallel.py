"""DataParallel on PyTorch: `torchrun --nproc_per_node=2` (gloo, CPU) trains as one
process does at the same global batch."""
import json

import numpy as np
import pytest

import torch_launch


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    torch_launch.skip_unless_torch()
    alone, two = tmp_path_factory.mktemp("alone"), tmp_path_factory.mktemp("torchrun")
    done = torch_launch.run_alone(alone)
    assert done.returncode == 0, done.stderr[-3000:]
    done = torch_launch.run_torchrun(two)
    assert done.returncode == 0, done.stderr[-3000:]
    return alone, two


def _load(path):
    with np.load(path) as f:
        return {k: f[k] for k in f.files}


def test_two_processes_train_as_one(runs):
    alone, two = runs
    ref = _load(alone / "result_rank0.npz")
    for rank in (0, 1):
        got = _load(two / f"result_rank{rank}.npz")
        weights = sorted(k for k in ref if k.startswith("w"))
        assert weights
        for k in weights:
            np.testing.assert_allclose(got[k], ref[k], rtol=1e-5, atol=1e-6, err_msg=k)
        for key in ("history", "evaluated"):
            want, have = json.loads(str(ref[key])), json.loads(str(got[key]))
            assert sorted(have) == sorted(want)
            for name in want:
                np.testing.assert_allclose(have[name], want[name], rtol=1e-5, err_msg=name)
        # Every process receives the predictions of all rows.
        assert got["predicted"].shape == ref["predicted"].shape == (32, 3)
        np.testing.assert_allclose(got["predicted"], ref["predicted"], rtol=1e-5, atol=1e-6)


def test_only_process_zero_writes_the_checkpoint_and_log(runs):
    _, two = runs
    assert (two / "ckpt_rank0.keras").exists()
    assert (two / "log_rank0.csv").exists()
    assert not (two / "ckpt_rank1.keras").exists()
    assert not (two / "log_rank1.csv").exists()


def test_the_checkpoint_loads_on_one_process(runs):
    _, two = runs
    import layerkit as keras
    model = keras.models.load_model(two / "ckpt_rank0.keras")
    final = _load(two / "result_rank0.npz")
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, final[f"w{i}"], rtol=1e-6)
