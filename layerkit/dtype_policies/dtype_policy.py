"""Dtype policies (Keras 3's `keras.dtype_policies`): which dtype a layer keeps its
variables in and which it computes in.

A policy name is a dtype name ('float32', 'bfloat16' …: both dtypes the same) or
'mixed_float16' / 'mixed_bfloat16' (compute in the 16-bit type, keep float32
variables). The global policy is the one a layer gets when it is given no `dtype`;
until one is set it follows `floatx()`, so `set_floatx` still decides the default.
"""
from layerkit import config
from layerkit.engine.common.dtypes import standardize_dtype

_MIXED = {"mixed_float16": ("float16", "float32"), "mixed_bfloat16": ("bfloat16", "float32")}


class DTypePolicy:
    """A layer's dtype policy: `compute_dtype` for its computations, `variable_dtype`
    for its weights. `DTypePolicy()` is the current global policy."""

    def __init__(self, name=None):
        if name is None:
            name = dtype_policy().name
        self._compute_dtype, self._variable_dtype = _parse_name(name)
        self._name = name

    @property
    def name(self):
        return self._name

    @property
    def compute_dtype(self):
        return self._compute_dtype

    @property
    def variable_dtype(self):
        return self._variable_dtype

    @property
    def quantization_mode(self):
        # Keras 3's quantized policies are not implemented; a float policy has none.
        return None

    def get_config(self):
        return {"name": self._name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and self._name == other._name

    __hash__ = object.__hash__

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'


class FloatDTypePolicy(DTypePolicy):
    """Keras 3's other name for DTypePolicy."""


def _parse_name(name):
    """(compute dtype, variable dtype) of a policy name, with a clear error."""
    if not isinstance(name, str):
        raise TypeError("DTypePolicy: 'name' must be a string such as 'mixed_float16' or "
                        f"'float32'; received {name!r} (of type {type(name).__name__}).")
    if name in _MIXED:
        return _MIXED[name]
    try:
        dtype = standardize_dtype(name)
    except ValueError:
        raise ValueError(
            f"DTypePolicy: cannot convert {name!r} to a dtype policy. Valid policies are "
            "'mixed_float16', 'mixed_bfloat16' and the name of a dtype such as 'float32', "
            "'float16' or 'bfloat16'.") from None
    return dtype, dtype


# The policy set by set_dtype_policy; None follows floatx().
_GLOBAL = [None]


def set_dtype_policy(policy):
    """Sets the policy of layers created without a `dtype` from now on
    (Keras 3's `keras.config.set_dtype_policy`, also `mixed_precision.set_global_policy`)."""
    if isinstance(policy, str):
        policy = DTypePolicy(policy)
    elif not isinstance(policy, DTypePolicy):
        raise ValueError(
            "set_dtype_policy: expected the name of a policy (such as 'mixed_float16') or a "
            f"DTypePolicy; received {policy!r} (of type {type(policy).__name__}).")
    _GLOBAL[0] = policy


def dtype_policy():
    """The current global policy (Keras 3's `keras.config.dtype_policy`)."""
    policy = _GLOBAL[0]
    return policy if policy is not None else DTypePolicy(config.floatx())


def reset_dtype_policy():
    """Back to following floatx(), as after `clear_session()` in Keras 3."""
    _GLOBAL[0] = None
