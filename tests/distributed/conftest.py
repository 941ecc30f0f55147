"""The reference runs the distributed tests compare with. The tests import their
helpers (distributed_helpers, torch_launch) by name: pytest runs with
--import-mode=importlib, which does not put a test's folder on sys.path."""
import pathlib
import sys

import pytest

HERE = str(pathlib.Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from distributed_helpers import WORKER, finish, jax_env, load, start  # noqa: E402


@pytest.fixture(scope="session")
def jax_reference(tmp_path_factory):
    """One process, one device, no distribution: what every distributed run must give."""
    folder = tmp_path_factory.mktemp("reference")
    code, _, err = finish(start(WORKER, ["one", folder], jax_env(1)))
    assert code == 0, err[-3000:]
    return folder, load(folder)


@pytest.fixture(scope="session")
def torch_alone_run(tmp_path_factory):
    """torch_worker.py's fit in one process: the reference the torchrun runs match."""
    import torch_launch
    torch_launch.skip_unless_torch()
    alone = tmp_path_factory.mktemp("alone")
    done = torch_launch.run_alone(alone)
    assert done.returncode == 0, done.stdout[-1000:] + done.stderr[-3000:]
    return alone
