"""Result dtypes and numbers that an audit against real Keras 3 (JAX backend) found
wrong on one engine: integer and bool inputs to activations, einsum/tensordot of
mixed or int8 operands, bool arithmetic with Python ints, reductions of bool, and
layer_normalization's default epsilon."""
import numpy as np
import pytest

from layerkit import ops

BASE = np.random.default_rng(0).integers(0, 4, size=(2, 3))
B, U8, I8, I32 = (BASE.astype(d) for d in ("bool", "uint8", "int8", "int32"))
F32 = np.random.default_rng(1).normal(size=(2, 3)).astype("float32")

CASES = [
    ("einsum int8", lambda o: o.einsum("ij,kj->ik", I8, I8)),
    ("einsum mixed", lambda o: o.einsum("ij,kj->ik", I8, F32)),
    ("tensordot mixed", lambda o: o.tensordot(I32, F32.T, 1)),
    ("tensordot bool int", lambda o: o.tensordot(B, I32.T, 1)),
    ("square bool", lambda o: o.square(B)),
    ("multiply bool int", lambda o: o.multiply(B, 2)),
    ("subtract bool int32", lambda o: o.subtract(B, I32)),
    ("abs bool", lambda o: o.abs(B)),
    ("any uint8", lambda o: o.any(U8, axis=1)),
    ("all uint8", lambda o: o.all(U8)),
    ("round int32", lambda o: o.round(I32)),
    ("heaviside int", lambda o: o.heaviside(I32, I32)),
    ("correlate int", lambda o: o.correlate(I32[0], I32[1])),
    ("outer 2-D", lambda o: o.outer(I8, F32)),
    ("trace uint8", lambda o: o.trace(U8)),
    ("nanargmax bool", lambda o: o.nanargmax(B, axis=1)),
    ("argmax bool", lambda o: o.argmax(B, axis=1)),
    ("view_as_real real", lambda o: o.view_as_real(F32)),
    ("softmax int", lambda o: o.softmax(I32)),
    ("relu bool", lambda o: o.relu(B)),
    ("relu6 int", lambda o: o.relu6(I32)),
    ("gelu int", lambda o: o.gelu(I32)),
    ("leaky_relu int", lambda o: o.leaky_relu(I8)),
    ("log_sigmoid int", lambda o: o.log_sigmoid(I32)),
    ("selu int", lambda o: o.selu(I32)),
    ("softplus int", lambda o: o.softplus(I32)),
    ("softsign bool", lambda o: o.softsign(B)),
    ("hard_tanh int8", lambda o: o.hard_tanh(I8)),
    ("hard_tanh bool", lambda o: o.hard_tanh(B)),
    ("layer_normalization default epsilon", lambda o: o.layer_normalization(F32)),
    ("layer_normalization int", lambda o: o.layer_normalization(I32)),
    ("normalize float16", lambda o: o.normalize(F32.astype("float16"))),
    ("binary_crossentropy numpy", lambda o: o.binary_crossentropy(
        (F32 > 0).astype("float32"), np.abs(F32) / 3)),
    ("categorical_crossentropy int output", lambda o: o.categorical_crossentropy(
        np.eye(3, dtype="float32")[:2], I32 + 1)),
]


@pytest.mark.parametrize("call", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_dtype_and_numbers_match_keras(keras_oracle, call):
    want, got = call(keras_oracle.ops), call(ops)
    assert ops.dtype(got) == str(want.dtype)
    np.testing.assert_allclose(np.asarray(ops.convert_to_numpy(got), "float64"),
                               np.asarray(want, "float64"), rtol=1e-3, atol=1e-3)
