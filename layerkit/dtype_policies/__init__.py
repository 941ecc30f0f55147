"""`layerkit.dtype_policies` (Keras 3's `keras.dtype_policies`): DTypePolicy,
FloatDTypePolicy, `get`, `serialize`, `deserialize`; the global policy's setters."""
from layerkit.dtype_policies.dtype_policy import DTypePolicy as DTypePolicy
from layerkit.dtype_policies.dtype_policy import FloatDTypePolicy as FloatDTypePolicy
from layerkit.dtype_policies.dtype_policy import dtype_policy as dtype_policy
from layerkit.dtype_policies.dtype_policy import reset_dtype_policy as reset_dtype_policy
from layerkit.dtype_policies.dtype_policy import set_dtype_policy as set_dtype_policy
from layerkit import config
from layerkit.engine.common.dtypes import standardize_dtype

# Keras 3 spells the global policy's accessors `keras.config.set_dtype_policy` and
# `keras.config.dtype_policy`; config sits below this floor, so they are added to it
# here (layerkit/__init__ imports this package with the engine).
config.set_dtype_policy = set_dtype_policy
config.dtype_policy = dtype_policy

_CLASSES = {"DTypePolicy": DTypePolicy, "FloatDTypePolicy": FloatDTypePolicy,
            # Keras 2 (tf.keras) wrote mixed policies as "Policy".
            "Policy": DTypePolicy}


def serialize(policy):
    """Keras 3's dict for a policy: {'module': 'keras', 'class_name': 'DTypePolicy', ...}."""
    if not isinstance(policy, DTypePolicy):
        raise TypeError(f"dtype_policies.serialize: expected a DTypePolicy, received {policy!r}.")
    return {"module": "keras", "class_name": "DTypePolicy", "config": policy.get_config(),
            "registered_name": None}


def deserialize(config, custom_objects=None):
    """A policy from `serialize`'s dict (or Keras 2's {'class_name': 'Policy', ...})."""
    if not isinstance(config, dict) or not isinstance(config.get("config"), dict):
        raise ValueError("dtype_policies.deserialize: expected a dict with 'class_name' and "
                         f"'config'; received {config!r}.")
    name = config.get("class_name")
    cls = (custom_objects or {}).get(name) or _CLASSES.get(name)
    if cls is None:
        raise ValueError(f"dtype_policies.deserialize: unknown policy class {name!r}; "
                         f"known: {sorted(_CLASSES)}.")
    return cls.from_config(config["config"])


def get(identifier):
    """A policy from None (the global one), a name, a config dict, a dtype or a policy."""
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    try:
        return DTypePolicy(standardize_dtype(identifier))
    except (ValueError, TypeError):
        raise ValueError(
            "Cannot interpret `dtype` argument: expected a dtype or policy name (such as "
            "'float32' or 'mixed_float16') or a DTypePolicy; received "
            f"dtype={identifier!r} (of type {type(identifier).__name__}).") from None


def is_mixed(policy):
    """Whether the policy computes in another dtype than it keeps variables in."""
    return policy.compute_dtype != policy.variable_dtype


__all__ = ["DTypePolicy", "FloatDTypePolicy", "get", "serialize", "deserialize",
           "dtype_policy", "set_dtype_policy"]
