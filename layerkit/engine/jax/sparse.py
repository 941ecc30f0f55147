"""Sparse results on JAX, as Keras 3's JAX backend gives them: `sparse=True` makes
one_hot, multi_hot and bincount return a jax.experimental.sparse BCOO."""
import jax
import jax.numpy as jnp
from jax.experimental import sparse as jax_sparse

from layerkit.engine.jax.core import convert_to_tensor


SUPPORTED = True


def is_sparse(x):
    return isinstance(x, jax_sparse.JAXSparse)


def todense(x):
    return x.todense() if is_sparse(x) else x


def fromdense(x):
    """A BCOO holding the nonzero entries of the concrete array x."""
    return x if is_sparse(x) else jax_sparse.BCOO.fromdense(convert_to_tensor(x))


def one_hot(x, num_classes, axis=-1, dtype="float32"):
    """A BCOO with one stored entry per element of x (a 0 entry for a negative id, so
    the number of entries does not depend on the data)."""
    x = convert_to_tensor(x)
    axis = axis + x.ndim + 1 if axis < 0 else axis
    values = jnp.greater_equal(jnp.ravel(x), 0).astype(dtype)
    coords = list(jnp.meshgrid(*[jnp.arange(d) for d in x.shape], indexing="ij"))
    coords.insert(axis, jnp.maximum(x, 0))
    indices = jnp.stack([jnp.ravel(c).astype("int32") for c in coords], axis=1)
    shape = tuple(x.shape[:axis]) + (num_classes,) + tuple(x.shape[axis:])
    return jax_sparse.BCOO((values, indices), shape=shape, indices_sorted=True,
                           unique_indices=True)


def _row_sums(x, num_classes, reduce_axis, dtype, weights=None):
    """The one-hot rows of x (ids outside [0, num_classes) stored as 0 entries) summed
    over `reduce_axis`, duplicates merged. Under jit the number of stored entries is
    the bound the items per row give (unused ones are padding), as it must be static;
    on concrete values it is the number of distinct classes."""
    x = convert_to_tensor(x)
    x = jnp.where(jnp.less(x, num_classes), x, -1)
    encoded = one_hot(x, num_classes, -1, dtype)
    if weights is not None:
        weights = convert_to_tensor(weights).astype(dtype)
        encoded = encoded * jnp.expand_dims(weights, -1)
    summed = jax_sparse.bcoo_reduce_sum(encoded, axes=(reduce_axis,))
    traced = isinstance(x, jax.core.Tracer)
    return jax_sparse.bcoo_sum_duplicates(summed, nse=summed.nse if traced else None)


def multi_hot(x, num_classes, axis=-1, dtype="float32"):
    """1 at each class a row lists, as a BCOO: the one-hot rows summed over the row's
    items, duplicates merged."""
    x = convert_to_tensor(x)
    reduce_axis = 1 if x.ndim > 1 else 0
    counts = _row_sums(x, num_classes, reduce_axis, "int32")
    values = jnp.greater(counts.data, 0).astype(dtype)
    return jax_sparse.BCOO((values, counts.indices), shape=counts.shape, indices_sorted=True,
                           unique_indices=True)


def count(x, num_classes, weights=None, dtype="float32"):
    """How often each class occurs in each row (weighted by `weights`), as a BCOO."""
    x = convert_to_tensor(x)
    return _row_sums(x, num_classes, 1 if x.ndim > 1 else 0, dtype, weights)


def bincount(x, weights=None, minlength=0):
    """Counts (weighted sums) per value, row by row for a 2-D x, as a BCOO. The length
    is max(x) + 1, so x must be concrete."""
    x = convert_to_tensor(x)
    reduce_axis = 1 if x.ndim > 1 else 0
    length = max(int(jnp.max(x)) + 1, minlength)
    # float32 counts, as Keras's sparse bincount gives (its dense one gives int32).
    encoded = one_hot(x, length, dtype="float32")
    if weights is not None:
        encoded = encoded * jnp.expand_dims(convert_to_tensor(weights), reduce_axis + 1)
    return jax_sparse.bcoo_reduce_sum(encoded, axes=(reduce_axis,))
