"""Distribution on PyTorch: torch.distributed process groups (gloo on CPU, NCCL on
GPUs), launched by torchrun.

This file holds the contract's process functions; the data-parallel and sharded
steps are h-dist-torch's (DIST_SPEC.md) and extend it.
"""
import datetime
import os

import torch
import torch.distributed as dist

NAME = "torch"
DEFAULT_TIMEOUT_S = 10


def list_devices(device_type=None):
    """The devices of one type, as "cpu:0", "cuda:1" ... Without a type: the GPUs
    where there are any, else the CPU."""
    kind = (device_type or ("cuda" if torch.cuda.is_available() else "cpu")).lower()
    if kind in ("gpu", "cuda"):
        return [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if kind == "cpu":
        return ["cpu:0"]
    raise ValueError(f"list_devices: unknown device type {device_type!r}; expected "
                     "'cpu' or 'gpu'.")


def initialize(coordinator_address=None, num_processes=None, process_id=None,
               timeout_s=None):
    """Joins the process group. Arguments win over torchrun's environment
    (MASTER_ADDR/MASTER_PORT, WORLD_SIZE, RANK); `timeout_s` bounds every collective,
    so a dead peer ends the survivors' wait."""
    if dist.is_initialized():
        raise RuntimeError("distribution.initialize() was already called in this process.")
    if coordinator_address is not None:
        host, _, port = coordinator_address.rpartition(":")
        os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = host, port
    world = num_processes if num_processes is not None else int(os.environ.get("WORLD_SIZE", 1))
    rank = process_id if process_id is not None else int(os.environ.get("RANK", 0))
    timeout = datetime.timedelta(seconds=DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s)
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    dist.init_process_group(backend, world_size=world, rank=rank, timeout=timeout)


def process_id():
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def num_processes():
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1
