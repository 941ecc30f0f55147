"""DataParallel on PyTorch: `torchrun --nproc_per_node=2` (gloo, CPU) trains as one
process does at the same global batch; process 0 alone writes files."""
import numpy as np
import pytest

import torch_launch


@pytest.fixture(scope="module")
def runs(tmp_path_factory, torch_alone_run):
    two = tmp_path_factory.mktemp("torchrun")
    done = torch_launch.run_torchrun(two)
    assert done.returncode == 0, done.stderr[-3000:]
    return torch_alone_run, two


def test_two_processes_train_as_one(runs):
    torch_launch.assert_same_run(*runs)


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
    final = torch_launch.load(two / "result_rank0.npz")
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, final[f"w{i}"], rtol=1e-6)
