"""Control flow on JAX (Keras 3 `keras.ops` names): each compiles to its lax
primitive (cond, switch, scan, while_loop, fori_loop, associative_scan) or to
vmap, so it traces once inside jit and differentiates with JAX's autodiff."""
import jax

from layerkit.engine.common.variables import Variable as _Variable
from layerkit.utils import tree


def switch(index, branches, *operands):
    return jax.lax.switch(index, branches, *operands)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    return jax.lax.scan(f, init, xs=xs, length=length, reverse=reverse, unroll=unroll)


def fori_loop(lower, upper, body_fun, init_val):
    return jax.lax.fori_loop(lower, upper, body_fun, init_val)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Keras's while_loop: `cond` and `body` take the loop variables unpacked (a
    tuple/list of them) and `body` returns them in the same structure."""
    is_sequence = isinstance(loop_vars, (tuple, list))
    state = tuple(loop_vars) if is_sequence else (loop_vars,)
    limit = maximum_iterations

    def as_tuple(out):
        return tuple(out) if is_sequence else (out,)

    if limit is None:
        out = jax.lax.while_loop(lambda s: cond(*s), lambda s: as_tuple(body(*s)), state)
    else:
        out = jax.lax.while_loop(lambda s: jax.numpy.logical_and(cond(*s[0]), s[1] < limit),
                                 lambda s: (as_tuple(body(*s[0])), s[1] + 1), (state, 0))[0]
    return out if is_sequence else out[0]


def map(f, xs):
    return jax.lax.map(f, xs)


def associative_scan(f, elems, reverse=False, axis=0):
    return jax.lax.associative_scan(f, elems, reverse=reverse, axis=axis)


def vectorized_map(function, elements):
    return jax.vmap(function)(elements)


def custom_gradient(f):
    """`f(*args)` returns (output, grad_fn); grad_fn(upstream) gives the gradients of
    the arguments. Variables among the arguments are read as their values."""
    wrapped = jax.custom_gradient(f)

    def call(*args, **kwargs):
        args, kwargs = tree.map_structure(
            lambda x: x.value if isinstance(x, _Variable) else x, (args, kwargs))
        return wrapped(*args, **kwargs)

    return call
