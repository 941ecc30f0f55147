"""Sparse results on PyTorch: as in Keras 3's torch backend, `sparse=True` is not
supported (one_hot, multi_hot, bincount, convert_to_tensor raise a ValueError that
names the op); results are dense tensors."""


SUPPORTED = False


def is_sparse(x):
    return False


def todense(x):
    return x


def _refuse(op):
    raise ValueError(f"{op}: sparse=True is not supported with the torch engine (as in "
                     "Keras 3's torch backend); pass sparse=False for a dense result, or "
                     "run on JAX (LAYERKIT_BACKEND=jax), where it gives a BCOO.")


def one_hot(x, num_classes, axis=-1, dtype="float32"):
    _refuse("one_hot")


def multi_hot(x, num_classes, axis=-1, dtype="float32"):
    _refuse("multi_hot")


def fromdense(x):
    _refuse("convert_to_tensor")


def count(x, num_classes, weights=None, dtype="float32"):
    _refuse("count")


def bincount(x, weights=None, minlength=0):
    _refuse("bincount")
