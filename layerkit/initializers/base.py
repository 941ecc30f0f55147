"""The Initializer base class, dtype handling, fans and the global generator."""
import numpy as np

from layerkit import config

_GLOBAL = {"rng": None}


def set_global_seed(seed):
    """Reseeds the generator that unseeded initializers draw from."""
    _GLOBAL["rng"] = np.random.Generator(np.random.PCG64(None if seed is None else int(seed)))


def _global_rng():
    if _GLOBAL["rng"] is None:
        _GLOBAL["rng"] = np.random.Generator(np.random.PCG64())
    return _GLOBAL["rng"]


def _numpy_dtype(dtype):
    """The numpy dtype to return for `dtype` (floatx when None).

    bfloat16 has no plain-numpy dtype: values come back as float32 and the Variable
    casts them on the engine.
    """
    from layerkit.engine.common.dtypes import standardize_dtype
    name = standardize_dtype(dtype if dtype is not None else config.floatx())
    if name == "bfloat16":
        return np.dtype("float32"), name
    return np.dtype(name), name


def _float_dtype(dtype, who):
    np_dtype, name = _numpy_dtype(dtype)
    if not np.issubdtype(np_dtype, np.floating):
        raise ValueError(f"{who} only makes floating-point values; received dtype={name!r}. "
                         f"Use a float dtype or a Zeros/Ones/Constant initializer.")
    return np_dtype


def _shape(shape):
    if shape is None:
        raise ValueError("An initializer needs a `shape`.")
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def compute_fans(shape, input_axes=None, output_axes=None):
    """(fan_in, fan_out) for a weight shape, as Keras computes them.

    A conv kernel (kernel dims..., in_channels, out_channels) counts its receptive
    field: fan_in = in_channels * prod(kernel dims), fan_out = out_channels * the same.
    With both `input_axes` and `output_axes` given, the fans are the products of the
    sizes on those axes (Keras 3.15's option for e.g. EinsumDense kernels).
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (int(np.prod([shape[a] for a in input_axes], dtype=np.int64)),
                int(np.prod([shape[a] for a in output_axes], dtype=np.int64)))
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = int(np.prod(shape[:-2]))
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class Initializer:
    """Base class: subclasses implement `__call__(shape, dtype=None)`."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(shape, dtype).")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return self.__class__.from_config(self.get_config())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
