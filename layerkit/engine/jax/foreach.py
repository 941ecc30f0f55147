"""Multi-tensor (list) ops for optimizer updates. Traced once under jit, so a list
comprehension compiles to the same fused program as a hand-written update."""
import jax.numpy as jnp


def _pairs(xs, ys):
    if isinstance(ys, (list, tuple)):
        return zip(xs, ys)
    return ((x, ys) for x in xs)


def add(xs, ys, alpha=1.0):
    return [x + alpha * y for x, y in _pairs(xs, ys)]


def sub(xs, ys):
    return [x - y for x, y in _pairs(xs, ys)]


def mul(xs, ys):
    return [x * y for x, y in _pairs(xs, ys)]


def div(xs, ys):
    return [x / y for x, y in _pairs(xs, ys)]


def addcmul(xs, ys, zs, value=1.0):
    return [x + value * y * z for x, y, z in zip(xs, ys, zs)]


def addcdiv(xs, ys, zs, value=1.0):
    return [x + value * y / z for x, y, z in zip(xs, ys, zs)]


def lerp(xs, ys, weight):
    return [x + weight * (y - x) for x, y in zip(xs, ys)]


def sqrt(xs):
    return [jnp.sqrt(x) for x in xs]


def square(xs):
    return [jnp.square(x) for x in xs]


def abs(xs):
    return [jnp.abs(x) for x in xs]


def sign(xs):
    return [jnp.sign(x) for x in xs]


def maximum(xs, ys):
    return [jnp.maximum(x, y) for x, y in _pairs(xs, ys)]


def clip(xs, lo, hi):
    return [jnp.clip(x, lo, hi) for x in xs]


def norm(xs):
    return [jnp.sqrt(jnp.sum(jnp.square(x))) for x in xs]


def copy(xs):
    return list(xs)


# In place on PyTorch (for lists an update made itself); arrays are immutable here, so
# these are the functions above.
add_, mul_, div_, addcmul_, sqrt_ = add, mul, div, addcmul, sqrt
