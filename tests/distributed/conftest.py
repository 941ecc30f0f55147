"""The distributed tests import their launch helpers (torch_launch) by name: pytest
runs with --import-mode=importlib, which does not put a test's folder on sys.path."""
import pathlib
import sys

import pytest

HERE = str(pathlib.Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)


@pytest.fixture(scope="session")
def torch_alone_run(tmp_path_factory):
    """torch_worker.py's fit in one process: the reference the torchrun runs match."""
    import torch_launch
    torch_launch.skip_unless_torch()
    alone = tmp_path_factory.mktemp("alone")
    done = torch_launch.run_alone(alone)
    assert done.returncode == 0, done.stdout[-1000:] + done.stderr[-3000:]
    return alone
