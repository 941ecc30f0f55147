"""Which kind of several-process step a model's runner takes, from the seam's plan:
None (one process), DataReplicas (DataParallel) or ModelShards (ModelParallel)."""
import os

import torch.distributed as dist

from layerkit.engine.common.distribution_plan import get_plan
from layerkit.engine.torch import distribution


def replicas_for(model, kind):
    plan = get_plan()
    if plan is None or plan.kind == "data":
        _unshard(model)     # a model that ModelParallel trained before
    if plan is None:
        return None
    if not dist.is_initialized():
        if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
            return None
        distribution.initialize()   # torchrun's environment
    world = dist.get_world_size()
    if world == 1:
        return None
    custom = getattr(model, "_custom_step", None)
    if kind == "train" and custom is not None and custom(kind) is not None:
        raise NotImplementedError(
            f"{type(model).__name__}.train_step overrides the step: with a distribution on "
            "PyTorch the gradient exchange runs inside layerkit's own step; remove the "
            "override or train with one process.")
    if plan.kind == "model":
        from layerkit.engine.torch.model_parallel import ModelShards
        return ModelShards(model, kind, plan)
    if plan.num_replicas != world:
        raise ValueError(
            f"DataParallel on PyTorch runs one replica per process: the device mesh has "
            f"{plan.num_replicas} device(s) along {plan.batch_axis!r} but {world} processes "
            "joined. Call layerkit.distribution.initialize() before DataParallel(), so "
            "list_devices() lists one device per process.")
    from layerkit.engine.torch.data_parallel import DataReplicas
    return DataReplicas(model, kind)


def _unshard(model):
    optimizer = getattr(model, "optimizer", None)
    variables = list(model.variables) + list(getattr(optimizer, "variables", None) or [])
    if any(hasattr(v.value, "full_tensor") for v in variables):
        from layerkit.engine.torch.model_parallel import unshard
        unshard(variables)
