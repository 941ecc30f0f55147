"""Processes and devices on PyTorch: torch.distributed process groups (NCCL on GPUs,
gloo on CPU), as `torchrun` launches them.

One process drives one device. `initialize()` joins the group from its arguments or
from torchrun's environment (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK),
with a short collective timeout so a dead peer is noticed in seconds. Each process
also stamps a heartbeat into the group's store: when a collective fails, the
survivors read the stamps to name the rank that was lost (torch's own error names
only a socket address, or nothing after a timeout).
"""
import atexit
import datetime
import os
import threading
import time

import numpy as np
import torch
import torch.distributed as dist

from layerkit.engine.common.distribution_plan import get_plan

# Seconds a collective may wait for a peer before it fails (LAYERKIT_DIST_TIMEOUT wins).
DEFAULT_TIMEOUT_S = 10.0
_HEARTBEAT_S = 0.5

_state = {"timeout_s": None, "store": None, "heartbeat": None, "stop": None}


def _device_type():
    return "cuda" if torch.cuda.is_available() else "cpu"


def list_devices(device_type=None):
    """The devices of the whole job, one per process once `initialize()` ran (process
    r drives "<type>:r"); before, this process's own devices ("cpu:0" or every
    "cuda:i"). `device_type` "gpu"/"cuda" or "cpu" filters them."""
    kind = _device_type()
    if device_type is not None:
        wanted = str(device_type).lower()
        wanted = "cuda" if wanted == "gpu" else wanted
        if wanted not in ("cpu", "cuda"):
            raise ValueError(f"list_devices: device_type must be 'cpu', 'gpu' or 'cuda', "
                             f"received {device_type!r}.")
        if wanted != kind:
            return ["cpu:0"] if wanted == "cpu" else []
    if dist.is_available() and dist.is_initialized():
        return [f"{kind}:{r}" for r in range(dist.get_world_size())]
    if kind == "cuda":
        return [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    return ["cpu:0"]


def _env_int(name, given, what):
    if given is not None:
        return int(given)
    value = os.environ.get(name)
    if value is None:
        raise ValueError(f"initialize: {what} was not given and ${name} is not set; launch "
                         f"with torchrun (it sets MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK) "
                         f"or pass {what}=.")
    return int(value)


def initialize(coordinator_address=None, num_processes=None, process_id=None, timeout_s=None):
    """Joins the process group of `num_processes` processes as `process_id`,
    meeting at `coordinator_address` ("host:port", process 0's address). Arguments win,
    else torchrun's environment. `timeout_s` bounds every collective (default
    $LAYERKIT_DIST_TIMEOUT or 10 s)."""
    if not dist.is_available():
        raise RuntimeError("initialize: this PyTorch build has no torch.distributed.")
    if dist.is_initialized():
        raise RuntimeError("distribution.initialize() was already called in this process.")
    world = _env_int("WORLD_SIZE", num_processes, "num_processes")
    rank = _env_int("RANK", process_id, "process_id")
    if world < 1 or not 0 <= rank < world:
        raise ValueError(f"initialize: process_id must be in [0, num_processes); received "
                         f"process_id={rank}, num_processes={world}.")
    if coordinator_address is None:
        host, port = os.environ.get("MASTER_ADDR"), os.environ.get("MASTER_PORT")
        if host is None or port is None:
            raise ValueError("initialize: coordinator_address was not given and "
                             "$MASTER_ADDR/$MASTER_PORT are not set; pass "
                             "coordinator_address='host:port' or launch with torchrun.")
    else:
        host, sep, port = str(coordinator_address).rpartition(":")
        if not sep or not port.isdigit():
            raise ValueError(f"initialize: coordinator_address must be 'host:port', "
                             f"received {coordinator_address!r}.")
    if timeout_s is None:
        timeout_s = float(os.environ.get("LAYERKIT_DIST_TIMEOUT", DEFAULT_TIMEOUT_S))
    if timeout_s <= 0:
        raise ValueError(f"initialize: timeout_s must be positive, received {timeout_s}.")
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", rank % torch.cuda.device_count())))
    timeout = datetime.timedelta(seconds=timeout_s)
    # Under torchrun its agent already serves the store at MASTER_ADDR:MASTER_PORT.
    agent_store = coordinator_address is None and \
        os.environ.get("TORCHELASTIC_USE_AGENT_STORE") == "True"
    store = dist.TCPStore(host, int(port), world, is_master=rank == 0 and not agent_store,
                          timeout=timeout, wait_for_workers=False)
    dist.init_process_group(backend, store=store, world_size=world, rank=rank, timeout=timeout)
    _state.update(timeout_s=timeout_s, store=store)
    _start_heartbeat(store, rank)
    # The heartbeat thread must stop before the interpreter tears the store down.
    atexit.register(shutdown)


def process_id():
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def num_processes():
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def data_share():
    """(which share of each global batch this process feeds, how many shares). Under
    DataParallel each process is a share; under ModelParallel the processes along the
    mesh's batch axis split the batch and those along its other axes (one model
    replica) feed the same rows."""
    plan = get_plan()
    if plan is None or num_processes() == 1:
        return 0, 1
    if plan.kind == "data":
        return process_id(), num_processes()
    if plan.batch_axis is None:
        return 0, 1
    return mesh_coordinates(plan)[plan.axis_names.index(plan.batch_axis)], plan.num_replicas


def mesh_ranks(plan):
    """The plan's device mesh as an array of ranks ("cpu:3" is the process of rank 3)."""
    ranks = [int(str(d).rpartition(":")[2]) for d in plan.device_ids]
    return np.array(ranks, dtype=np.int64).reshape(plan.mesh_shape)


def mesh_coordinates(plan, rank=None):
    """Where process `rank` (default: this one) sits in the plan's mesh."""
    rank = process_id() if rank is None else rank
    found = np.argwhere(mesh_ranks(plan) == rank)
    if len(found) != 1:
        raise ValueError(f"The device mesh {plan.device_ids} must hold the device of each "
                         f"process once; that of rank {rank} appears {len(found)} times.")
    return tuple(int(i) for i in found[0])


def broadcast_int(value):
    """Process 0's `value` on every process (the value itself in one process)."""
    if num_processes() == 1:
        return int(value)
    tensor = torch.tensor([int(value)], dtype=torch.int64)
    if dist.get_backend() == "nccl":
        tensor = tensor.cuda()
    try:
        dist.broadcast(tensor, src=0)
    except Exception as error:  # noqa: BLE001 - reworded with the lost rank
        raise collective_failed(error, "a broadcast from process 0") from error
    return int(tensor.item())


def timeout_s():
    """The collectives' timeout in seconds (None before initialize())."""
    return _state["timeout_s"]


def _heartbeat_key(rank):
    # torchrun's store outlives a restarted attempt: each attempt beats under its own key.
    return f"layerkit/heartbeat/{os.environ.get('TORCHELASTIC_RESTART_COUNT', '0')}/{rank}"


def _start_heartbeat(store, rank):
    stop = threading.Event()

    def beat():
        while not stop.is_set():
            try:
                store.set(_heartbeat_key(rank), repr(time.time()))
            except Exception:   # the store (process 0) is gone: the next collective says so
                return
            stop.wait(_HEARTBEAT_S)

    thread = threading.Thread(target=beat, name="layerkit-heartbeat", daemon=True)
    thread.start()
    _state.update(heartbeat=thread, stop=stop)


def lost_ranks():
    """The ranks whose heartbeat stopped (more than four beats old), or [0] when the
    store, which process 0 hosts, no longer answers."""
    store = _state["store"]
    if store is None:
        return []
    now, lost = time.time(), []
    try:
        for r in range(num_processes()):
            if r == process_id():
                continue
            stamp = float(store.get(_heartbeat_key(r)))
            if now - stamp > 4 * _HEARTBEAT_S:
                lost.append(r)
    except Exception:
        return [0]
    return lost


def collective_failed(error, what):
    """A clear error for a collective (`what`) that failed: which rank was lost, after
    how long, and torch's own message."""
    time.sleep(5 * _HEARTBEAT_S)    # let a dead peer's heartbeat go stale
    lost = lost_ranks()
    who = (f"rank {lost[0]}" if len(lost) == 1 else f"ranks {lost}") if lost else \
        "a peer (no rank's heartbeat stopped: it may be stuck rather than dead)"
    said = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return RuntimeError(
        f"Distributed training on rank {process_id()} of {num_processes()} lost {who} during "
        f"{what} (collective timeout {_state['timeout_s']} s). The other processes stop too; "
        f"relaunch the job. PyTorch said: {said}")


def shutdown():
    """Leaves the process group (the heartbeat stops first)."""
    if _state["stop"] is not None:
        _state["stop"].set()
        _state["heartbeat"].join(timeout=2 * _HEARTBEAT_S)
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
    _state.update(timeout_s=None, store=None, heartbeat=None, stop=None)
