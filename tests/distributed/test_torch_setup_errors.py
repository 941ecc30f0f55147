"""torch.distributed set-up errors that need no second process: bad arguments to
initialize(), list_devices' filter, and layouts DTensor cannot honour."""
import pytest

import torch_launch


@pytest.fixture(autouse=True)
def _torch_only():
    torch_launch.skip_unless_torch()


def _engine():
    from layerkit.engine.torch import distribution
    return distribution


def test_one_process_facts_before_initialize():
    d = _engine()
    assert d.process_id() == 0 and d.num_processes() == 1
    assert d.list_devices("cpu") == ["cpu:0"]
    with pytest.raises(ValueError, match="device_type must be 'cpu', 'gpu' or 'cuda'"):
        d.list_devices("tpu")


def test_initialize_names_what_is_missing(monkeypatch):
    d = _engine()
    for name in ("WORLD_SIZE", "RANK", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match=r"num_processes was not given and \$WORLD_SIZE"):
        d.initialize()
    with pytest.raises(ValueError, match=r"process_id must be in \[0, num_processes\); "
                                         r"received process_id=2, num_processes=2"):
        d.initialize("127.0.0.1:1234", 2, 2)
    with pytest.raises(ValueError, match="coordinator_address must be 'host:port'"):
        d.initialize("localhost", 2, 0)
    with pytest.raises(ValueError, match=r"\$MASTER_ADDR/\$MASTER_PORT are not set"):
        d.initialize(None, 2, 0)
    with pytest.raises(ValueError, match="timeout_s must be positive, received 0"):
        d.initialize("127.0.0.1:1234", 2, 0, timeout_s=0)


def test_layouts_that_do_not_fit_the_variable_or_the_mesh():
    from layerkit.engine.common.distribution_plan import DistributionPlan
    from layerkit.engine.torch.model_parallel import placements
    from torch.distributed.tensor import Replicate, Shard
    plan = DistributionPlan("model", (1, 2), ("batch", "model"), ("cpu:0", "cpu:1"), "batch")
    assert placements(plan, "d/kernel", (None, "model"), 2) == [Replicate(), Shard(1)]
    assert placements(plan, "d/bias", ("model",), 1) == [Replicate(), Shard(0)]
    with pytest.raises(ValueError, match=r"layout \(None, 'model'\) \(2 dimensions\), "
                                         r"but the Variable has 1"):
        placements(plan, "d/bias", (None, "model"), 1)
    with pytest.raises(ValueError, match="names axis 'rows', which the device mesh"):
        placements(plan, "d/kernel", ("rows", None), 2)


def test_a_layout_along_the_batch_axis_is_not_implemented():
    from layerkit.engine.common.distribution_plan import DistributionPlan
    from layerkit.engine.torch.model_parallel import placements
    from torch.distributed.tensor import Shard
    grid = DistributionPlan("model", (2, 2), ("batch", "model"),
                            tuple(f"cpu:{i}" for i in range(4)), "batch")
    with pytest.raises(NotImplementedError, match=r"Variable 'd/kernel' splits it along the "
                                                  r"mesh's batch axis 'batch'.*FSDP"):
        placements(grid, "d/kernel", ("batch", "model"), 2)
    # A batch axis of size 1 splits nothing: the layout stands.
    one = DistributionPlan("model", (1, 2), ("batch", "model"), ("cpu:0", "cpu:1"), "batch")
    assert placements(one, "d/kernel", (None, "batch"), 2)[0] == Shard(1)


def test_each_process_finds_its_place_in_the_mesh():
    from layerkit.engine.common.distribution_plan import DistributionPlan
    d = _engine()
    plan = DistributionPlan("model", (2, 2), ("batch", "model"),
                            ("cpu:0", "cpu:1", "cpu:2", "cpu:3"), "batch")
    assert [d.mesh_coordinates(plan, r) for r in range(4)] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    # Devices listed column-major: rank 1 sits at (1, 0), rank 2 at (0, 1).
    swapped = DistributionPlan("model", (2, 2), ("batch", "model"),
                               ("cpu:0", "cpu:2", "cpu:1", "cpu:3"), "batch")
    assert d.mesh_coordinates(swapped, 1) == (1, 0) and d.mesh_coordinates(swapped, 2) == (0, 1)
    twice = DistributionPlan("model", (2,), ("batch",), ("cpu:0", "cpu:0"), "batch")
    with pytest.raises(ValueError, match="that of rank 1 appears 0 times"):
        d.mesh_coordinates(twice, 1)


def test_bad_input_under_torchrun(tmp_path):
    """Two processes: a global batch that does not divide by them, a mesh that is not
    one device per process, a layout axis the mesh lacks or along the batch axis, and
    a LayoutMap key that matches nothing; predict pads its own last batch."""
    import json
    done = torch_launch.run_torchrun(tmp_path, "bad")
    assert done.returncode == 0, done.stdout[-1000:] + done.stderr[-3000:]
    for rank in (0, 1):
        got = json.loads((tmp_path / f"bad_rank{rank}.json").read_text())
        assert "global batch size 15 does not divide by the 2 model replicas" in got["fit"]
        assert "global batch size 7 does not divide by the 2" in got["evaluate"]
        assert got["predict_rows"] == 31 and got["predict_gap"] < 1e-6
        assert "1 device(s) along 'batch' but 2 processes joined" in got["mesh"]
        assert "['modle']" in got["axis"] and "('batch', 'model')" in got["axis"]
        assert got["batch_axis"].startswith("NotImplementedError: The layout ('batch', None) "
                                            "of Variable 'sequential_"), got
        assert "/d1/kernel' splits it along the mesh's batch axis 'batch'" in got["batch_axis"]
        assert len(got["unmatched"]) == 1 and "'.*conv2d.*kernel'" in got["unmatched"][0]
