"""Elementwise math, bitwise and comparison ops on JAX (Keras 3 `keras.ops` names
beyond the basic arithmetic of numpy.py). jax.numpy's promotion with 64-bit types
off is the promotion Keras 3 uses, so most are jax.numpy's own."""
import jax
import jax.numpy as jnp

from layerkit.engine.jax.core import convert_to_tensor


def _floating(x):
    """`x` as a float tensor: integers and bools become float32, floats stay."""
    x = convert_to_tensor(x)
    return x if jnp.issubdtype(x.dtype, jnp.inexact) else x.astype("float32")


arccosh, arcsinh, arctanh = jnp.arccosh, jnp.arcsinh, jnp.arctanh
cbrt = jnp.cbrt
exp2 = jnp.exp2
signbit = jnp.signbit
sinc = jnp.sinc
hypot = jnp.hypot
fmax, fmin, fmod = jnp.fmax, jnp.fmin, jnp.fmod
gcd, lcm = jnp.gcd, jnp.lcm
heaviside = jnp.heaviside
nextafter = jnp.nextafter
isneginf, isposinf = jnp.isneginf, jnp.isposinf
deg2rad, rad2deg = jnp.deg2rad, jnp.rad2deg
bitwise_and, bitwise_or, bitwise_xor = jnp.bitwise_and, jnp.bitwise_or, jnp.bitwise_xor
bitwise_invert = jnp.bitwise_invert
bitwise_left_shift, bitwise_right_shift = jnp.left_shift, jnp.right_shift


def trunc(x):
    x = convert_to_tensor(x)
    return x if not jnp.issubdtype(x.dtype, jnp.inexact) else jnp.trunc(x)


def i0(x):
    return jnp.i0(_floating(x))


def angle(x):
    return jnp.angle(_floating(x))


def erfc(x):
    return jax.scipy.special.erfc(_floating(x))


def erfinv(x):
    return jax.scipy.special.erfinv(_floating(x))


def rsqrt(x):
    return jax.lax.rsqrt(_floating(x))


def ldexp(x1, x2):
    return jnp.ldexp(x1, x2)


def logaddexp2(x1, x2):
    x1, x2 = convert_to_tensor(x1), convert_to_tensor(x2)
    dtype = jnp.result_type(x1.dtype, x2.dtype, float)
    return jnp.logaddexp2(x1.astype(dtype), x2.astype(dtype))


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    return jnp.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)


def isin(x1, x2, assume_unique=False, invert=False):
    return jnp.isin(x1, x2, assume_unique=assume_unique, invert=invert)
