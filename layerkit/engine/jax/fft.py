"""Fourier transforms on JAX (Keras 3 `keras.ops` names). As in Keras, a complex
signal travels as a (real, imaginary) pair of float tensors."""
import jax.numpy as jnp

from layerkit.engine.jax.core import convert_to_tensor


def _complex(x, op):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{op}: `x` must be a tuple (real, imaginary) of two float tensors; "
                         f"received {type(x).__name__}.")
    real, imag = convert_to_tensor(x[0]), convert_to_tensor(x[1])
    if real.shape != imag.shape:
        raise ValueError(f"{op}: the real and imaginary parts must have the same shape; "
                         f"received {real.shape} and {imag.shape}.")
    if not (jnp.issubdtype(real.dtype, jnp.floating) and jnp.issubdtype(imag.dtype,
                                                                         jnp.floating)):
        raise ValueError(f"{op}: the real and imaginary parts must be float tensors; "
                         f"received {real.dtype} and {imag.dtype}.")
    return jnp.asarray(real) + 1j * jnp.asarray(imag)


def _pair(z):
    return jnp.real(z), jnp.imag(z)


def fft(x):
    return _pair(jnp.fft.fft(_complex(x, "fft")))


def fft2(x):
    return _pair(jnp.fft.fft2(_complex(x, "fft2")))


def ifft2(x):
    return _pair(jnp.fft.ifft2(_complex(x, "ifft2")))


def rfft(x, fft_length=None):
    return _pair(jnp.fft.rfft(convert_to_tensor(x), n=fft_length, axis=-1))


def irfft(x, fft_length=None):
    return jnp.fft.irfft(_complex(x, "irfft"), n=fft_length, axis=-1)


def view_as_complex(x):
    x = convert_to_tensor(x)
    return jnp.asarray(x[..., 0]) + 1j * jnp.asarray(x[..., 1])


def view_as_real(x):
    x = convert_to_tensor(x)
    return jnp.stack([jnp.real(x), jnp.imag(x)], axis=-1)
