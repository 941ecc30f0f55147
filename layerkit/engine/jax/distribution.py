"""Distribution on JAX: the plan becomes a jax.sharding.Mesh and NamedShardings;
the jitted steps are compiled with them and XLA inserts the collectives.

Several hosts (processes) go through jax.distributed.initialize. A dead peer is
noticed by the coordination service's heartbeat: JAX's default waits 100 s, so
`initialize` passes a short one (DEFAULT_TIMEOUT_S) unless told otherwise.
On CPU, cross-process collectives need the gloo implementation, chosen before the
backend starts.
"""
import functools
import os

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

NAME = "jax"
DEFAULT_TIMEOUT_S = 10


def list_devices(device_type=None):
    """The global devices of one type, as "cpu:0", "gpu:1" ... (Keras's spelling).
    Without a type: accelerators where there are any, else the CPUs."""
    if device_type is not None:
        kind = device_type.lower()
        try:
            devices = jax.devices("gpu" if kind == "cuda" else kind)
        except RuntimeError as err:
            raise ValueError(f"list_devices: no devices of type {device_type!r} "
                             f"({err}).") from None
    else:
        devices = jax.devices()
    return [f"{d.platform}:{d.id}" for d in devices]


def _env_int(name):
    value = os.environ.get(name)
    return None if value in (None, "") else int(value)


def initialize(coordinator_address=None, num_processes=None, process_id=None,
               timeout_s=None):
    """Joins this process to a multi-process run. Arguments win over the launcher's
    environment (KERAS_DISTRIBUTION_JOB_ADDRESSES, whose first address is the
    coordinator, KERAS_DISTRIBUTION_NUM_PROCESSES, KERAS_DISTRIBUTION_PROCESS_ID).
    `timeout_s`: seconds without a heartbeat before a peer counts as dead."""
    if coordinator_address is None:
        addresses = os.environ.get("KERAS_DISTRIBUTION_JOB_ADDRESSES")
        if addresses:
            coordinator_address = addresses.split(",")[0].strip()
    if num_processes is None:
        num_processes = _env_int("KERAS_DISTRIBUTION_NUM_PROCESSES")
    if process_id is None:
        process_id = _env_int("KERAS_DISTRIBUTION_PROCESS_ID")
    if jax.distributed.is_initialized():
        raise RuntimeError("distribution.initialize() was already called in this process.")
    timeout = int(DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s)
    if timeout < 1:
        raise ValueError(f"initialize: timeout_s must be at least 1 second, received "
                         f"{timeout_s}.")
    # CPU devices of different processes talk through gloo (the default has none);
    # the setting touches only the CPU client.
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(coordinator_address=coordinator_address,
                               num_processes=num_processes, process_id=process_id,
                               heartbeat_timeout_seconds=timeout,
                               initialization_timeout=max(timeout * 6, 60),
                               shutdown_timeout_seconds=timeout)


def process_id():
    """This process's index (0 when never initialized)."""
    return jax.process_index() if jax.distributed.is_initialized() else 0


def num_processes():
    """The number of processes (1 when never initialized)."""
    return jax.process_count() if jax.distributed.is_initialized() else 1


# --- JAX only: what the trainer compiles with --------------------------------------

@functools.lru_cache(maxsize=8)
def mesh(plan):
    """The jax.sharding.Mesh of a DistributionPlan."""
    by_name = {f"{d.platform}:{d.id}": d for d in jax.devices()}
    missing = [i for i in plan.device_ids if i not in by_name]
    if missing:
        raise ValueError(f"The device mesh names devices JAX does not have: {missing}; "
                         f"available: {sorted(by_name)}.")
    devices = np.array([by_name[i] for i in plan.device_ids], dtype=object)
    return Mesh(devices.reshape(plan.mesh_shape), plan.axis_names)


def replicated(plan):
    return NamedSharding(mesh(plan), PartitionSpec())


def variable_sharding(plan, path, shape):
    """Where the Variable at `path` lives: split as its layout says, else replicated."""
    axes = plan.variable_axes(path)
    if axes is None:
        return replicated(plan)
    axes = tuple(axes)
    if len(axes) != len(shape):
        raise ValueError(f"The layout {axes} for Variable {path!r} has {len(axes)} "
                         f"entries, but the Variable has {len(shape)} dimensions "
                         f"(shape {tuple(shape)}).")
    sizes = dict(zip(plan.axis_names, plan.mesh_shape))
    for dim, axis in zip(shape, axes):
        if axis is not None and dim % sizes[axis]:
            raise ValueError(f"Variable {path!r} of shape {tuple(shape)} cannot be split "
                             f"along mesh axis {axis!r} of size {sizes[axis]}: {dim} does "
                             "not divide evenly.")
    return NamedSharding(mesh(plan), PartitionSpec(*axes))


def batch_sharding(plan, ndim):
    """A batch array split along its first dimension over the batch axis."""
    if ndim == 0 or plan.batch_axis is None:
        return replicated(plan)
    return NamedSharding(mesh(plan), PartitionSpec(plan.batch_axis))


def put_batch(plan, tree, global_batch):
    """The global batch as sharded jax Arrays, from this process's rows of it: each
    process holds rows [p*B/P, (p+1)*B/P) of every array (see training/)."""
    def put(a):
        a = np.asarray(a)
        sharding = batch_sharding(plan, a.ndim)
        if a.ndim == 0:
            return jax.device_put(a, sharding)
        return jax.make_array_from_process_local_data(
            sharding, a, (global_batch,) + a.shape[1:])
    return jax.tree_util.tree_map(put, tree)


def gather(tree):
    """Every array of `tree` whole on every process, as numpy (predict's outputs,
    save()'s weights)."""
    from jax.experimental import multihost_utils
    if num_processes() == 1:
        return jax.tree_util.tree_map(np.asarray, tree)
    return multihost_utils.process_allgather(tree, tiled=True)
