"""The tf.data-like Dataset: sources, transformations, cardinality, errors."""

import collections
import threading
import time

import numpy as np
import pytest

import layerkit.data as lkdata
from layerkit.data import Dataset, TFRecordDataset, TFRecordWriter

INF, UNK = lkdata.INFINITE_CARDINALITY, lkdata.UNKNOWN_CARDINALITY


def values(ds):
    return [np.asarray(x).tolist() for x in ds]


def test_constants():
    assert lkdata.AUTOTUNE == -1 and INF == -1 and UNK == -2


def test_from_tensor_slices_structures():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6)
    ds = Dataset.from_tensor_slices((x, y))
    elems = list(ds)
    assert len(elems) == 6 and len(ds) == 6 and ds.cardinality() == 6
    np.testing.assert_array_equal(elems[2][0], [4, 5])
    assert elems[2][1] == 2
    d = list(Dataset.from_tensor_slices({"a": x, "b": y}))
    assert set(d[0]) == {"a", "b"} and d[5]["b"] == 5
    assert values(Dataset.from_tensor_slices([1, 2, 3])) == [1, 2, 3]
    assert list(Dataset.from_tensor_slices([b"a\x00", b"b"])) == [b"a\x00", b"b"]
    Point = collections.namedtuple("Point", "x y")
    p = next(iter(Dataset.from_tensor_slices(Point(x, y))))
    assert isinstance(p, Point)


def test_from_tensor_slices_errors():
    with pytest.raises(ValueError, match=r"same size.*\[3, 4\]"):
        Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))
    with pytest.raises(ValueError, match="scalar"):
        Dataset.from_tensor_slices((np.zeros(3), 5))


def test_from_tensors_and_range():
    (e,) = list(Dataset.from_tensors((np.ones((2, 2)), 3)))
    assert e[0].shape == (2, 2) and e[1] == 3
    assert values(Dataset.range(2, 8, 2)) == [2, 4, 6]
    assert len(Dataset.range(5)) == 5


def test_each_iteration_is_a_fresh_pass():
    ds = Dataset.from_tensor_slices(np.arange(4)).map(lambda v: v * 10)
    assert values(ds) == values(ds) == [0, 10, 20, 30]
    it1, it2 = iter(ds), iter(ds)
    assert next(it1) == 0 and next(it1) == 10 and next(it2) == 0


def test_map_unpacks_tuples_and_keeps_dicts():
    ds = Dataset.from_tensor_slices((np.arange(3), np.arange(3) * 2))
    assert values(ds.map(lambda a, b: a + b)) == [0, 3, 6]
    pairs = list(ds.map(lambda a, b: [b, a]))  # a list result becomes a tuple
    assert isinstance(pairs[0], tuple) and pairs[1] == (2, 1)
    dd = Dataset.from_tensor_slices({"k": np.arange(3)}).map(lambda d: d["k"] + 1)
    assert values(dd) == [1, 2, 3]


def test_parallel_map_preserves_order_and_uses_threads():
    seen = set()

    def slow(v):
        seen.add(threading.get_ident())
        time.sleep(0.002 * (int(v) % 5))
        return v * 2

    ds = Dataset.range(40).map(slow, num_parallel_calls=lkdata.AUTOTUNE)
    assert values(ds) == [2 * i for i in range(40)]
    assert len(seen) > 1 and threading.get_ident() not in seen
    assert values(Dataset.range(10).map(lambda v: -v, num_parallel_calls=4)) == \
        [-i for i in range(10)]
    with pytest.raises(ValueError, match="num_parallel_calls"):
        Dataset.range(3).map(lambda v: v, num_parallel_calls=0)


def test_map_errors_propagate_in_order():
    def fn(v):
        if v == 5:
            raise RuntimeError("bad element 5")
        return v

    for calls in (None, 3):
        got = []
        with pytest.raises(RuntimeError, match="bad element 5"):
            for v in Dataset.range(10).map(fn, num_parallel_calls=calls):
                got.append(int(v))
        assert got == [0, 1, 2, 3, 4]


