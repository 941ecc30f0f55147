"""Helpers of the distributed tests: each scenario runs in fresh subprocesses (a
JAX process fixes its device count and its process group at start)."""
import os
import pathlib
import socket
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def jax_env(devices):
    """The environment of a JAX worker with `devices` forced CPU devices."""
    env = dict(os.environ)
    env.update(PYTHONPATH=str(ROOT), LAYERKIT_BACKEND="jax", JAX_PLATFORMS="cpu",
               XLA_FLAGS=f"--xla_force_host_platform_device_count={devices}",
               PYTHONUNBUFFERED="1")
    return env


def free_port():
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def start(script, args, env):
    return subprocess.Popen([sys.executable, str(script)] + [str(a) for a in args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc, timeout=180):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"worker still running after {timeout} s:\n{err[-3000:]}")
    return proc.returncode, out, err


WORKER = pathlib.Path(__file__).with_name("jax_worker.py")


def load(folder):
    import json

    import numpy as np
    with open(folder / "logs.json") as f:
        logs = json.load(f)
    with np.load(folder / "result.npz") as data:
        arrays = {k: data[k] for k in data.files}
    return logs, arrays
