"""ModelParallel on PyTorch: Variables split over a torch DeviceMesh as the LayoutMap
says, as DTensors (torch.distributed.tensor), the others replicated.

The step runs under DTensor's implicit replication, so the layers' plain tensors
(inputs, constants, replicated Variables) meet the sharded ones as replicated
DTensors and DTensor inserts the collectives along the axes that split Variables.
The mesh's batch axis splits the batch: the processes of one model replica (one
coordinate along it) feed the same rows, which DTensor treats as replicated over
the whole mesh; since no Variable is split along the batch axis, DTensor never
communicates over it, and each replica computes on its own rows. Its gradients are
then averaged over the batch axis (as DataParallel's, one flat all-reduce per
dtype), its metric states summed and its predictions gathered, so every process
ends with the global batch's weights and logs.
"""
import contextlib
import math

import torch
import torch.distributed as dist
from torch.distributed.device_mesh import DeviceMesh
from torch.distributed.tensor import DTensor, Replicate, Shard, distribute_tensor
from torch.distributed.tensor.experimental import implicit_replication

from layerkit.engine.torch import distribution
from layerkit.engine.torch.data_parallel import (
    all_gather_rows, average_variables, broadcast_variables, leading_rows,
    reduced_metric_results, run_collective, seed_states)
from layerkit.engine.torch.random import batch_share

_MESHES = {}


def device_mesh(plan):
    """The torch DeviceMesh of `plan` (one device per process, in rank order)."""
    key = (plan.mesh_shape, plan.axis_names, plan.device_ids)
    if key not in _MESHES:
        world = dist.get_world_size()
        if math.prod(plan.mesh_shape) != world:
            raise ValueError(
                f"ModelParallel on PyTorch runs one device per process: the device mesh "
                f"{dict(zip(plan.axis_names, plan.mesh_shape))} has "
                f"{math.prod(plan.mesh_shape)} devices but {world} processes joined.")
        device = "cuda" if torch.cuda.is_available() else "cpu"
        for rank in range(world):
            distribution.mesh_coordinates(plan, rank)   # each process's device once
        _MESHES[key] = DeviceMesh(device, torch.as_tensor(distribution.mesh_ranks(plan)),
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
    if plan.batch_axis in axes and plan.num_replicas > 1:
        raise NotImplementedError(
            f"The layout {tuple(axes)} of Variable {path!r} splits it along the mesh's batch "
            f"axis {plan.batch_axis!r}: on PyTorch, layerkit's ModelParallel keeps every "
            "Variable whole along the batch axis (each model replica holds its own copy; "
            "FSDP-style sharding over the batch axis is not implemented). Split it along "
            "another mesh axis, or train on JAX, where XLA places it.")
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
        # The batch axis: this replica's share, and the group of the other replicas.
        self.index, self.parts = distribution.data_share()
        self.group = order = None
        if self.parts > 1:
            self.group = mesh.get_group(plan.batch_axis)
            batch_dim = plan.axis_names.index(plan.batch_axis)
            # Gather predictions in the order of the replicas along the batch axis.
            along = [distribution.mesh_coordinates(plan, dist.get_global_rank(self.group, i))
                     for i in range(self.parts)]
            order = sorted(range(self.parts), key=lambda i: along[i][batch_dim])
        self.order = order
        self.trainable = [layouts.get(v.path) for v in model.trainable_variables] \
            if kind == "train" else []
        # Moving statistics (BatchNormalization) move with each replica's rows.
        self.moving = [v for v in model.non_trainable_variables
                       if v.value.is_floating_point()] \
            if kind == "train" and self.group is not None else []

    def enter(self):
        for v, where in self.sharded:
            _cut(v, self.mesh, where)

    def sync(self):
        unshard([v for v, _ in self.sharded])
        if self.moving:
            average_variables(self.moving, self.group)

    def context(self, x):
        """DTensor's implicit replication, and random draws cut to this replica's rows."""
        stack = contextlib.ExitStack()
        stack.enter_context(implicit_replication())
        stack.enter_context(batch_share(self.index, self.parts, leading_rows(x)))
        return stack

    def batch(self, x, y, sw):
        return x, y, sw     # this replica's rows: training/ cut them

    def watch(self, leaves):
        pass

    def gradients(self, grads):
        """DTensor's backward combined the gradients along the model axes; the
        replicas' are averaged along the batch axis."""
        if self.group is None:
            return grads
        local, out = [], list(grads)
        for i, (g, where) in enumerate(zip(grads, self.trainable)):
            if isinstance(g, DTensor):
                if where is not None and tuple(g.placements) != tuple(where):
                    g = g.redistribute(self.mesh, where)
                local.append((i, g, g.to_local()))
            elif g is not None:
                local.append((i, None, g))
        by_dtype = {}
        for item in local:
            by_dtype.setdefault(item[2].dtype, []).append(item)
        for items in by_dtype.values():
            flat = torch.cat([t.detach().reshape(-1) for _, _, t in items])
            run_collective(lambda: dist.all_reduce(flat, group=self.group),
                           "the gradient all-reduce")
            flat.div_(self.parts)
            offset = 0
            for i, g, t in items:
                part = flat[offset:offset + t.numel()].view(t.shape)
                offset += t.numel()
                out[i] = part if g is None else DTensor.from_local(
                    part, self.mesh, g.placements, run_check=False, shape=g.shape,
                    stride=g.stride())
        return out

    def results(self, model):
        with implicit_replication():
            if self.group is None:
                return _full(model.metric_results())
            return _full(reduced_metric_results(model, self.group))

    def outputs(self, out):
        out = _full(out)
        if self.group is None:
            return out
        return all_gather_rows(out, self.group, self.order)
