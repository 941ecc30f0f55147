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


def data_share():
    """(which share of each global batch this process feeds, how many shares): every
    process feeds its own rows, and the global arrays are made of them."""
    return process_id(), num_processes()


def broadcast_int(value):
    """Process 0's `value` on every process (the value itself in one process)."""
    if num_processes() == 1:
        return int(value)
    from jax.experimental import multihost_utils
    return int(multihost_utils.broadcast_one_to_all(np.int64(value)))


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


class Placement:
    """Where one step runner's state and batches live under a plan: each Variable as
    its layout says (an optimizer slot as the Variable it belongs to), metrics and
    seeds replicated, batches split along the batch axis."""

    def __init__(self, plan, groups):
        self.plan = plan
        self.replicated = replicated(plan)
        self.state = type(groups)(*([self._sharding(v) for v in group] for group in groups))
        # Metric totals and random streams are the same on every device.
        self.state = self.state._replace(metrics=[self.replicated] * len(groups.metrics),
                                         seeds=[self.replicated] * len(groups.seeds))

    def _sharding(self, v):
        path = getattr(v, "_reference_path", None) or v.path
        return variable_sharding(self.plan, path, v.shape)

    def batch_sharding(self, stacked=False):
        """Every batch array split along its rows (axis 1 when stacked)."""
        spec = (None, self.plan.batch_axis) if stacked else (self.plan.batch_axis,)
        return NamedSharding(mesh(self.plan), PartitionSpec(*spec))

    def put_state(self, state):
        """The state's values (whole, the same on every process) on their devices."""
        return self.put(state, self.state)

    @staticmethod
    def put(values, shardings):
        return jax.tree_util.tree_map(_put_whole, values, shardings)

    def put_batch(self, batch, stacked=False):
        """This process's rows of a global batch as global arrays split along the batch
        axis (axis 1 of stacked steps_per_execution batches)."""
        axis = 1 if stacked else 0
        procs = num_processes()
        if procs == 1 and self.plan.batch_axis is not None:
            # One process: one batched transfer of the whole batch.
            return jax.device_put(batch, self.batch_sharding(stacked))

        def put(a):
            a = np.asarray(a)
            if a.ndim <= axis or self.plan.batch_axis is None:
                return _put_whole(a, self.replicated)
            sharding = self.batch_sharding(stacked)
            shape = a.shape[:axis] + (a.shape[axis] * procs,) + a.shape[axis + 1:]
            return jax.make_array_from_process_local_data(sharding, a, shape)
        return jax.tree_util.tree_map(put, batch)


def _put_whole(value, sharding):
    if isinstance(value, jax.Array) and sharding.is_fully_addressable:
        return jax.device_put(value, sharding)
    value = np.asarray(value)
    return jax.make_array_from_callback(value.shape, sharding, lambda index: value[index])


def local(tree):
    """Replicated global arrays as this process's copy (a log value reads on every
    process without a collective)."""
    def one(a):
        if isinstance(a, jax.Array) and not a.is_fully_addressable and \
                a.sharding.is_fully_replicated:
            return a.addressable_data(0)
        return a
    return jax.tree_util.tree_map(one, tree)


def whole(tree):
    """Every array of `tree` whole, as numpy, on every process: replicated arrays from
    this process's copy, split ones gathered (a collective every process joins)."""
    from jax.experimental import multihost_utils

    def one(a):
        if not isinstance(a, jax.Array) or a.is_fully_addressable:
            return np.asarray(a)
        if a.sharding.is_fully_replicated:
            return np.asarray(a.addressable_data(0))
        return np.asarray(multihost_utils.process_allgather(a, tiled=True))
    return jax.tree_util.tree_map(one, tree)