def test_shuffle_buffer_semantics():
    base = Dataset.range(100)
    assert values(base.shuffle(1)) == list(range(100))  # buffer of 1 = no shuffle
    full = values(base.shuffle(100, seed=3))
    assert sorted(full) == list(range(100)) and full != list(range(100))
    # With a buffer of k, the first output is one of the first k elements, and
    # element i cannot come out before position i - k + 1.
    for _ in range(5):
        out = values(base.shuffle(10))
        assert out[0] < 10
        assert all(pos >= v - 9 for pos, v in enumerate(out))
        assert sorted(out) == list(range(100))


def test_shuffle_seed_and_reshuffle():
    base = Dataset.range(50)
    a = base.shuffle(50, seed=7)
    first, second = values(a), values(a)
    assert first != second  # reshuffled each iteration...
    b = base.shuffle(50, seed=7)
    assert values(b) == first and values(b) == second  # ...reproducibly
    fixed = base.shuffle(50, reshuffle_each_iteration=False)
    assert values(fixed) == values(fixed)
    assert len(base.shuffle(5)) == 50


def test_unseeded_shuffles_follow_a_shared_seed(monkeypatch):
    """Two processes of a distributed fit build the same pipeline: its unseeded
    shuffle has the same place among their shuffle() calls but its own entropy. Under
    shared_shuffle_seed (what the fit sets) their passes agree; a seeded shuffle
    keeps its own seed."""
    import itertools
    from layerkit.data import dataset as dataset_module
    base = Dataset.range(50)
    processes = []
    for _ in range(2):
        monkeypatch.setattr(dataset_module, "_SHUFFLES", itertools.count(5))
        processes.append(base.shuffle(50).batch(10))
    assert values(processes[0]) != values(processes[1])   # each its own entropy
    with dataset_module.shared_shuffle_seed(11):
        passes = [[values(p), values(p)] for p in processes]
        assert values(base.shuffle(50, seed=7)) == values(base.shuffle(50, seed=7))
    assert passes[0] == passes[1]
    assert passes[0][0] != passes[0][1]                    # still reshuffled each pass
    assert sorted(sum(passes[0][0], [])) == list(range(50))
    with dataset_module.shared_shuffle_seed(12):
        assert values(base.shuffle(50)) != passes[0][0]


@pytest.mark.parametrize("bad", [0, -1])
def test_shuffle_and_batch_reject_non_positive_sizes(bad):
    ds = Dataset.range(4)
    with pytest.raises(ValueError, match=rf"shuffle buffer_size must be a positive.*{bad}"):
        ds.shuffle(bad)
    with pytest.raises(ValueError, match=rf"batch_size must be a positive integer; received {bad}"):
        ds.batch(bad)
    with pytest.raises(TypeError, match="batch_size must be an integer"):
        ds.batch(2.5)


def test_batch_stacks_numpy():
    x = np.arange(10 * 3, dtype=np.float32).reshape(10, 3)
    ds = Dataset.from_tensor_slices((x, np.arange(10))).batch(4)
    batches = list(ds)
    assert len(ds) == 3 and [b[0].shape for b in batches] == [(4, 3), (4, 3), (2, 3)]
    assert batches[0][0].dtype == np.float32
    np.testing.assert_array_equal(batches[2][1], [8, 9])
    dropped = Dataset.from_tensor_slices(x).batch(4, drop_remainder=True)
    assert len(dropped) == 2 and len(list(dropped)) == 2
    db = next(iter(Dataset.from_tensor_slices({"a": x}).batch(5)))
    assert db["a"].shape == (5, 3)


def test_batch_bytes_are_object_arrays_and_shape_mismatch_is_clear():
    ds = Dataset.from_tensor_slices(np.array([b"x\x00", b"yy", b"\x00"], dtype=object)).batch(3)
    (b,) = list(ds)
    assert b.dtype == object and b.tolist() == [b"x\x00", b"yy", b"\x00"]
    ragged = Dataset.from_generator(lambda: iter([np.zeros(2), np.zeros(3)])).batch(2)
    with pytest.raises(ValueError, match=r"different shapes, \(2,\) .*\(3,\).*padded_batch"):
        list(ragged)


