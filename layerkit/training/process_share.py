"""Several devices or processes: each process's share of a global batch.

Every process passes the full global arrays (or the same generator) to
fit/evaluate/predict; each takes the contiguous rows [p*B/P, (p+1)*B/P) of every
global batch of B rows (P shares, p this process's: the engine's data_share(); on
torch's ModelParallel the processes of one model replica feed the same share) and
the engine assembles the global batch from the shares. One process with several
devices keeps the whole batch; the engine splits it over its devices.
"""
import warnings

import numpy as np

from layerkit import engine
from layerkit.engine.common.distribution_plan import get_plan
from layerkit.utils.tree import flatten, map_structure


def active():
    """Whether a distribution is set."""
    return get_plan() is not None


def drop_stale_runners(model):
    """Compiled steps are made for one distribution: after set_distribution() the
    model's runners write their state back and are made anew."""
    plan = get_plan()
    runners = model.__dict__.setdefault("_runners", {})
    if runners and model.__dict__.get("_runners_plan", None) is not plan:
        for runner in runners.values():
            runner.sync()
        runners.clear()
    model.__dict__["_runners_plan"] = plan


def check_layouts(model):
    """Warns about LayoutMap keys that match none of the model's Variables (a typo
    leaves a Variable replicated). Keras ignores them silently; a warning, not an
    error, since one LayoutMap may serve several models."""
    plan = get_plan()
    if plan is None or not plan.layouts:
        return
    paths = [v.path for v in model.variables]
    unmatched = [key for key, _ in plan.layouts
                 if not any(key in plan.matching_patterns(p) for p in paths)]
    if unmatched:
        warnings.warn(f"LayoutMap key(s) {unmatched} match no Variable of model "
                      f"{model.name!r}, so the Variables they were meant for stay "
                      f"replicated. The model's Variable paths are: {paths}.", stacklevel=3)


def batch_rows(batch, stacked=False):
    """The number of rows of a batch (of each of the stacked batches)."""
    leaves = [a for a in flatten(batch) if a is not None]
    if not leaves:
        return 0
    return int(np.shape(leaves[0])[1 if stacked else 0])


def share(batch, stacked=False, what="batch"):
    """This process's rows of a global batch (x, (x, y, sw) ...): the whole batch with
    one process. Raises when the batch does not divide by the replicas."""
    plan = get_plan()
    if plan is None:
        return batch
    rows = batch_rows(batch, stacked)
    p, shares = engine.distribution.data_share()
    replicas = plan.num_replicas
    for parts, name in ((replicas, "model replicas (devices along the mesh's batch axis "
                         f"{plan.batch_axis!r})"), (shares, "processes that split it")):
        if rows % parts:
            raise ValueError(
                f"The global {what} size {rows} does not divide by the {parts} {name}. "
                f"Pick a batch_size that is a multiple of {parts}, and a number of samples "
                f"that is one too (the last batch holds the remainder).")
    if shares == 1:
        return batch
    per = rows // shares
    cut = slice(p * per, (p + 1) * per)
    take = (lambda a: a[:, cut]) if stacked else (lambda a: a[cut])
    return map_structure(lambda a: None if a is None else take(np.asarray(a)), batch)


def pad_rows(x):
    """predict's last batch padded (repeating its last row) to a multiple of the
    replicas and processes; returns (x, the number of real rows)."""
    plan = get_plan()
    rows = batch_rows(x)
    if plan is None or rows == 0:
        return x, rows
    step = np.lcm(plan.num_replicas, engine.distribution.data_share()[1])
    extra = (-rows) % step
    if not extra:
        return x, rows
    return map_structure(lambda a: np.concatenate(
        [np.asarray(a), np.repeat(np.asarray(a)[-1:], extra, axis=0)]), x), rows
