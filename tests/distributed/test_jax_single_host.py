"""One process with four CPU devices: DataParallel and ModelParallel give the
weights, logs and predictions of one device at the same global batch."""
import numpy as np
import pytest

from layerkit import config
from distributed_helpers import WORKER, finish, jax_env, load, start

pytestmark = pytest.mark.skipif(config.backend() != "jax", reason=(
    "JAX sharding over forced CPU devices; the torch engine's distributed tests are "
    "test_torch_*.py"))


def run(mode, tmp_path):
    code, out, err = finish(start(WORKER, [mode, tmp_path], jax_env(4)))
    assert code == 0, err[-3000:]
    return out, load(tmp_path)


def same_as_reference(logs, arrays, reference):
    ref_logs, ref_arrays = reference[1]
    assert logs["devices"] == ["cpu:0", "cpu:1", "cpu:2", "cpu:3"]
    for key in ref_arrays:
        np.testing.assert_allclose(arrays[key], ref_arrays[key], rtol=1e-5, atol=1e-6,
                                   err_msg=key)
    assert arrays["predicted"].shape == (37, 4)
    for part in ("history", "evaluate"):
        for name, value in ref_logs[part].items():
            np.testing.assert_allclose(logs[part][name], value, rtol=1e-5, err_msg=name)


@pytest.fixture(scope="module")
def data_parallel(tmp_path_factory):
    return run("dp", tmp_path_factory.mktemp("dp"))


def test_data_parallel_matches_one_device(data_parallel, jax_reference):
    out, (logs, arrays) = data_parallel
    same_as_reference(logs, arrays, jax_reference)
    placed = logs["placement"]
    # Variables whole on every device, the batch of 8 split 2 rows per device, and
    # the gradients summed across devices by a collective XLA put in.
    assert placed["kernel_spec"] == placed["slot_spec"] == [None, None]
    assert placed["kernel_shard_shape"] == [6, 8]
    assert placed["x_shard_shape"] == [2, 6]
    assert placed["all_reduce"]
    assert "5/5" in out   # one process: it prints


def test_model_parallel_matches_one_device(tmp_path, jax_reference):
    _, (logs, arrays) = run("mp", tmp_path)
    same_as_reference(logs, arrays, jax_reference)
    placed = logs["placement"]
    # The (6, 8) kernel split along "model" (2 devices), the batch along "batch" (2).
    assert placed["kernel_spec"] == placed["slot_spec"] == [None, "model"]
    assert placed["kernel_shard_shape"] == [6, 4]
    assert placed["x_shard_shape"] == [4, 6]


def test_bad_input_messages(data_parallel):
    _, (logs, _) = data_parallel
    errors = logs["errors"]
    assert "global batch size 6 does not divide by the 4 model replicas" in errors["batch"]
    assert "'modle'" in errors["axis"] and "('batch', 'model')" in errors["axis"]
    assert len(errors["unmatched"]) == 1
    assert "'.*conv2d.*kernel'" in errors["unmatched"][0]
    assert "dense_4/kernel" in errors["unmatched"][0]


def test_the_readme_example_runs(tmp_path):
    from distributed_helpers import ROOT
    example = ROOT / "examples" / "distributed_training.py"
    code, out, err = finish(start(example, ["--model-parallel", "--epochs", "1",
                                            "--checkpoint", tmp_path / "m.keras"], jax_env(4)))
    assert code == 0, err[-3000:]
    assert "4 devices; predicted classes" in out and (tmp_path / "m.keras").exists()
