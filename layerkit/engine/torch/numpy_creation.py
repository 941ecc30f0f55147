"""Array creation on PyTorch (Keras 3 `keras.ops` names): zeros, ones, full, eye,
arange, linspace, meshgrid, empty, copy, and the *_like forms."""
import builtins

import numpy as np
import torch

from layerkit import config
from layerkit.engine.torch.core import DEVICE, convert_to_tensor, to_torch_dtype

_T = torch.Tensor


def _t(x):
    return x if isinstance(x, _T) else convert_to_tensor(x)


def eye(N, M=None, k=0, dtype=None):
    return convert_to_tensor(np.eye(N, M, k), dtype=dtype or "float32")


def identity(n, dtype=None):
    return eye(n, dtype=dtype)


def linspace(start, stop, num=50, endpoint=True, dtype=None):
    if endpoint:
        out = torch.linspace(start, stop, num, device=DEVICE)
    else:
        out = torch.linspace(start, stop, num + 1, device=DEVICE)[:-1]
    return out.to(to_torch_dtype(dtype)) if dtype else out


def arange(start, stop=None, step=1, dtype=None):
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        floats = builtins.any(isinstance(v, float) for v in (start, stop, step))
        dtype = "float32" if floats else "int32"
    return torch.arange(start, stop, step, dtype=to_torch_dtype(dtype), device=DEVICE)


def _shape(shape):
    return (shape,) if isinstance(shape, int) else tuple(shape)


def zeros(shape, dtype=None):
    return torch.zeros(_shape(shape), dtype=to_torch_dtype(dtype or "float32"), device=DEVICE)


def ones(shape, dtype=None):
    return torch.ones(_shape(shape), dtype=to_torch_dtype(dtype or "float32"), device=DEVICE)


def full(shape, fill_value, dtype=None):
    fill = _t(fill_value)
    # floatx unless `dtype` says otherwise, whatever the fill value (Keras's rule).
    dt = to_torch_dtype(dtype or config.floatx())
    return torch.full(_shape(shape), fill.item() if fill.ndim == 0 else 0, dtype=dt,
                      device=DEVICE) if fill.ndim == 0 else torch.broadcast_to(
                          fill.to(dt), _shape(shape)).clone()


def zeros_like(x, dtype=None):
    return torch.zeros_like(_t(x), dtype=to_torch_dtype(dtype) if dtype else None)


def ones_like(x, dtype=None):
    return torch.ones_like(_t(x), dtype=to_torch_dtype(dtype) if dtype else None)


def full_like(x, fill_value, dtype=None):
    return torch.full_like(_t(x), fill_value, dtype=to_torch_dtype(dtype) if dtype else None)


def array(x, dtype=None):
    return convert_to_tensor(x, dtype=dtype)


def meshgrid(*x, indexing="xy"):
    """numpy.meshgrid: each output keeps its own input's dtype (torch.meshgrid
    would need one dtype for all). The outputs are broadcast views."""
    xs = [_t(v).reshape(-1) for v in x]
    axes = list(range(len(xs)))
    if indexing == "xy" and len(xs) >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(xs)
    for v, axis in zip(xs, axes):
        shape[axis] = v.shape[0]
    out = []
    for v, axis in zip(xs, axes):
        view = [1] * len(xs)
        view[axis] = -1
        out.append(v.reshape(view).expand(shape))
    return out


def empty(shape, dtype=None):
    """Uninitialised memory, as torch.empty; floatx by default, as in Keras."""
    return torch.empty(_shape(shape), dtype=to_torch_dtype(dtype or config.floatx()),
                       device=DEVICE)


def copy(x):
    return _t(x).clone()
