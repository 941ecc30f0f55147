"""Dtype policy objects, the global policy and their errors, against Keras 3's."""
import numpy as np
import pytest

import layerkit
from layerkit import dtype_policies, layers, mixed_precision
from layerkit.dtype_policies import DTypePolicy, FloatDTypePolicy

NAMES = {"float32": ("float32", "float32"), "float16": ("float16", "float16"),
         "bfloat16": ("bfloat16", "bfloat16"), "mixed_float16": ("float16", "float32"),
         "mixed_bfloat16": ("bfloat16", "float32"), "float64": ("float64", "float64")}


@pytest.mark.parametrize("name", sorted(NAMES))
def test_policy_dtypes_match_keras(name, keras_oracle):
    ours, theirs = DTypePolicy(name), keras_oracle.DTypePolicy(name)
    assert (ours.compute_dtype, ours.variable_dtype) == NAMES[name]
    assert (ours.compute_dtype, ours.variable_dtype) == (theirs.compute_dtype,
                                                         theirs.variable_dtype)
    assert ours.name == name and repr(ours) == repr(theirs) == f'<DTypePolicy "{name}">'
    assert dtype_policies.serialize(ours) == keras_oracle.dtype_policies.serialize(theirs)


def test_equality_aliases_and_get():
    assert FloatDTypePolicy("mixed_float16") == DTypePolicy("mixed_float16")
    assert DTypePolicy("float16") != DTypePolicy("mixed_float16")
    assert mixed_precision.Policy is DTypePolicy and layerkit.DTypePolicy is DTypePolicy
    assert dtype_policies.get("mixed_bfloat16") == DTypePolicy("mixed_bfloat16")
    assert dtype_policies.get(np.float16) == DTypePolicy("float16")
    assert dtype_policies.get({"class_name": "DTypePolicy",
                               "config": {"name": "mixed_float16"}}).compute_dtype == "float16"
    # Keras 2 (tf.keras) wrote mixed policies as "Policy".
    assert dtype_policies.get({"class_name": "Policy", "config": {"name": "mixed_float16"}}) \
        == DTypePolicy("mixed_float16")
    p = DTypePolicy("float16")
    assert dtype_policies.get(p) is p
    assert dtype_policies.deserialize(dtype_policies.serialize(p)) == p


@pytest.mark.parametrize("bad, error, words", [
    ("mixed_float8", ValueError, "cannot convert 'mixed_float8'.*'mixed_float16'"),
    ("float", None, None),
    (3, TypeError, "must be a string.*received 3"),
])
def test_bad_policy_names_are_named(bad, error, words):
    if error is None:
        assert DTypePolicy(bad).compute_dtype == "float32"   # numpy's spelling, as Keras
        return
    with pytest.raises(error, match=words):
        DTypePolicy(bad)


def test_bad_dtype_arguments_name_what_was_received():
    with pytest.raises(ValueError, match="Cannot interpret `dtype` argument.*object"):
        layers.Dense(2, dtype=object())
    with pytest.raises(ValueError, match="cannot convert 'halfish'"):
        layers.Dense(2, dtype="halfish")
    with pytest.raises(ValueError, match="set_dtype_policy.*received 3"):
        mixed_precision.set_global_policy(3)
    with pytest.raises(ValueError, match="unknown policy class 'Quantized'"):
        dtype_policies.deserialize({"class_name": "Quantized", "config": {"name": "int8"}})


def test_global_policy_is_set_read_and_reset():
    assert mixed_precision.global_policy() == DTypePolicy("float32")
    mixed_precision.set_global_policy("mixed_bfloat16")
    assert mixed_precision.global_policy().name == "mixed_bfloat16"
    assert layerkit.config.dtype_policy() == DTypePolicy("mixed_bfloat16")
    assert DTypePolicy().name == "mixed_bfloat16"   # no name: the global policy
    layer = layers.Dense(2)
    assert (layer.dtype_policy.name, layer.compute_dtype, layer.dtype) == \
        ("mixed_bfloat16", "bfloat16", "float32")
    assert layers.Dense(2, dtype="float32").compute_dtype == "float32"
    layerkit.config.set_dtype_policy(DTypePolicy("mixed_float16"))
    assert mixed_precision.dtype_policy().name == "mixed_float16"
    # Keras 3's clear_session() resets the global policy.
    layerkit.backend.clear_session()
    assert mixed_precision.global_policy().name == "float32"


def test_the_default_policy_follows_floatx():
    layerkit.config.set_floatx("float64")
    try:
        assert mixed_precision.global_policy().name == "float64"
        assert layers.Dense(2).dtype == "float64"
    finally:
        layerkit.config.set_floatx("float32")
