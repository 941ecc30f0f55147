"""Each process's share of a PyDataset's and a layerkit Dataset's global batches, on
both engines (two jax.distributed processes with two CPU devices each; torchrun
with two gloo processes): the weights after fit equal one process's at the same
global batch, and an unseeded Dataset.shuffle is read alike by both processes, so
their shares split each global batch."""
import numpy as np
import pytest

from layerkit import config
from distributed_helpers import WORKER, finish, free_port, jax_env, start


def _jax_runs(tmp_path):
    code, _, err = finish(start(WORKER, ["data_one", tmp_path / "one"], jax_env(1)), 120)
    assert code == 0, err[-3000:]
    port = free_port()
    procs = [start(WORKER, ["data", tmp_path / f"p{i}", i, 2, port], jax_env(2))
             for i in range(2)]
    for code, _, err in [finish(p, 120) for p in procs]:
        assert code == 0, err[-3000:]
    load = lambda folder: dict(np.load(folder / "result.npz"))  # noqa: E731
    return load(tmp_path / "one"), [load(tmp_path / f"p{i}") for i in range(2)]


def _torch_runs(tmp_path):
    import torch_launch
    alone, two = tmp_path / "alone", tmp_path / "two"
    alone.mkdir(), two.mkdir()
    for done in (torch_launch.run_alone(alone, "data"), torch_launch.run_torchrun(two, "data")):
        assert done.returncode == 0, done.stdout[-1000:] + done.stderr[-3000:]
    return (torch_launch.load(alone / "data_rank0.npz"),
            [torch_launch.load(two / f"data_rank{r}.npz") for r in (0, 1)])


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data_kinds")
    return _jax_runs(folder) if config.backend() == "jax" else _torch_runs(folder)


@pytest.mark.parametrize("kind", ["sequence", "dataset"])
def test_two_processes_fit_as_one(runs, kind):
    one, several = runs
    keys = sorted(k for k in one if k.startswith(f"{kind}_w"))
    assert len(keys) == 4
    for process, result in enumerate(several):
        for k in keys:
            np.testing.assert_allclose(result[k], one[k], rtol=1e-5, atol=1e-6,
                                       err_msg=f"process {process}: {k}")


def test_an_unseeded_shuffle_is_split_not_repeated(runs):
    _, several = runs
    shares = [r["shares"] for r in several]        # (epochs, batches, rows per process)
    assert shares[0].shape == shares[1].shape and shares[0].shape[0] == 2
    for epoch in range(2):
        both = np.concatenate([shares[0][epoch], shares[1][epoch]], axis=1)
        assert sorted(both.reshape(-1).tolist()) == list(range(both.size)), both
    assert not np.array_equal(shares[0][0], shares[0][1])   # reshuffled each epoch
