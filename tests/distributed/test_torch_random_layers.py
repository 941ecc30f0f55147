"""Random layers under torchrun DataParallel (gloo, CPU): each process draws its own
rows of the noise one process would draw at the same global batch, so the processes'
noise differs, their weights stay identical, and the run equals one process's."""
import numpy as np
import pytest

import torch_launch


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    torch_launch.skip_unless_torch()
    alone, two = tmp_path_factory.mktemp("noise_alone"), tmp_path_factory.mktemp("noise_two")
    for done in (torch_launch.run_alone(alone, "noise"), torch_launch.run_torchrun(two, "noise")):
        assert done.returncode == 0, done.stdout[-1000:] + done.stderr[-3000:]
    return alone, two


def _noise(folder, rank):
    return torch_launch.load(folder / f"noise_rank{rank}.npz")


def test_each_process_draws_other_noise(runs):
    _, two = runs
    ranks = [_noise(two, r) for r in (0, 1)]
    for name in ("noise", "dropout"):
        assert ranks[0][name].shape == ranks[1][name].shape == (12, 8, 8)   # 12 steps
        for step in range(12):
            assert not np.array_equal(ranks[0][name][step], ranks[1][name][step]), (name, step)
    kept = np.concatenate([ranks[0]["dropout"], ranks[1]["dropout"]]).mean()
    assert 0.4 < kept < 0.6


def test_the_noise_is_one_processes_cut_into_shares(runs):
    alone, two = runs
    ref, ranks = _noise(alone, 0), [_noise(two, r) for r in (0, 1)]
    for name in ("noise", "dropout"):
        assert ref[name].shape == (12, 16, 8)
        np.testing.assert_allclose(np.concatenate([ranks[0][name], ranks[1][name]], axis=1),
                                   ref[name], rtol=1e-6, atol=1e-7, err_msg=name)


def test_weights_stay_identical_and_equal_one_process(runs):
    alone, two = runs
    ranks = [torch_launch.load(two / f"result_rank{r}.npz") for r in (0, 1)]
    for k in ranks[0]:
        if k.startswith("w"):
            np.testing.assert_array_equal(ranks[0][k], ranks[1][k], err_msg=k)
    torch_launch.assert_same_run(alone, two)
