"""Elementwise math, bitwise and comparison ops on PyTorch (Keras 3 `keras.ops`
names beyond the basic arithmetic of numpy.py). torch functions that insist on
one dtype get both operands promoted first, with Python numbers weakly typed as
in Keras (int8 tensor + 3 stays int8)."""
import torch

from layerkit.engine.torch.core import convert_to_tensor

_T = torch.Tensor


def _t(x):
    return x if isinstance(x, _T) else convert_to_tensor(x)


def _float(x):
    x = _t(x)
    return x if x.is_floating_point() or x.is_complex() else x.float()


def _common(a, b, floating=False):
    """Both operands as tensors of their promoted dtype (float32 at least when
    `floating`)."""
    a = a if isinstance(a, (_T, int, float, bool)) else _t(a)
    b = b if isinstance(b, (_T, int, float, bool)) else _t(b)
    if not isinstance(a, _T) and not isinstance(b, _T):
        a = _t(a)
    dtype = torch.result_type(a, b)
    if floating and not (dtype.is_floating_point or dtype.is_complex):
        dtype = torch.float32
    ref = a if isinstance(a, _T) else b
    a = a.to(dtype) if isinstance(a, _T) else torch.tensor(a, dtype=dtype, device=ref.device)
    b = b.to(dtype) if isinstance(b, _T) else torch.tensor(b, dtype=dtype, device=ref.device)
    return a, b


def _unary_float(fn):
    def op(x):
        return fn(_float(x))
    op.__name__ = fn.__name__
    return op


def _binary(fn, floating=False):
    def op(x1, x2):
        return fn(*_common(x1, x2, floating))
    op.__name__ = fn.__name__
    return op


arccosh, arcsinh, arctanh = (_unary_float(torch.acosh), _unary_float(torch.asinh),
                             _unary_float(torch.atanh))
exp2 = _unary_float(torch.exp2)
sinc = _unary_float(torch.sinc)
i0 = _unary_float(torch.special.i0)
erfc, erfinv, rsqrt = _unary_float(torch.erfc), _unary_float(torch.erfinv), _unary_float(
    torch.rsqrt)
deg2rad, rad2deg = _unary_float(torch.deg2rad), _unary_float(torch.rad2deg)
hypot = _binary(torch.hypot, floating=True)
logaddexp2 = _binary(torch.logaddexp2, floating=True)
nextafter = _binary(torch.nextafter, floating=True)
fmax, fmin, fmod = _binary(torch.fmax), _binary(torch.fmin), _binary(torch.fmod)
gcd, lcm = _binary(torch.gcd), _binary(torch.lcm)
heaviside = _binary(torch.heaviside, floating=True)   # Keras: float32 for ints
bitwise_and, bitwise_or = _binary(torch.bitwise_and), _binary(torch.bitwise_or)
bitwise_xor = _binary(torch.bitwise_xor)
bitwise_left_shift = _binary(torch.bitwise_left_shift)
bitwise_right_shift = _binary(torch.bitwise_right_shift)


def cbrt(x):
    """torch has no cube root: sign(x) * |x|^(1/3)."""
    x = _float(x)
    return torch.sign(x) * torch.abs(x).pow(1.0 / 3.0)


def trunc(x):
    x = _t(x)
    return torch.trunc(x) if x.is_floating_point() else x


def signbit(x):
    return torch.signbit(_t(x))


def isneginf(x):
    return torch.isneginf(_t(x))


def isposinf(x):
    return torch.isposinf(_t(x))


def bitwise_invert(x):
    return torch.bitwise_not(_t(x))


def angle(x):
    x = _t(x)
    return torch.angle(x if x.is_complex() else _float(x))


def ldexp(x1, x2):
    x1, x2 = _t(x1), _t(x2)
    if x2.is_floating_point():
        raise TypeError(f"ldexp: the exponent x2 must be an integer tensor; received dtype "
                        f"{x2.dtype}.")
    dtype = torch.promote_types(x1.dtype, x2.dtype)
    dtype = dtype if dtype.is_floating_point else torch.float32
    return torch.ldexp(x1.to(dtype), x2).to(dtype)


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    x1, x2 = _common(x1, x2)
    return torch.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)


def isin(x1, x2, assume_unique=False, invert=False):
    x1, x2 = _common(x1, x2)
    return torch.isin(x1, x2, assume_unique=assume_unique, invert=invert)
