"""`sparse=True` as Keras 3 gives it per engine: on JAX one_hot, multi_hot and
bincount return a BCOO equal to Keras's (indices, values, dtype, shape); on PyTorch
they raise a ValueError naming the op, as Keras's torch backend does."""
import numpy as np
import pytest

from layerkit import engine, layers, ops

IDS = np.array([[0, 2, 2], [1, -1, 3]], "int32")
COUNTS = np.array([0, 1, 1, 3], "int32")
WEIGHTS = np.array([0.5, 1.0, 2.0, 3.0], "float32")

CASES = [
    ("one_hot", lambda o: o.one_hot(IDS, 4, sparse=True), "one_hot"),
    ("one_hot axis 0", lambda o: o.one_hot(IDS, 4, axis=0, sparse=True), "one_hot"),
    ("multi_hot", lambda o: o.multi_hot(np.clip(IDS, 0, 3), 4, sparse=True), "multi_hot"),
    ("multi_hot int32", lambda o: o.multi_hot(np.clip(IDS, 0, 3), 4, dtype="int32",
                                              sparse=True), "multi_hot"),
    ("bincount", lambda o: o.bincount(COUNTS, sparse=True), "bincount"),
    ("bincount weights", lambda o: o.bincount(COUNTS, weights=WEIGHTS, sparse=True),
     "bincount"),
    ("bincount 2-D", lambda o: o.bincount(COUNTS.reshape(2, 2), minlength=5, sparse=True),
     "bincount"),
]


@pytest.mark.parametrize("call,op", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_sparse_result_matches_keras_per_engine(keras_oracle, engine_name, call, op):
    if engine_name == "torch":
        with pytest.raises(ValueError, match=rf"{op}: sparse=True is not supported with the "
                                             "torch engine"):
            call(ops)
        return
    want, got = call(keras_oracle.ops), call(ops)
    assert engine.sparse.is_sparse(got) and type(got).__name__ == "BCOO"
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(np.asarray(got.indices), np.asarray(want.indices))
    np.testing.assert_array_equal(np.asarray(got.data), np.asarray(want.data))
    np.testing.assert_array_equal(np.asarray(engine.sparse.todense(got)),
                                  np.asarray(want.todense()))


def test_sparse_multi_hot_ignores_out_of_range_ids_as_the_dense_one_does(engine_name):
    # Keras 3.15's sparse multi_hot on JAX marks class 0 for an id of -1 (its one-hot
    # stores a 0 there and it tests `>= 0`); its dense multi_hot and layerkit give 0.
    if engine_name == "torch":
        pytest.skip("sparse results exist on JAX only")
    got = engine.sparse.todense(ops.multi_hot(IDS, 4, sparse=True))
    np.testing.assert_array_equal(np.asarray(got), [[1, 0, 1, 0], [0, 1, 0, 1]])


@pytest.mark.parametrize("mode", ["multi_hot", "count", "one_hot"])
def test_sparse_encodings_compile_under_jit(engine_name, mode):
    # Keras 3.15's sparse multi_hot fails under jax.jit (its duplicate merge has no
    # static size); layerkit's stores a bounded number of entries.
    if engine_name == "torch":
        pytest.skip("sparse results exist on JAX only")
    import jax
    fn = {"multi_hot": lambda x: ops.multi_hot(x, 5, sparse=True),
          "count": lambda x: engine.sparse.count(x, 5),
          "one_hot": lambda x: ops.one_hot(x, 5, sparse=True)}[mode]
    ids = np.array([[0, 2, 2], [1, -1, 4]], "int32")
    np.testing.assert_array_equal(np.asarray(engine.sparse.todense(jax.jit(fn)(ids))),
                                  np.asarray(engine.sparse.todense(fn(ids))))


def test_dense_results_are_unchanged_by_sparse_false():
    dense = ops.multi_hot(IDS, 4, sparse=False)
    np.testing.assert_array_equal(ops.convert_to_numpy(dense),
                                  [[1, 0, 1, 0], [0, 1, 0, 1]])


def test_convert_to_tensor_sparse(engine_name):
    if engine_name == "torch":
        with pytest.raises(ValueError, match="convert_to_tensor: sparse=True is not supported"):
            ops.convert_to_tensor(np.ones(3), sparse=True)
        return
    bcoo = ops.one_hot(IDS, 4, sparse=True)
    assert ops.convert_to_tensor(bcoo) is bcoo
    dense = ops.convert_to_tensor(bcoo, sparse=False)
    assert not engine.sparse.is_sparse(dense)
    np.testing.assert_array_equal(ops.convert_to_numpy(dense),
                                  ops.convert_to_numpy(ops.one_hot(IDS, 4)))


def test_sparse_on_a_symbolic_tensor_is_refused():
    x = layers.Input((3,), dtype="int32")
    with pytest.raises(TypeError, match="multi_hot: sparse=True cannot take a symbolic"):
        ops.multi_hot(x, 4, sparse=True)
    with pytest.raises(TypeError, match="one_hot: sparse=True cannot take a symbolic"):
        ops.one_hot(x, 4, sparse=True)
    with pytest.raises(TypeError, match="bincount: sparse=True cannot take a symbolic"):
        ops.bincount(x, sparse=True)
