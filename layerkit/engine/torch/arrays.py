"""Array-shaping and building ops on PyTorch (Keras 3 `keras.ops` names beyond
numpy.py): splits and stacks, rotations, products of arrays, windows, index maths,
and slice_update. Where numpy and torch define a result differently (argpartition's
order, correlate's 'same' window) the numpy/JAX answer is given."""
import builtins

import numpy as np
import torch

from layerkit import config
from layerkit.engine.torch.core import DEVICE, convert_to_tensor, to_torch_dtype

_T = torch.Tensor


def _t(x):
    return x if isinstance(x, _T) else convert_to_tensor(x)


def _promoted(xs):
    xs = [_t(x) for x in xs]
    dtype = xs[0].dtype
    for x in xs[1:]:
        dtype = torch.promote_types(dtype, x.dtype)
    return [x.to(dtype) for x in xs]


def dstack(xs):
    return torch.dstack(_promoted(xs))


def rot90(array, k=1, axes=(0, 1)):
    return torch.rot90(_t(array), k, dims=tuple(axes))


def kron(x1, x2):
    return torch.kron(*_promoted([x1, x2]))


def inner(x1, x2):
    return torch.inner(*_promoted([x1, x2]))


def vander(x, N=None, increasing=False):
    return torch.vander(_t(x), N=N, increasing=increasing)


def diagflat(x, k=0):
    return torch.diagflat(_t(x), offset=k)


def array_split(x, indices_or_sections, axis=0):
    return list(torch.tensor_split(_t(x), indices_or_sections, dim=axis))


def append(x1, x2, axis=None):
    x1, x2 = _promoted([x1, x2])
    if axis is None:
        return torch.cat([x1.flatten(), x2.flatten()])
    return torch.cat([x1, x2], dim=axis)


