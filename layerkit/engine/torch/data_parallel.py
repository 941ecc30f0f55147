"""Data parallelism on PyTorch: what the torch step adds when several processes train
one model, each on its share of every global batch.

- `GradientReducer`: gradients are averaged across processes in flat buckets, each
  all-reduced asynchronously as soon as the backward pass has produced all its
  gradients (tensor hooks on the trainable leaves), so communication overlaps the rest
  of the backward pass, as DDP does. Buckets launch in a fixed order on every process
  (gloo and NCCL need the same collective sequence everywhere). Gradients that fit in
  one bucket skip the hooks: with nothing to overlap, the bucket is filled after the
  backward pass (seed MLP under torchrun: the per-step hooks cost about 20% of a step
  more than DDP; benchmarks/bench_torch_grad_sync.py).
- `broadcast_variables`: process 0's initial weights, on every process.
- `reduced_metric_results`: metric states (sums and counts) summed across processes,
  so every process logs the numbers of the global batch.
- `all_gather_rows`: predictions of every process's rows, concatenated in rank order.
"""
import torch
import torch.distributed as dist

from layerkit.engine.torch import distribution
from layerkit.engine.torch.random import batch_share

# Bytes per bucket: large enough to amortize a collective's latency, small enough that
# the first bucket is ready early in the backward pass (DDP's default is 25 MiB).
BUCKET_BYTES = 25 * 2**20


def _wait(work, what):
    try:
        work.wait()
    except RuntimeError as e:
        raise distribution.collective_failed(e, what) from None


def run_collective(fn, what):
    try:
        return fn()
    except RuntimeError as e:
        raise distribution.collective_failed(e, what) from None


class _Bucket:
    def __init__(self, indices, shapes, dtype, device):
        self.indices = indices
        sizes = [int(torch.Size(s).numel()) for s in shapes]
        self.offsets = [sum(sizes[:i]) for i in range(len(sizes))]
        self.sizes = sizes
        self.shapes = shapes
        self.flat = torch.zeros(sum(sizes), dtype=dtype, device=device)
        self.filled = set()
        self.work = None

    def view(self, k):
        o = self.offsets[k]
        return self.flat[o:o + self.sizes[k]].view(self.shapes[k])


class GradientReducer:
    """Averages the gradients of `variables` across processes during the backward
    pass. Per step: `watch(leaves)` before autograd runs, `gradients()` after it."""

    def __init__(self, variables, bucket_bytes=None):
        bucket_bytes = BUCKET_BYTES if bucket_bytes is None else bucket_bytes
        self.world = dist.get_world_size()
        self.buckets, self.where = [], {}
        # Gradients arrive roughly last layer first: bucket in reverse order.
        order = [i for i in reversed(range(len(variables)))
                 if variables[i].value.is_floating_point()]
        current, size, dtype = [], 0, None
        for i in order:
            t = variables[i].value
            if current and (t.dtype != dtype or size + t.numel() * t.element_size()
                            > bucket_bytes):
                self._add(current, variables)
                current, size = [], 0
            current.append(i)
            size += t.numel() * t.element_size()
            dtype = t.dtype
        if current:
            self._add(current, variables)
        self.count = len(variables)
        self._handles = []
        self._next = 0

    def _add(self, indices, variables):
        first = variables[indices[0]].value
        bucket = _Bucket(indices, [tuple(variables[i].shape) for i in indices],
                         first.dtype, first.device)
        for k, i in enumerate(indices):
            self.where[i] = (len(self.buckets), k)
        self.buckets.append(bucket)

    def watch(self, leaves):
        """Hooks this step's leaf tensors (new ones each step: the optimizer rebinds)."""
        for b in self.buckets:
            b.filled.clear()
            b.work = None
        self._next = 0
        if len(self.buckets) < 2:
            return      # one bucket: nothing to overlap, it is filled after backward
        for i, leaf in enumerate(leaves):
            if i in self.where:
                self._handles.append(leaf.register_hook(self._hook(i)))

    def _hook(self, i):
        b_index, k = self.where[i]

        def hook(grad):
            bucket = self.buckets[b_index]
            bucket.view(k).copy_(grad)
            bucket.filled.add(k)
            if len(bucket.filled) == len(bucket.indices):
                self._launch_ready()
            return grad
        return hook

    def _launch_ready(self):
        # In bucket order only, so every process issues the same sequence.
        while self._next < len(self.buckets) and \
                len(self.buckets[self._next].filled) == len(self.buckets[self._next].indices):
            self._launch(self.buckets[self._next])
            self._next += 1

    def _launch(self, bucket):
        bucket.work = run_collective(lambda: dist.all_reduce(bucket.flat, async_op=True),
                                     "the gradient all-reduce")

    def gradients(self, local):
        """The averaged gradients, in `variables` order (`local`: autograd's result,
        None where a variable took no part; such a slot is reduced as zeros)."""
        for h in self._handles:
            h.remove()
        self._handles.clear()
        for bucket in self.buckets[self._next:]:
            for k, i in enumerate(bucket.indices):
                if k not in bucket.filled:
                    if local[i] is None:
                        bucket.view(k).zero_()
                    else:
                        bucket.view(k).copy_(local[i])
                    bucket.filled.add(k)
            self._launch(bucket)
        self._next = len(self.buckets)
        out = list(local)
        for bucket in self.buckets:
            _wait(bucket.work, "the gradient all-reduce")
            bucket.flat.div_(self.world)
            for k, i in enumerate(bucket.indices):
                out[i] = bucket.view(k)
        return out


