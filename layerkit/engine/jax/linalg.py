"""Linear algebra on JAX (Keras 3 `keras.ops.linalg`): jax.numpy.linalg and
jax.scipy.linalg. Integer inputs are taken as float32, as Keras does."""
import jax
import jax.numpy as jnp

from layerkit.engine.jax.core import convert_to_tensor


def _float(x):
    x = convert_to_tensor(x)
    return x if jnp.issubdtype(x.dtype, jnp.inexact) else x.astype("float32")


def cholesky(x, upper=False):
    """The Cholesky factor; NaN (JAX's answer for a matrix that is not positive
    definite) becomes a clear error when the values are concrete."""
    out = jnp.linalg.cholesky(_float(x), upper=upper)
    if not isinstance(out, jax.core.Tracer) and bool(jnp.any(jnp.isnan(out))):
        raise ValueError("cholesky: the input is not a positive definite matrix (the "
                         "decomposition failed).")
    return out


def cholesky_inverse(x, upper=False):
    """The inverse of A from its Cholesky factor (A = L L^T, or U^T U when upper)."""
    x = _float(x)
    eye = jnp.broadcast_to(jnp.eye(x.shape[-1], dtype=x.dtype), x.shape)
    factor = (jnp.swapaxes(x, -1, -2), False) if upper else (x, True)
    return jax.scipy.linalg.cho_solve(factor, eye)


def det(x):
    return jnp.linalg.det(_float(x))


def eig(x):
    """Eigenvalues and vectors of a general matrix (complex); CPU only in JAX."""
    return jnp.linalg.eig(_float(x))


def eigh(x):
    return tuple(jnp.linalg.eigh(_float(x)))


def inv(x):
    return jnp.linalg.inv(_float(x))


def lu_factor(x):
    """(lu, pivots): pivots are int32 row swaps (LAPACK order, 0-based)."""
    lu, pivots, _ = jax.lax.linalg.lu(_float(x))
    return lu, pivots


def lstsq(a, b, rcond=None):
    return jnp.linalg.lstsq(_float(a), _float(b), rcond=rcond)[0]


def matrix_rank(x, tol=None):
    return jnp.linalg.matrix_rank(_float(x), rtol=tol).astype("int32")


def pinv(x, rcond=None):
    return jnp.linalg.pinv(_float(x), rtol=rcond)


def qr(x, mode="reduced"):
    return tuple(jnp.linalg.qr(_float(x), mode=mode))


def solve(a, b):
    return jnp.linalg.solve(_float(a), _float(b))


def solve_triangular(a, b, lower=False):
    return jax.scipy.linalg.solve_triangular(_float(a), _float(b), lower=lower)


def svd(x, full_matrices=True, compute_uv=True):
    out = jnp.linalg.svd(_float(x), full_matrices=full_matrices, compute_uv=compute_uv)
    return tuple(out) if compute_uv else out


def slogdet(x):
    return tuple(jnp.linalg.slogdet(_float(x)))


def logdet(x):
    """log |det x| (slogdet: stabler than log(det(x)))."""
    return jnp.linalg.slogdet(_float(x))[1]


def jvp(fun, primals, tangents, has_aux=False):
    return jax.jvp(fun, primals, tangents, has_aux=has_aux)
