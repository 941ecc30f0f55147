"""Sampling from explicit seed state on PyTorch.

A SeedGenerator's state is a torch.Generator seeded once from the seed; every
draw advances it, so the same seed gives the same sequence of draws.
"""
import torch

from layerkit.engine.torch.core import DEVICE, convert_to_tensor, to_torch_dtype


class SeedState:
    def __init__(self, seed, name):
        self.name = name
        self.generator = torch.Generator(device=DEVICE)
        self.generator.manual_seed(int(seed))


def make_seed_state(seed, name):
    return SeedState(seed, name)


def reseed(state, seed):
    state.generator.manual_seed(int(seed))


def _gen(seed_generator):
    return seed_generator.state.generator


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
    mask = torch.rand(shape, generator=_gen(seed), dtype=x.dtype, device=x.device)
    mask = mask.lt_(keep).mul_(1.0 / keep)   # in place: 0 or 1/keep, x's dtype
    return x * mask


def shuffle(x, axis=0, seed=None):
    x = convert_to_tensor(x)
    perm = torch.randperm(x.shape[axis], generator=_gen(seed), device=DEVICE)
    return torch.index_select(x, axis, perm)


def categorical(logits, num_samples, dtype="int32", seed=None):
    probs = torch.softmax(convert_to_tensor(logits), dim=-1)
    out = torch.multinomial(probs, num_samples, replacement=True, generator=_gen(seed))
    return out.to(to_torch_dtype(dtype))
