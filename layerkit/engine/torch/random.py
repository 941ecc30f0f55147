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
"""
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


def _gen(seed_generator, device=DEVICE):
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
    low = (seed * 0x9E3779B1 + counter * 0x85EBCA77) & 0xFFFFFFFF
    gen.manual_seed((seed << 32) | low)
    return gen


def normal(shape, mean=0.0, stddev=1.0, dtype="float32", seed=None):
    out = torch.randn(tuple(shape), generator=_gen(seed), dtype=to_torch_dtype(dtype),
                      device=DEVICE)
    return out * stddev + mean


def uniform(shape, minval=0.0, maxval=1.0, dtype="float32", seed=None):
    out = torch.rand(tuple(shape), generator=_gen(seed), dtype=to_torch_dtype(dtype),
                     device=DEVICE)
    return out * (maxval - minval) + minval


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype="float32", seed=None):
    out = torch.empty(tuple(shape), dtype=to_torch_dtype(dtype), device=DEVICE)
    torch.nn.init.trunc_normal_(out, 0.0, 1.0, -2.0, 2.0, generator=_gen(seed))
    return out * stddev + mean


def randint(shape, minval, maxval, dtype="int32", seed=None):
    return torch.randint(minval, maxval, tuple(shape), generator=_gen(seed),
                         dtype=to_torch_dtype(dtype), device=DEVICE)


def dropout(x, rate, noise_shape=None, seed=None):
    x = convert_to_tensor(x)
    keep = 1.0 - rate
    if noise_shape is None:
        shape = x.shape
    else:
        shape = tuple(x.shape[i] if d is None else d for i, d in enumerate(noise_shape))
    # rand < keep is ~2x faster than bernoulli_ on CPU. The mask never requires grad,
    # so autograd records only the final multiply (no no_grad block to enter).
    mask = torch.rand(shape, generator=_gen(seed, x.device), dtype=x.dtype, device=x.device)
    mask = mask.lt_(keep).mul_(1.0 / keep)   # in place: 0 or 1/keep, x's dtype
    return x * mask


def shuffle(x, axis=0, seed=None):
    x = convert_to_tensor(x)
    perm = torch.randperm(x.shape[axis], generator=_gen(seed, x.device), device=x.device)
    return torch.index_select(x, axis, perm)


def categorical(logits, num_samples, dtype="int32", seed=None):
    probs = torch.softmax(convert_to_tensor(logits), dim=-1)
    out = torch.multinomial(probs, num_samples, replacement=True,
                            generator=_gen(seed, probs.device))
    return out.to(to_torch_dtype(dtype))
