"""Sampling from explicit seed state on PyTorch.

A SeedGenerator's state is a non-trainable int64[2] Variable (seed, counter), as
on JAX (uint32[2] there), so it is part of `get_state()`'s `seeds` group and a
restored state repeats the same draws. Each draw reads (seed, counter), seeds a
torch.Generator from the pair and advances the counter through the Variable
(`assign`, so a stateless scope sees it too). The same seed gives the same
stream on one engine; the two engines' streams differ (threefry on JAX,
mt19937 or Philox here), so masks are not identical across engines.

Why re-seed a generator on every draw instead of keeping one running: a running
generator's position depends on every earlier draw, so a saved (seed, counter)
could not bring it back. Re-seeding costs ~3 us (mt19937's 624-word init) and the
counter update ~3 us, against ~90 us for the seed MLP's 128x64 dropout mask.
The CPU generator (mt19937) takes a 32-bit seed: the low 32 bits mix seed and
counter so that one generator's counters never collide (below 2**32 draws);
CUDA's Philox takes all 64 bits.

The state tensor stays on the CPU even with a GPU, so reading it never waits on
the device.

Several processes (DataParallel under torchrun, or ModelParallel's batch axis):
every process holds the same seed state but different rows of the global batch.
Inside `batch_share(index, parts, rows)`, which the replicated step enters, a draw
whose first dimension is `rows` is drawn for the whole global batch (`rows * parts`)
and cut to this process's rows, so each process's noise differs and equals what
one process draws at the same global batch (as on JAX, where the jitted step draws
over the global array). The cost: every process draws the global batch's noise,
P times its own share (a Dropout on 64 of 128 rows x 64 units: 45 us instead of
29 us per step, one CPU thread, against a step of about 1 ms). Folding the process
index into the seed instead would cost nothing but give other noise than one
process. A shuffle or a categorical draw cannot be cut that way (it depends on the
rows' values): there each process folds its index into the seed.
"""
import contextlib
import threading

import torch

from layerkit.engine.common.stateless_scope import OPEN
from layerkit.engine.torch.core import DEVICE, Variable, convert_to_tensor, to_torch_dtype

_ONE = torch.tensor([0, 1], dtype=torch.int64)


def make_seed_state(seed, name):
    """The state a SeedGenerator keeps: a non-trainable int64[2] (seed, counter) Variable."""
    return Variable(_initial(seed), dtype="int64", trainable=False, name=name)


def _initial(seed):
    return torch.tensor([int(seed) & 0xFFFFFFFF, 0], dtype=torch.int64)


def reseed(state, seed):
    state.assign(_initial(seed))


class _Generators(threading.local):
    """One torch.Generator per device and thread (re-seeded before each draw)."""

    def __init__(self):
        self.by_device = {}


_GENERATORS = _Generators()


class _Share(threading.local):
    """(index, parts, rows) while a replicated step runs, else None."""

    def __init__(self):
        self.value = None


_SHARE = _Share()


@contextlib.contextmanager
def batch_share(index, parts, rows):
    """Draws inside are those of the global batch of `rows * parts` rows, cut to
    rows [index * rows, (index + 1) * rows) (this process's share)."""
    previous = _SHARE.value
    _SHARE.value = (int(index), int(parts), int(rows)) if parts > 1 else None
    try:
        yield
    finally:
        _SHARE.value = previous


def _global(shape):
    """The shape to draw and the slice of it that is this process's, or None."""
    shape = tuple(shape)
    share = _SHARE.value
    if share is None or not shape or shape[0] != share[2]:
        return shape, None
    index, parts, rows = share
    return (rows * parts,) + shape[1:], slice(index * rows, (index + 1) * rows)


def _cut(out, where):
    return out if where is None else out[where]


def _gen(seed_generator, device=DEVICE, fold_process=False):
    state = seed_generator.state
    value = state.value
    seed, counter = value.tolist()
    if OPEN:
        state.assign(value + _ONE)          # recorded by the open stateless scope
    else:
        state._direct_assign(value + _ONE)  # same dtype and shape: skip assign's checks
    gen = _GENERATORS.by_device.get(device)     # keyed as given: "cpu" or a torch.device
    if gen is None:
        gen = _GENERATORS.by_device[device] = torch.Generator(device=device)
    if fold_process and _SHARE.value is not None:
        seed = (seed + 0x632BE5AB * (_SHARE.value[0] + 1)) & 0xFFFFFFFF
    low = (seed * 0x9E3779B1 + counter * 0x85EBCA77) & 0xFFFFFFFF
    gen.manual_seed((seed << 32) | low)
    return gen


def normal(shape, mean=0.0, stddev=1.0, dtype="float32", seed=None):
    shape, where = _global(shape)
    out = torch.randn(shape, generator=_gen(seed), dtype=to_torch_dtype(dtype),
                      device=DEVICE)
    return _cut(out, where) * stddev + mean


def uniform(shape, minval=0.0, maxval=1.0, dtype="float32", seed=None):
    shape, where = _global(shape)
    out = torch.rand(shape, generator=_gen(seed), dtype=to_torch_dtype(dtype),
                     device=DEVICE)
    return _cut(out, where) * (maxval - minval) + minval


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype="float32", seed=None):
    shape, where = _global(shape)
    out = torch.empty(shape, dtype=to_torch_dtype(dtype), device=DEVICE)
    torch.nn.init.trunc_normal_(out, 0.0, 1.0, -2.0, 2.0, generator=_gen(seed))
    return _cut(out, where) * stddev + mean


def randint(shape, minval, maxval, dtype="int32", seed=None):
    shape, where = _global(shape)
    return _cut(torch.randint(minval, maxval, shape, generator=_gen(seed),
                              dtype=to_torch_dtype(dtype), device=DEVICE), where)


def dropout(x, rate, noise_shape=None, seed=None):
    x = convert_to_tensor(x)
    keep = 1.0 - rate
    if noise_shape is None:
        shape = x.shape
    else:
        shape = tuple(x.shape[i] if d is None else d for i, d in enumerate(noise_shape))
    # rand < keep is ~2x faster than bernoulli_ on CPU. The mask never requires grad,
    # so autograd records only the final multiply (no no_grad block to enter).
    # A noise_shape whose first entry is set shares one mask over the batch's rows.
    shape, where = _global(shape) if noise_shape is None or noise_shape[0] is None \
        else (shape, None)
    mask = torch.rand(shape, generator=_gen(seed, x.device), dtype=x.dtype, device=x.device)
    mask = _cut(mask, where).lt_(keep).mul_(1.0 / keep)   # in place: 0 or 1/keep, x's dtype
    return x * mask


def shuffle(x, axis=0, seed=None):
    x = convert_to_tensor(x)
    perm = torch.randperm(x.shape[axis], generator=_gen(seed, x.device, fold_process=True),
                          device=x.device)
    return torch.index_select(x, axis, perm)


def categorical(logits, num_samples, dtype="int32", seed=None):
    probs = torch.softmax(convert_to_tensor(logits), dim=-1)
    out = torch.multinomial(probs, num_samples, replacement=True,
                            generator=_gen(seed, probs.device, fold_process=True))
    return out.to(to_torch_dtype(dtype))
