"""Activations and neural-network primitives on PyTorch."""
import torch
import torch.nn.functional as F

from layerkit.backend.torch.core import convert_to_tensor

_T = torch.Tensor


def _t(x):
    return x if isinstance(x, _T) else convert_to_tensor(x)


def relu(x):
    return torch.relu(_t(x))


def relu6(x):
    return F.relu6(_t(x))


def sigmoid(x):
    return torch.sigmoid(_t(x))


def tanh(x):
    return torch.tanh(_t(x))


def softplus(x):
    return F.softplus(_t(x))


def softsign(x):
    return F.softsign(_t(x))


def silu(x):
    return F.silu(_t(x))


swish = silu


def selu(x):
    return F.selu(_t(x))


def log_sigmoid(x):
    return F.logsigmoid(_t(x))


def elu(x, alpha=1.0):
    return F.elu(_t(x), alpha=alpha)


def leaky_relu(x, negative_slope=0.2):
    return F.leaky_relu(_t(x), negative_slope=negative_slope)


def gelu(x, approximate=True):
    return F.gelu(_t(x), approximate="tanh" if approximate else "none")


def hard_sigmoid(x):
    return F.relu6(_t(x) + 3.0) / 6.0


def softmax(x, axis=-1):
    return torch.softmax(_t(x), dim=axis)


def log_softmax(x, axis=-1):
    return torch.log_softmax(_t(x), dim=axis)


def one_hot(x, num_classes, axis=-1, dtype="float32"):
    from layerkit.backend.torch.core import to_torch_dtype
    out = F.one_hot(_t(x).long(), num_classes).to(to_torch_dtype(dtype))
    return out if axis == -1 else torch.moveaxis(out, -1, axis)


def moments(x, axes, keepdims=False):
    x = _t(x)
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else (axes,)
    mean = torch.mean(x, dim=axes, keepdim=True)
    variance = torch.mean(torch.square(x - mean.detach()), dim=axes, keepdim=True)
    if not keepdims:
        mean = mean.squeeze(axes)
        variance = variance.squeeze(axes)
    return mean, variance


def dense(x, kernel, bias=None):
    """x @ kernel + bias in one fused call (addmm for 2-D inputs)."""
    x = _t(x)
    if bias is not None and x.ndim == 2:
        return torch.addmm(bias, x, kernel)
    y = torch.matmul(x, kernel)
    return y if bias is None else y + bias