def whole(t):
    """A tensor as a plain tensor: a DTensor (ModelParallel) made whole."""
    return t.full_tensor() if hasattr(t, "full_tensor") else t


def _through_flat(variables, collective, what):
    """`collective` applied to the Variables' values packed in one flat tensor per
    dtype (one message instead of one per Variable), the results assigned back."""
    by_dtype = {}
    for v in variables:
        by_dtype.setdefault(v.value.dtype, []).append(v)
    for group in by_dtype.values():
        flat = torch.cat([whole(v.value.detach()).reshape(-1) for v in group])
        run_collective(lambda: collective(flat), what)
        offset = 0
        for v in group:
            n = v.value.numel()
            v.assign(flat[offset:offset + n].view(v.value.shape).clone())
            offset += n


def seed_states(model):
    """The state Variables of the model's SeedGenerators."""
    return [g.state for g in getattr(model, "seed_generators", ())]


def broadcast_variables(variables):
    """Process 0's values of `variables`, assigned on every process."""
    _through_flat(variables, lambda flat: dist.broadcast(flat, src=0),
                  "the broadcast of the initial weights")


def average_variables(variables, group=None):
    """Each Variable's mean over the processes (of `group`, default all)."""
    def average(flat):
        dist.all_reduce(flat, group=group)
        flat.div_(dist.get_world_size(group))
    _through_flat(variables, average, "the moving-statistics average")


def reduced_metric_results(model, group=None):
    """model.metric_results() computed on the metric states summed across processes
    (of `group`, default all; Keras's metrics keep sums and counts, so the sum is the
    global batch's state); each process's own states are restored afterwards, to keep
    accumulating."""
    variables = list(model.metrics_variables())
    if not variables:
        return model.metric_results()
    local = [whole(v.value) for v in variables]
    flat = torch.cat([t.detach().reshape(-1).to(torch.float64) for t in local])
    run_collective(lambda: dist.all_reduce(flat, group=group), "the metric reduction")
    offset = 0
    for v, t in zip(variables, local):
        n = t.numel()
        v.assign(flat[offset:offset + n].view(t.shape).to(t.dtype))
        offset += n
    try:
        return model.metric_results()
    finally:
        for v, t in zip(variables, local):
            v.assign(t)


def leading_rows(structure):
    """The number of rows of a batch's first tensor (0 if it has none)."""
    if isinstance(structure, dict):
        structure = list(structure.values())
    if isinstance(structure, (list, tuple)):
        for part in structure:
            rows = leading_rows(part)
            if rows:
                return rows
        return 0
    return int(structure.shape[0]) if getattr(structure, "ndim", 0) else 0


def all_gather_rows(structure, group=None, order=None):
    """Every process's `structure` (tensors, lists, dicts of them) concatenated along
    the first axis in rank order (of `group`, default all processes; `order`: the
    group ranks in the order to concatenate); processes may hold different numbers
    of rows."""
    if structure is None:
        return None
    if isinstance(structure, dict):
        return {k: all_gather_rows(v, group, order) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(all_gather_rows(v, group, order) for v in structure)
    t = structure.detach().contiguous()
    world = dist.get_world_size(group)
    rows = torch.tensor([t.shape[0]], dtype=torch.int64, device=t.device)
    counts = [torch.zeros_like(rows) for _ in range(world)]
    run_collective(lambda: dist.all_gather(counts, rows, group=group), "the prediction gather")
    counts = [int(c) for c in counts]
    most = max(counts)
    if t.shape[0] < most:
        t = torch.cat([t, t.new_zeros((most - t.shape[0],) + tuple(t.shape[1:]))])
    parts = [torch.empty_like(t) for _ in range(world)]
    run_collective(lambda: dist.all_gather(parts, t, group=group), "the prediction gather")
    order = range(world) if order is None else order
    return torch.cat([parts[i][:counts[i]] for i in order])


class DataReplicas:
    """What a step does differently as one of several data-parallel replicas: the
    interface engine/torch/replicas.py's steps use (ModelShards has the same)."""

    def __init__(self, model, kind):
        # The seed states too: every process draws the global batch's noise from one
        # stream (a program that set no seed has a different one per process).
        broadcast_variables(list(model.trainable_variables) +
                            list(model.non_trainable_variables) + seed_states(model))
        self.world = dist.get_world_size()
        self.reducer = GradientReducer(list(model.trainable_variables)) \
            if kind == "train" else None
        # Moving statistics (BatchNormalization) move with each process's rows.
        self.moving = [v for v in model.non_trainable_variables
                       if v.value.is_floating_point()] if kind == "train" else []

    def enter(self):
        pass

    def sync(self):
        """The moving statistics averaged across processes, so every process holds the
        same weights when callbacks read them: exact for moving means (their update is
        linear in the batch means), the within-share variance for moving variances."""
        if self.moving:
            average_variables(self.moving)

    def context(self, x):
        """Random draws of the step: this process's rows of the global batch's."""
        return batch_share(dist.get_rank(), self.world, leading_rows(x))

    def batch(self, x, y, sw):
        return x, y, sw     # this process's rows: training/ cut them

    def watch(self, leaves):
        self.reducer.watch(leaves)

    def gradients(self, grads):
        return self.reducer.gradients(grads)

    def results(self, model):
        return reduced_metric_results(model)

    def outputs(self, out):
        return all_gather_rows(out)
