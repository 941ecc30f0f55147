"""DataParallel on PyTorch: `torchrun --nproc_per_node=2` (gloo, CPU) trains as one
process does at the same global batch; process 0 alone writes files."""
import numpy as np
import pytest

import torch_launch


@pytest.fixture(scope="module")
def runs(tmp_path_factory, torch_alone_run):
    two = tmp_path_factory.mktemp("torchrun")
    # 256-byte buckets: each Variable's gradient is all-reduced from its own backward
    # hook (the default packs this small model's into one bucket after backward; the
    # BatchNormalization run below takes that path).
    done = torch_launch.run_torchrun(two, BUCKET_BYTES=256)
    assert done.returncode == 0, done.stdout[-1000:] + done.stderr[-3000:]
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


def test_moving_statistics_agree_across_processes(tmp_path_factory):
    """BatchNormalization normalizes with each process's rows (as DDP without
    SyncBatchNorm), but its moving statistics are averaged, so both processes hold
    the same weights; first in the model, its moving mean is the global batch's."""
    torch_launch.skip_unless_torch()
    alone, two = tmp_path_factory.mktemp("bn_alone"), tmp_path_factory.mktemp("bn_two")
    for done in (torch_launch.run_alone(alone, "bn"), torch_launch.run_torchrun(two, "bn")):
        assert done.returncode == 0, done.stdout[-1000:] + done.stderr[-3000:]
    ref = torch_launch.load(alone / "result_rank0.npz")
    ranks = [torch_launch.load(two / f"result_rank{r}.npz") for r in (0, 1)]
    for k in ref:
        if k.startswith("w"):
            np.testing.assert_array_equal(ranks[0][k], ranks[1][k], err_msg=k)
    # Weights: gamma, beta, moving_mean, moving_variance, then the Dense layers.
    np.testing.assert_allclose(ranks[0]["w2"], ref["w2"], rtol=1e-5, atol=1e-6)
    assert not np.allclose(ranks[0]["w3"], ref["w3"], rtol=1e-5)  # within-share variance


def test_processes_shuffle_with_process_zeros_seed(tmp_path_factory):
    """fit draws its shuffling seed from NumPy's global stream, which differs across
    the processes of a program that sets no seed; every process takes process 0's, so
    the shares of each global batch come from one permutation (as one process's run)."""
    torch_launch.skip_unless_torch()
    alone, two = tmp_path_factory.mktemp("unseeded_alone"), tmp_path_factory.mktemp("unseeded")
    for done in (torch_launch.run_alone(alone, "unseeded"),
                 torch_launch.run_torchrun(two, "unseeded")):
        assert done.returncode == 0, done.stdout[-1000:] + done.stderr[-3000:]
    torch_launch.assert_same_run(alone, two)
