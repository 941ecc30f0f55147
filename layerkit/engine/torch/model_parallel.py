"""ModelParallel on PyTorch: Variables split over a torch DeviceMesh as the LayoutMap
says, as DTensors (torch.distributed.tensor), the others replicated.

The step runs under DTensor's implicit replication, so the layers' plain tensors
(inputs, constants, replicated Variables) meet the sharded ones as replicated
DTensors and DTensor inserts the collectives. Each process computes on the whole
global batch (its rows are gathered first): the batch axis of the mesh splits no
work yet, but the losses, gradients and metrics are those of the global batch on
every process without further reduction.
"""
import math

import torch
import torch.distributed as dist
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.tensor import DTensor, Replicate, Shard, distribute_tensor
from torch.distributed.tensor.experimental import implicit_replication

from layerkit.engine.torch.data_parallel import all_gather_rows, broadcast_variables, seed_states

_MESHES = {}


def device_mesh(plan):
    """The torch DeviceMesh of `plan` (one device per process, in rank order)."""
    key = (plan.mesh_shape, plan.axis_names)
    if key not in _MESHES:
        world = dist.get_world_size()
        if math.prod(plan.mesh_shape) != world:
            raise ValueError(
                f"ModelParallel on PyTorch runs one device per process: the device mesh "
                f"{dict(zip(plan.axis_names, plan.mesh_shape))} has "
                f"{math.prod(plan.mesh_shape)} devices but {world} processes joined.")
        device = "cuda" if torch.cuda.is_available() else "cpu"
        _MESHES[key] = init_device_mesh(device, tuple(plan.mesh_shape),
                                        mesh_dim_names=tuple(plan.axis_names))
    return _MESHES[key]


def placements(plan, path, axes, ndim):
    """DTensor placements (one per mesh axis) for a Variable laid out as `axes`."""
    if len(axes) != ndim:
        raise ValueError(f"The LayoutMap gives Variable {path!r} the layout {tuple(axes)} "
                         f"({len(axes)} dimensions), but the Variable has {ndim}.")
    for a in axes:
        if a is not None and a not in plan.axis_names:
            raise ValueError(f"The layout {tuple(axes)} of Variable {path!r} names axis "
                             f"{a!r}, which the device mesh {plan.axis_names} lacks.")
    return [Shard(axes.index(name)) if name in axes else Replicate()
            for name in plan.axis_names]


def _shard(variable, mesh, where):
    value = variable.value.detach()
    if isinstance(value, DTensor):
        return
    # src_data_rank=0: process 0's value is scattered (every process starts from it).
    variable.assign(distribute_tensor(value, mesh, where, src_data_rank=0))


def _cut(variable, mesh, where):
    """A whole value that every process holds (after gather) back into its shards,
    each process cutting its own: no communication."""
    value = variable.value.detach()
    if not isinstance(value, DTensor):
        variable.assign(distribute_tensor(value, mesh, where, src_data_rank=None))


def unshard(variables):
    """DTensor values made whole plain tensors again (a collective: every process)."""
    for v in variables:
        if isinstance(v.value, DTensor):
            v.assign(v.value.detach().full_tensor())


def _full(structure):
    if isinstance(structure, DTensor):
        return structure.full_tensor()
    if isinstance(structure, dict):
        return {k: _full(v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_full(v) for v in structure)
    return structure


class ModelShards:
    """What a step does differently under ModelParallel (DataReplicas's interface).

    Between steps the Variables hold DTensors; `sync()` (the loop calls it on every
    process before callbacks read weights) makes them whole tensors, so that saving
    on process 0 needs no collective, and the next step cuts them again locally."""

    def __init__(self, model, kind, plan):
        self.mesh = mesh = device_mesh(plan)
        layouts, plain, self.sharded = {}, [], []
        for v in list(model.trainable_variables) + list(model.non_trainable_variables):
            axes = plan.variable_axes(v.path)
            if axes is None:
                plain.append(v)
            else:
                layouts[v.path] = placements(plan, v.path, tuple(axes), len(v.shape))
                self.sharded.append((v, layouts[v.path]))
        unshard(plain)
        broadcast_variables(plain + seed_states(model))
        if kind == "train":
            # An optimizer slot is split as the Variable it belongs to.
            for slot in model.optimizer.variables:
                where = layouts.get(getattr(slot, "_reference_path", None))
                if where is not None:
                    self.sharded.append((slot, where))
        for v, where in self.sharded:
            _shard(v, mesh, where)

    def enter(self):
        for v, where in self.sharded:
            _cut(v, self.mesh, where)

    def sync(self):
        unshard([v for v, _ in self.sharded])

    def context(self, x):
        return implicit_replication()

    def batch(self, x, y, sw):
        return all_gather_rows(x), all_gather_rows(y), all_gather_rows(sw)

    def watch(self, leaves):
        pass

    def gradients(self, grads):
        return grads    # DTensor's backward already combined them

    def results(self, model):
        with implicit_replication():
            return _full(model.metric_results())

    def outputs(self, out):
        return _full(out)
