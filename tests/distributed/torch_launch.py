"""Launching torch_worker.py: under torchrun, alone, or as two bare processes with
torchrun's environment (so a killed one is not cleaned up by torchrun's agent)."""
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
WORKER = str(HERE / "torch_worker.py")
TORCHRUN = str(Path(sys.executable).with_name("torchrun"))


def skip_unless_torch():
    if os.environ.get("LAYERKIT_BACKEND", "jax") != "torch":
        pytest.skip("torch.distributed tests run with LAYERKIT_BACKEND=torch "
                    "(tests/distributed/test_jax_* cover JAX)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env(**extra):
    e = dict(os.environ, LAYERKIT_BACKEND="torch", OMP_NUM_THREADS="1",
             PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        e.pop(name, None)
    e.update({k: str(v) for k, v in extra.items()})
    return e


def run_alone(out, mode="fit", timeout=240):
    return subprocess.run([sys.executable, WORKER, str(out), mode], env=env(),
                          capture_output=True, text=True, timeout=timeout)


def run_torchrun(out, mode="fit", nproc=2, timeout=240, **extra):
    # --standalone: torchrun picks a free port itself (no race with other programs).
    cmd = [TORCHRUN, "--standalone", "--nproc_per_node", str(nproc), WORKER, str(out), mode]
    return subprocess.run(cmd, env=env(**extra), capture_output=True, text=True,
                          timeout=timeout)


def start_bare(out, mode, world=2, **extra):
    """`world` processes with torchrun's variables, without its agent."""
    port = free_port()
    return [subprocess.Popen([sys.executable, WORKER, str(out), mode],
                             env=env(WORLD_SIZE=world, RANK=r, LOCAL_RANK=r,
                                     MASTER_ADDR="127.0.0.1", MASTER_PORT=port, **extra),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for r in range(world)]


def load(path):
    with np.load(path) as f:
        return {k: f[k] for k in f.files}


def assert_same_run(alone, several, ranks=(0, 1)):
    """Each process of `several` ended with the one-process run's weights, logs,
    evaluation and (all rows of the) predictions, within 1e-5 relative."""
    ref = load(alone / "result_rank0.npz")
    weights = sorted(k for k in ref if k.startswith("w"))
    assert weights
    for rank in ranks:
        got = load(several / f"result_rank{rank}.npz")
        for k in weights:
            np.testing.assert_allclose(got[k], ref[k], rtol=1e-5, atol=1e-6,
                                       err_msg=f"rank {rank} {k}")
        for key in ("history", "evaluated"):
            want, have = json.loads(str(ref[key])), json.loads(str(got[key]))
            assert sorted(have) == sorted(want)
            for name in want:
                np.testing.assert_allclose(have[name], want[name], rtol=1e-5,
                                           err_msg=f"rank {rank} {key} {name}")
        assert got["predicted"].shape == ref["predicted"].shape == (32, 3)
        np.testing.assert_allclose(got["predicted"], ref["predicted"], rtol=1e-5, atol=1e-6)
