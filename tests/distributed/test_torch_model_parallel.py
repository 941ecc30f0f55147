"""ModelParallel on PyTorch (torchrun, gloo, CPU): a LayoutMap splits Dense kernels
as DTensors over the mesh's "model" axis while its "batch" axis splits the batch;
every mesh shape trains as one process at the same global batch."""
import pytest

import torch_launch


@pytest.fixture(scope="module")
def runs(tmp_path_factory, torch_alone_run):
    two = tmp_path_factory.mktemp("model")
    done = torch_launch.run_torchrun(two, "model")
    assert done.returncode == 0, done.stdout[-1000:] + done.stderr[-3000:]
    return torch_alone_run, two


SHARDED = ["sequential/d1/kernel", "sequential/d1/bias", "sequential/d2/kernel",
           # Adam's slots follow their Variable
           "adam/sequential_d1_kernel_momentum", "adam/sequential_d1_kernel_velocity",
           "adam/sequential_d1_bias_momentum", "adam/sequential_d1_bias_velocity",
           "adam/sequential_d2_kernel_momentum", "adam/sequential_d2_kernel_velocity"]


def test_sharded_variables_train_as_one_process(runs):
    torch_launch.assert_same_run(*runs)
    sharded = torch_launch.load(runs[1] / "result_rank0.npz")["sharded"].tolist()
    assert sorted(sharded) == sorted(SHARDED)
    for rank in (0, 1):   # a batch axis of size 1: both processes feed every row
        rows = torch_launch.load(runs[1] / f"result_rank{rank}.npz")["rows"]
        assert rows.tolist() == list(range(16))


def test_the_sharded_model_saves_a_whole_checkpoint(runs):
    import layerkit as keras
    _, two = runs
    assert not (two / "ckpt_rank1.keras").exists()
    model = keras.models.load_model(two / "ckpt_rank0.keras")
    final = torch_launch.load(two / "result_rank0.npz")
    assert [w.shape for w in model.get_weights()] == \
        [final[f"w{i}"].shape for i in range(len(model.get_weights()))]


@pytest.mark.parametrize("mode, processes", [("model_batch", 2), ("model_grid", 4)])
def test_the_batch_axis_splits_the_batch(tmp_path, torch_alone_run, mode, processes):
    """2 x 1: each process computes on its half of every global batch and the
    gradients, metrics and predictions are combined along "batch"; 2 x 2: as well,
    with the kernels split along "model" inside each pair."""
    done = torch_launch.run_torchrun(tmp_path, mode, nproc=processes)
    assert done.returncode == 0, done.stdout[-1000:] + done.stderr[-3000:]
    torch_launch.assert_same_run(torch_alone_run, tmp_path, ranks=range(processes))
    # Ranks in row-major mesh order: the first row of the mesh feeds rows 0-7.
    per_row = processes // 2
    for rank in range(processes):
        rows = torch_launch.load(tmp_path / f"result_rank{rank}.npz")["rows"]
        half = rank // per_row
        assert rows.tolist() == list(range(8 * half, 8 * half + 8)), (rank, rows)
