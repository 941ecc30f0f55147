"""Fourier transforms on PyTorch (Keras 3 `keras.ops` names): torch.fft. As in
Keras, a complex signal travels as a (real, imaginary) pair of float tensors."""
import torch

from layerkit.engine.torch.core import convert_to_tensor

_T = torch.Tensor


def _t(x):
    return x if isinstance(x, _T) else convert_to_tensor(x)


def _complex(x, op):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{op}: `x` must be a tuple (real, imaginary) of two float tensors; "
                         f"received {type(x).__name__}.")
    real, imag = _t(x[0]), _t(x[1])
    if real.shape != imag.shape:
        raise ValueError(f"{op}: the real and imaginary parts must have the same shape; "
                         f"received {tuple(real.shape)} and {tuple(imag.shape)}.")
    if not (real.is_floating_point() and imag.is_floating_point()):
        raise ValueError(f"{op}: the real and imaginary parts must be float tensors; "
                         f"received {real.dtype} and {imag.dtype}.")
    return torch.complex(real, imag.to(real.dtype))


def _pair(z):
    return z.real.contiguous(), z.imag.contiguous()


def fft(x):
    return _pair(torch.fft.fft(_complex(x, "fft")))


def fft2(x):
    return _pair(torch.fft.fft2(_complex(x, "fft2")))


def ifft2(x):
    return _pair(torch.fft.ifft2(_complex(x, "ifft2")))


def rfft(x, fft_length=None):
    x = _t(x)
    return _pair(torch.fft.rfft(x if x.is_floating_point() else x.float(), n=fft_length,
                                dim=-1))


def irfft(x, fft_length=None):
    return torch.fft.irfft(_complex(x, "irfft"), n=fft_length, dim=-1)


def view_as_complex(x):
    x = _t(x)
    return torch.view_as_complex(x.contiguous())


def view_as_real(x):
    x = _t(x)
    if not x.is_complex():   # a real input: its values and zero imaginary parts, as JAX
        return torch.stack([x, torch.zeros_like(x)], dim=-1)
    return torch.view_as_real(x).contiguous()
