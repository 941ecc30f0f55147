"""A process that dies or hangs makes the others stop with an error within the
collective timeout, instead of waiting forever; a dead one is named."""
import time

import torch_launch

TIMEOUT_S = 5
# The heartbeats take a few seconds to go stale; the processes start on a busy machine.
SLACK_S = 10


def _survivor(tmp_path, how):
    torch_launch.skip_unless_torch()
    procs = torch_launch.start_bare(tmp_path, how, LAYERKIT_DIST_TIMEOUT=TIMEOUT_S)
    try:
        if how == "kill":
            procs[1].wait(timeout=240)
            stopped = time.monotonic()
        else:   # rank 1 sleeps after its third batch: wait until rank 0 is blocked on it
            stopped = None
        _, err = procs[0].communicate(timeout=240)
        end = time.monotonic()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    return procs, err, None if stopped is None else end - stopped


def test_killed_worker_stops_the_other_with_an_error_naming_it(tmp_path):
    procs, err, waited = _survivor(tmp_path, "kill")
    assert procs[1].returncode == -9
    assert procs[0].returncode not in (0, None), err[-2000:]
    assert "lost rank 1 during the gradient all-reduce" in err, err[-2000:]
    assert waited < TIMEOUT_S + SLACK_S, waited
    assert not (tmp_path / "result_rank0.npz").exists()


def test_hung_worker_stops_the_other_at_the_timeout(tmp_path):
    procs, err, _ = _survivor(tmp_path, "hang")
    assert procs[0].returncode not in (0, None), err[-2000:]
    assert "Distributed training on rank 0 of 2 lost a peer" in err, err[-2000:]
    assert f"collective timeout {float(TIMEOUT_S)} s" in err
    assert not (tmp_path / "result_rank0.npz").exists()
