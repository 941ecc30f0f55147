"""JAX engine core: Variable hooks, tensor conversion, cond, shape inference."""
import contextlib
import sys

import jax
import jax.numpy as jnp
import numpy as np

from layerkit.engine.common import shape_inference
from layerkit.engine.common import variables as common_variables
from layerkit.engine.common.dtypes import default_dtype, standardize_dtype
from layerkit.engine.common.stateless_scope import StatelessScope

NAME = "jax"


class Variable(common_variables.Variable):
    def __init__(self, *args, **kwargs):
        # A layer built during shape inference (a sublayer first called inside
        # jax.eval_shape) makes its Variables under a trace: evaluate the initial
        # value concretely, or the Variable would keep a leaked tracer.
        with jax.ensure_compile_time_eval():
            super().__init__(*args, **kwargs)

    def _initialize(self, value):
        self._value = value

    def _direct_assign(self, value):
        self._value = value

    def _convert_to_tensor(self, value, dtype=None):
        return convert_to_tensor(value, dtype=dtype)

    # Lets jnp functions take a Variable directly.
    def __jax_array__(self):
        return self.value


def keep_memory_order(variable, like=None, order=None):
    """Nothing to do: XLA lays out every array inside the compiled step (the PyTorch
    engine keeps a conv kernel, and its optimizer slots, in the order its kernel reads)."""


def keep_conv_kernel_layout(variable, depthwise=False, *, data_format=None, strides=1,
                            groups=1):
    """Nothing to do, as keep_memory_order."""


def convert_to_tensor(x, dtype=None, sparse=None):
    if isinstance(x, common_variables.Variable):
        x = x.value
    if dtype is not None:
        dtype = standardize_dtype(dtype)
    if isinstance(x, jax.Array) or isinstance(x, jax.core.Tracer):
        if dtype is not None and x.dtype != dtype:
            return x.astype(dtype)
        return x
    sparse_module = sys.modules.get("jax.experimental.sparse")   # no BCOO before its import
    if sparse_module is not None and isinstance(x, sparse_module.JAXSparse):
        # As Keras on JAX: a BCOO stays sparse unless sparse=False asks for dense.
        if sparse is not None and not sparse:
            x = x.todense()
        elif dtype is None or x.dtype == dtype:
            return x
        else:
            return x.astype(dtype)
    return jnp.asarray(x, dtype=default_dtype(x) if dtype is None else dtype)


def convert_to_numpy(x):
    if isinstance(x, common_variables.Variable):
        x = x.value
    return np.asarray(x)


def is_tensor(x):
    return isinstance(x, (jax.Array, jax.core.Tracer))


def cast(x, dtype):
    return convert_to_tensor(x, dtype=dtype)


def cond(pred, true_fn, false_fn):
    return jax.lax.cond(pred, true_fn, false_fn)


def stop_gradient(x):
    return jax.lax.stop_gradient(x)


def _evaluate(call, specs):
    """`call` run abstractly by jax.eval_shape: no compute, no memory. A fresh stateless
    scope keeps Variable assigns (a moving mean, a seed) out of the Variables."""
    def wrapped(values):
        with StatelessScope():
            return call(values)
    return jax.eval_shape(wrapped, [jax.ShapeDtypeStruct(s, d) for s, d in specs])


def compute_output_spec(fn, *args, **kwargs):
    """Output SymbolicTensors of `fn` for symbolic inputs (engine/common/shape_inference.py)."""
    return shape_inference.compute_output_spec(_evaluate, fn, args, kwargs)


def no_grad():
    """A block whose ops are not recorded for differentiation (JAX records nothing)."""
    return contextlib.nullcontext()


def default_int_dtype():
    """The widest integer dtype the engine stores: int64 only with x64 enabled."""
    return "int64" if jax.config.jax_enable_x64 else "int32"


def value_and_grad(fn, argnums=0, has_aux=False):
    """`fn`'s value and its gradient with respect to the arguments `argnums` (pytrees
    of float tensors): jax.value_and_grad."""
    return jax.value_and_grad(fn, argnums=argnums, has_aux=has_aux)


def jit(fn, static_argnums=()):
    """`fn` compiled once per input shapes (and per value of the static arguments)."""
    return jax.jit(fn, static_argnums=static_argnums)
