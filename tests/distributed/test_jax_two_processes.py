"""Two processes on localhost as two hosts (jax.distributed.initialize, gloo
collectives), two CPU devices each: the same weights and logs as one process;
process 0 alone writes the checkpoint and the CSV log; a dead peer stops the other."""
import time

import numpy as np
import pytest

from layerkit import config
from distributed_helpers import WORKER, finish, free_port, jax_env, load, start

pytestmark = pytest.mark.skipif(config.backend() != "jax", reason=(
    "jax.distributed over localhost; the torch engine's distributed tests are "
    "test_torch_*.py"))


def run_pair(mode, tmp_path, timeout=180):
    port = free_port()
    procs = [start(WORKER, [mode, tmp_path / f"p{i}", i, 2, port], jax_env(2))
             for i in range(2)]
    return [finish(p, timeout) for p in procs]


@pytest.mark.parametrize("mode", ["dp", "mp"])
def test_two_processes_match_one(tmp_path, jax_reference, mode):
    results = run_pair(mode, tmp_path)
    for code, _, err in results:
        assert code == 0, err[-3000:]
    ref_folder, (ref_logs, ref_arrays) = jax_reference
    for i in range(2):
        logs, arrays = load(tmp_path / f"p{i}")
        assert len(logs["devices"]) == 4   # the global devices of both processes
        assert logs["broadcast"] == 100     # process 0's value on both
        for key in ref_arrays:   # predict returns every row on every process
            np.testing.assert_allclose(arrays[key], ref_arrays[key], rtol=1e-5, atol=1e-6,
                                       err_msg=f"process {i}: {key}")
        for part in ("history", "evaluate"):
            for name, value in ref_logs[part].items():
                np.testing.assert_allclose(logs[part][name], value, rtol=1e-5)
    # Only process 0 prints and writes the checkpoint and the CSV log.
    assert (tmp_path / "p0" / "model.keras").exists()
    assert (tmp_path / "p0" / "log.csv").exists()
    assert not (tmp_path / "p1" / "model.keras").exists()
    assert not (tmp_path / "p1" / "log.csv").exists()
    assert not [p for p in (tmp_path / "p1").iterdir() if p.name.startswith(".")]
    assert "5/5" in results[0][1] and "5/5" not in results[1][1]
    # The checkpoint is an ordinary file: it loads in one process on one device.
    from layerkit import saving
    loaded = saving.load_model(tmp_path / "p0" / "model.keras")
    for i, w in enumerate(loaded.get_weights()):
        np.testing.assert_allclose(w, ref_arrays[f"w{i}"], rtol=1e-5, atol=1e-6)
    if mode == "dp":
        header = (tmp_path / "p0" / "log.csv").read_text().splitlines()[0]
        assert header.split(",")[:3] == ["epoch", "accuracy", "loss"]


def test_a_dead_peer_stops_the_survivor(tmp_path):
    # Process 1 exits after its first epoch; process 0 waits in the next step's
    # collective until the 5 s heartbeat timeout names the lost task and ends it.
    start_time = time.monotonic()
    (code0, _, err0), (code1, _, _) = run_pair("die", tmp_path, timeout=90)
    elapsed = time.monotonic() - start_time
    assert code1 == 17
    assert code0 != 0
    assert "stopped sending heartbeats" in err0 and "1" in err0
    assert elapsed < 60
