"""ModelParallel on PyTorch: a LayoutMap splits Dense kernels over a 1 x 2 mesh as
DTensors (torchrun, gloo, CPU); the run matches one process at the same batch."""
import pytest

import torch_launch


@pytest.fixture(scope="module")
def runs(tmp_path_factory, torch_alone_run):
    two = tmp_path_factory.mktemp("model")
    done = torch_launch.run_torchrun(two, "model")
    assert done.returncode == 0, done.stdout[-1000:] + done.stderr[-3000:]
    return torch_alone_run, two


def test_sharded_variables_train_as_one_process(runs):
    torch_launch.assert_same_run(*runs)


def test_the_sharded_model_saves_a_whole_checkpoint(runs):
    import layerkit as keras
    _, two = runs
    assert not (two / "ckpt_rank1.keras").exists()
    model = keras.models.load_model(two / "ckpt_rank0.keras")
    final = torch_launch.load(two / "result_rank0.npz")
    assert [w.shape for w in model.get_weights()] == \
        [final[f"w{i}"].shape for i in range(len(model.get_weights()))]
