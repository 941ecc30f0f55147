"""Linear algebra on PyTorch (Keras 3 `keras.ops.linalg`): torch.linalg. Integer
inputs are taken as float32, as Keras does; index results are int32."""
import torch

from layerkit.engine.torch.core import convert_to_tensor

_T = torch.Tensor


def _float(x):
    x = x if isinstance(x, _T) else convert_to_tensor(x)
    return x if x.is_floating_point() or x.is_complex() else x.float()


def cholesky(x, upper=False):
    return torch.linalg.cholesky(_float(x), upper=upper)


def cholesky_inverse(x, upper=False):
    """The inverse of A from its Cholesky factor (A = L L^T, or U^T U when upper)."""
    return torch.cholesky_inverse(_float(x), upper=upper)


def det(x):
    return torch.linalg.det(_float(x))


def eig(x):
    return tuple(torch.linalg.eig(_float(x)))


def eigh(x):
    return tuple(torch.linalg.eigh(_float(x)))


def inv(x):
    return torch.linalg.inv(_float(x))


def lu_factor(x):
    """(lu, pivots) with 0-based int32 pivots, as LAPACK's getrf (and JAX) give."""
    lu, pivots = torch.linalg.lu_factor(_float(x))
    return lu, (pivots - 1).to(torch.int32)


def lstsq(a, b, rcond=None):
    a, b = _float(a), _float(b)
    vector = b.ndim == a.ndim - 1
    # gelsd works for rank-deficient and non-square systems on CPU, as numpy's lstsq.
    driver = "gelsd" if a.device.type == "cpu" else None
    out = torch.linalg.lstsq(a, b[..., None] if vector else b, rcond=rcond,
                             driver=driver).solution
    return out[..., 0] if vector else out


def matrix_rank(x, tol=None):
    return torch.linalg.matrix_rank(_float(x), atol=tol).to(torch.int32) if tol is not None \
        else torch.linalg.matrix_rank(_float(x)).to(torch.int32)


def pinv(x, rcond=None):
    x = _float(x)
    return torch.linalg.pinv(x) if rcond is None else torch.linalg.pinv(x, rtol=rcond)


def qr(x, mode="reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete'; received {mode!r}.")
    return tuple(torch.linalg.qr(_float(x), mode=mode))


def solve(a, b):
    a, b = _float(a), _float(b)
    return torch.linalg.solve(a, b)


def solve_triangular(a, b, lower=False):
    a, b = _float(a), _float(b)
    vector = b.ndim == a.ndim - 1
    out = torch.linalg.solve_triangular(a, b[..., None] if vector else b, upper=not lower)
    return out[..., 0] if vector else out


def svd(x, full_matrices=True, compute_uv=True):
    x = _float(x)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    return tuple(torch.linalg.svd(x, full_matrices=full_matrices))


def slogdet(x):
    return tuple(torch.linalg.slogdet(_float(x)))


def logdet(x):
    return torch.linalg.slogdet(_float(x))[1]


def jvp(fun, primals, tangents, has_aux=False):
    """(fun(*primals), its directional derivative along `tangents`): torch.func.jvp."""
    return torch.func.jvp(fun, tuple(primals), tuple(tangents), has_aux=has_aux)
