"""Sparse results on JAX, as Keras 3's JAX backend gives them: `sparse=True` makes
one_hot, multi_hot and bincount return a jax.experimental.sparse BCOO."""
import jax.numpy as jnp
from jax.experimental import sparse as jax_sparse

from layerkit.engine.jax.core import convert_to_tensor


def is_sparse(x):
    return isinstance(x, jax_sparse.JAXSparse)


def todense(x):
    return x.todense() if is_sparse(x) else x


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


def multi_hot(x, num_classes, axis=-1, dtype="float32"):
    """1 at each class a row lists, as a BCOO: the one-hot rows summed over the row's
    items, duplicates merged."""
    x = convert_to_tensor(x)
    reduce_axis = 1 if x.ndim > 1 else 0
    counts = jax_sparse.bcoo_reduce_sum(one_hot(x, num_classes, axis, "int32"),
                                        axes=(reduce_axis,))
    counts = jax_sparse.bcoo_sum_duplicates(counts)
    values = jnp.greater_equal(counts.data, 0).astype(dtype)
    return jax_sparse.BCOO((values, counts.indices), shape=counts.shape, indices_sorted=True,
                           unique_indices=True)


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