def test_padded_batch():
    gen = lambda: iter([np.array([1]), np.array([2, 3, 4]), np.array([5, 6])])  # noqa: E731
    (b,) = list(Dataset.from_generator(gen).padded_batch(3))
    np.testing.assert_array_equal(b, [[1, 0, 0], [2, 3, 4], [5, 6, 0]])
    (c,) = list(Dataset.from_generator(gen).padded_batch(3, padded_shapes=[4], padding_values=-1))
    np.testing.assert_array_equal(c, [[1, -1, -1, -1], [2, 3, 4, -1], [5, 6, -1, -1]])


def test_unbatch_round_trip():
    x = np.arange(10)
    ds = Dataset.from_tensor_slices((x, x * 2)).batch(3).unbatch()
    assert [(int(a), int(b)) for a, b in ds] == [(i, 2 * i) for i in range(10)]
    assert ds.cardinality() == UNK


def test_repeat_take_skip_shard():
    ds = Dataset.range(3)
    assert values(ds.repeat(2)) == [0, 1, 2, 0, 1, 2] and len(ds.repeat(2)) == 6
    forever = ds.repeat()
    assert forever.cardinality() == INF
    with pytest.raises(TypeError, match="infinite"):
        len(forever)
    assert values(forever.take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert len(forever.take(7)) == 7
    assert values(Dataset.range(0).repeat()) == []  # no endless loop on empty input
    assert values(ds.skip(1)) == [1, 2] and len(ds.skip(5)) == 0
    assert values(ds.take(-1)) == [0, 1, 2] and values(ds.skip(-1)) == []
    shards = [values(Dataset.range(10).shard(3, i)) for i in range(3)]
    assert shards == [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]
    assert [len(Dataset.range(10).shard(3, i)) for i in range(3)] == [4, 3, 3]
    with pytest.raises(ValueError, match="shard index"):
        ds.shard(2, 2)


def test_filter_and_unknown_length():
    ds = Dataset.range(10).filter(lambda v: v % 3 == 0)
    assert values(ds) == [0, 3, 6, 9]
    assert ds.cardinality() == UNK
    with pytest.raises(TypeError, match="unknown"):
        len(ds)
    assert bool(ds) is True


def test_cache_replays_first_complete_pass():
    calls = []

    def gen():
        for i in range(3):
            calls.append(i)
            yield np.int64(i)

    ds = Dataset.from_generator(gen).cache()
    assert values(ds.take(1)) == [0]  # a partial pass is not cached
    assert values(ds) == [0, 1, 2] and values(ds) == [0, 1, 2]
    assert calls == [0, 0, 1, 2]
    with pytest.raises(NotImplementedError, match="in memory"):
        ds.cache("some/file")


def test_zip_concatenate_enumerate():
    a, b = Dataset.range(3), Dataset.range(10, 15)
    assert [(int(x), int(y)) for x, y in Dataset.zip(a, b)] == [(0, 10), (1, 11), (2, 12)]
    assert len(Dataset.zip((a, b))) == 3
    z = list(Dataset.zip({"x": a, "y": b}))
    assert z[1] == {"x": 1, "y": 11}
    assert values(a.concatenate(b)) == [0, 1, 2, 10, 11, 12, 13, 14]
    assert len(a.concatenate(b)) == 8
    assert [(int(i), int(v)) for i, v in b.enumerate()][:2] == [(0, 10), (1, 11)]
    with pytest.raises(TypeError, match="Dataset"):
        Dataset.zip(a, [1, 2])


def test_flat_map_interleave_reduce():
    ds = Dataset.range(3)
    assert values(ds.flat_map(lambda v: Dataset.range(int(v)))) == [0, 0, 1]
    il = ds.interleave(lambda v: Dataset.from_tensors(v).repeat(2), cycle_length=2)
    assert values(il) == [0, 1, 0, 1, 2, 2]
    assert int(ds.reduce(np.int64(0), lambda s, v: s + v)) == 3


def test_prefetch():
    ds = Dataset.range(50).map(lambda v: v + 1).prefetch(4)
    assert values(ds) == list(range(1, 51)) and len(ds) == 50
    assert values(Dataset.range(5).prefetch(lkdata.AUTOTUNE)) == list(range(5))

    def boom(v):
        if v == 3:
            raise KeyError("element three")
        return v

    with pytest.raises(KeyError, match="element three"):
        list(Dataset.range(6).map(boom).prefetch(2))
    # Stopping early does not hang, and the producer thread winds down.
    before = threading.active_count()
    for i, _ in enumerate(Dataset.range(10 ** 6).prefetch(2)):
        if i == 3:
            break
    deadline = time.time() + 2
    while threading.active_count() > before and time.time() < deadline:
        time.sleep(0.01)
    assert threading.active_count() <= before


def test_from_generator():
    def gen(n):
        for i in range(int(n)):
            yield [i] * 2, float(i)

    with pytest.raises(TypeError, match="callable"):
        Dataset.from_generator(gen(3))
    ds = Dataset.from_generator(gen, args=(3,), output_signature=(
        lkdata.TensorSpec(shape=(None,), dtype="int32"), lkdata.TensorSpec((), np.float32)))
    elems = list(ds)
    assert elems[2][0].dtype == np.int32 and elems[2][0].tolist() == [2, 2]
    assert elems[2][1].dtype == np.float32
    assert len(list(ds)) == 3  # the generator is called again for each pass
    typed = Dataset.from_generator(gen, output_types=(np.int64, np.float64),
                                   output_shapes=((2,), ()), args=(2,))
    assert list(typed)[1][0].dtype == np.int64
    bad = Dataset.from_generator(gen, args=(2,), output_signature=(
        lkdata.TensorSpec((3,), np.int64), lkdata.TensorSpec((), np.float32)))
    with pytest.raises(ValueError, match=r"shape \(2,\).*declared shape \(3,\)"):
        list(bad)
    wrong = Dataset.from_generator(lambda: iter([1]), output_signature=(
        lkdata.TensorSpec((), np.int64), lkdata.TensorSpec((), np.int64)))
    with pytest.raises(ValueError, match="expected a tuple of 2"):
        list(wrong)


def _write(path, records, compression=None):
    with TFRecordWriter(path, compression) as w:
        for r in records:
            w.write(r)
    return str(path)


def test_tfrecord_dataset(tmp_path):
    f1 = _write(tmp_path / "a.tfrecord", [b"a0", b"a1", b"a2"])
    f2 = _write(tmp_path / "b.tfrecord.gz", [b"b0", b"b1"], "GZIP")
    f3 = _write(tmp_path / "c.tfrecord", [b"c0"])
    assert list(TFRecordDataset(f1)) == [b"a0", b"a1", b"a2"]
    assert list(TFRecordDataset([f1, f3])) == [b"a0", b"a1", b"a2", b"c0"]
    assert list(Dataset.from_tfrecord(f2, "GZIP")) == [b"b0", b"b1"]
    inter = TFRecordDataset([f1, f3, f1], num_parallel_reads=2)
    assert list(inter) == [b"a0", b"c0", b"a1", b"a0", b"a2", b"a1", b"a2"]
    files = Dataset.from_tensor_slices(np.array([f1, f3], dtype=object))
    assert list(TFRecordDataset(files)) == [b"a0", b"a1", b"a2", b"c0"]
    assert TFRecordDataset(f1).cardinality() == UNK
    batched = list(TFRecordDataset(f1).batch(2))
    assert batched[0].dtype == object and batched[0].tolist() == [b"a0", b"a1"]
    listed = Dataset.list_files(str(tmp_path / "*.tfrecord"), shuffle=False)
    assert list(listed) == [f1, f3]
    with pytest.raises(FileNotFoundError, match="no files match"):
        Dataset.list_files(str(tmp_path / "*.nothing"))


def test_tfrecord_dataset_errors(tmp_path):
    missing = tmp_path / "missing.tfrecord"
    with pytest.raises(FileNotFoundError, match="missing.tfrecord"):
        list(TFRecordDataset(str(missing)))
    with pytest.raises(ValueError, match="compression_type"):
        TFRecordDataset("x", compression_type="BZ2")
    with pytest.raises(TypeError, match="file names"):
        TFRecordDataset([1, 2])
    gz = _write(tmp_path / "g.tfrecord", [b"x"], "GZIP")
    with pytest.raises(lkdata.DataLossError, match="compression_type='GZIP'"):
        list(TFRecordDataset(gz))


def test_repr():
    assert "cardinality=3" in repr(Dataset.range(3))
    assert "infinite" in repr(Dataset.range(3).repeat())