def vdot(x1, x2):
    """numpy's vdot: both flattened, the first conjugated (2-D inputs too)."""
    x1, x2 = _promoted([x1, x2])
    return torch.vdot(x1.flatten(), x2.flatten())


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """numpy.cross, 2-vectors included (taken with a zero third component; two
    2-vectors give the scalar z component)."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = _promoted([x1, x2])
    a, b = torch.moveaxis(a, axisa, -1), torch.moveaxis(b, axisb, -1)
    sizes = (a.shape[-1], b.shape[-1])
    if builtins.any(s not in (2, 3) for s in sizes):
        raise ValueError(f"cross: the vector axes must have 2 or 3 components; received "
                         f"{sizes[0]} and {sizes[1]}.")
    a = torch.nn.functional.pad(a, (0, 3 - sizes[0]))
    b = torch.nn.functional.pad(b, (0, 3 - sizes[1]))
    a, b = torch.broadcast_tensors(a, b)
    out = torch.linalg.cross(a, b, dim=-1)
    if sizes == (2, 2):
        return out[..., 2]
    return torch.moveaxis(out, -1, axisc)


def correlate(x1, x2, mode="valid"):
    """numpy.correlate of two 1-D tensors: c[k] = sum_n a[n + k] * v[n]."""
    a, v = _promoted([x1, x2])
    dtype = a.dtype
    swapped = v.shape[0] > a.shape[0]
    if swapped:
        a, v = v, a
    work = a.to(torch.float64 if dtype == torch.float64 else torch.float32)
    kernel = v.to(work.dtype)
    n = kernel.shape[0]
    full = torch.nn.functional.conv1d(work[None, None], kernel[None, None],
                                      padding=n - 1)[0, 0]
    if mode == "full":
        out = full
    elif mode == "same":
        start = (n - 1) // 2 if not swapped else n // 2
        out = full[start:start + a.shape[0]]
    elif mode == "valid":
        out = full[n - 1:full.shape[0] - n + 1]
    else:
        raise ValueError(f"correlate: mode must be 'valid', 'same' or 'full'; received "
                         f"{mode!r}.")
    if swapped:
        out = torch.flip(out, (0,))
    # Integer inputs give floats, as Keras gives (float64 for int64).
    return out.to(dtype if dtype.is_floating_point else
                  torch.float64 if dtype == torch.int64 else torch.float32)


def diff(a, n=1, axis=-1):
    return torch.diff(_t(a), n=n, dim=axis)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    y = _t(y)
    if not y.is_floating_point():
        y = y.float()
    if x is not None:
        return torch.trapezoid(y, _t(x).to(y.dtype), dim=axis)
    return torch.trapezoid(y, dx=dx, dim=axis)


def select(condlist, choicelist, default=0):
    """The first choice whose condition holds, `default` where none does."""
    choices = _promoted(list(choicelist))
    out = torch.full_like(choices[0], default) if not isinstance(default, _T) else default
    for cond, choice in zip(reversed(list(condlist)), reversed(choices)):
        out = torch.where(_t(cond).bool(), choice, out)
    return out


def unravel_index(indices, shape):
    indices = _t(indices)
    dtype = indices.dtype if not indices.is_floating_point() else torch.int32
    return tuple(i.to(dtype) for i in torch.unravel_index(indices, tuple(shape)))


def argpartition(x, kth, axis=-1):
    """JAX's (and Keras's) order: the kth + 1 smallest in ascending order (ties by
    position), then the other indices in increasing position."""
    x = _t(x)
    if axis is None:
        x, axis = x.flatten(), 0
    x = torch.moveaxis(x, axis, -1)
    n = x.shape[-1]
    kth = kth % n
    bottom = torch.argsort(x, dim=-1, stable=True)[..., :kth + 1]
    chosen = torch.zeros(x.shape, dtype=torch.int8, device=x.device).scatter_(-1, bottom, 1)
    rest = torch.argsort(chosen, dim=-1, stable=True)[..., :n - kth - 1]
    return torch.moveaxis(torch.cat([bottom, rest], dim=-1), -1, axis).to(torch.int32)


def view(x, dtype=None):
    x = _t(x)
    return x if dtype is None else x.view(to_torch_dtype(dtype))


def tri(N, M=None, k=0, dtype=None):
    dtype = to_torch_dtype(dtype or config.floatx())
    ones = torch.ones((N, N if M is None else M), dtype=dtype, device=DEVICE)
    return torch.tril(ones, diagonal=k)


def _host(fn, dtype, *args, **kwargs):
    """A creation op from Python numbers, computed by numpy (float64) on the host and
    stored as float32 unless `dtype` says otherwise, as JAX gives."""
    out = fn(*args, **kwargs)
    return convert_to_tensor(out, dtype=dtype or ("float32" if out.dtype.kind == "f"
                                                  else None))


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    return _host(np.logspace, dtype, start, stop, num=num, endpoint=endpoint, base=base,
                 axis=axis)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    return _host(np.geomspace, dtype, start, stop, num=num, endpoint=endpoint, axis=axis)


def empty_like(x, dtype=None):
    x = _t(x)
    return torch.empty_like(x, dtype=to_torch_dtype(dtype) if dtype else None)


def _window(fn):
    def window(x):
        return fn(int(x), periodic=False, dtype=to_torch_dtype(config.floatx()), device=DEVICE)
    return window


bartlett, blackman = _window(torch.bartlett_window), _window(torch.blackman_window)
hamming, hanning = _window(torch.hamming_window), _window(torch.hann_window)


def kaiser(x, beta):
    return torch.kaiser_window(int(x), periodic=False, beta=float(beta),
                               dtype=to_torch_dtype(config.floatx()), device=DEVICE)


def slice_update(inputs, start_indices, updates):
    """`inputs` with the block at `start_indices` replaced by `updates` (a new tensor:
    autograd sees a copy and an index_put). Starts are clamped into range as
    jax.lax.dynamic_update_slice does."""
    out, updates = _t(inputs).clone(), _t(updates)
    key = tuple(builtins.slice(s, s + n) for s, n in zip(
        (builtins.min(builtins.max(int(s), 0), d - n) for s, d, n in
         zip(start_indices, out.shape, updates.shape)), updates.shape))
    out[key] = updates.to(out.dtype)
    return out


def unstack(x, num=None, axis=0):
    return list(torch.unbind(_t(x), dim=axis))
