"""Encoding and parsing Examples with feature specs; decode_raw (layerkit.data.io)."""

import numpy as np
import pytest

import layerkit.data as lkdata
from layerkit.data import io as lkio
from layerkit.data import train


def make(**features):
    return lkdata.serialize_example(features)


def test_encode_kinds():
    ex = lkdata.encode_example({
        "b": b"raw\x00", "s": "text", "f": np.array([[1.5, 2.0]], np.float64),
        "i": np.arange(3, dtype=np.uint8), "flag": True, "bl": [b"a", b"bc"]})
    f = ex.features.feature
    assert list(f["b"].bytes_list.value) == [b"raw\x00"]
    assert list(f["s"].bytes_list.value) == [b"text"]
    assert list(f["f"].float_list.value) == [1.5, 2.0]
    assert list(f["i"].int64_list.value) == [0, 1, 2]
    assert list(f["flag"].int64_list.value) == [1]
    assert list(f["bl"].bytes_list.value) == [b"a", b"bc"]
    with pytest.raises(ValueError, match="int64"):
        lkdata.to_feature(np.array([2 ** 64 - 1], np.uint64))
    with pytest.raises(TypeError, match="dtype complex128"):
        lkdata.to_feature(np.array([1j]))


def test_parse_fixed_len_scalars_and_shapes():
    rec = make(label=7, image=b"\x01\x02\x00", pos=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], name="x")
    out = lkio.parse_single_example(rec, {
        "label": lkio.FixedLenFeature([], np.int64),
        "image": lkio.FixedLenFeature([], "string"),
        "pos": lkio.FixedLenFeature([2, 3], np.float32),
        "name": lkio.FixedLenFeature([1], bytes),
    })
    assert out["label"].shape == () and out["label"].dtype == np.int64 and out["label"] == 7
    assert out["image"].shape == () and out["image"].item() == b"\x01\x02\x00"
    np.testing.assert_array_equal(out["pos"], np.arange(1, 7, dtype=np.float32).reshape(2, 3))
    assert out["pos"].dtype == np.float32
    assert out["name"].tolist() == [b"x"]


def test_defaults_and_missing_key_error():
    rec = make(present=1, other=b"z")
    out = lkio.parse_single_example(rec, {
        "absent": lkio.FixedLenFeature([2], np.float32, default_value=-1.0),
        "absent2": lkio.FixedLenFeature([2], np.int64, default_value=[4, 5]),
        "absent_s": lkio.FixedLenFeature([], "string", default_value=b"dflt"),
    })
    np.testing.assert_array_equal(out["absent"], [-1.0, -1.0])
    np.testing.assert_array_equal(out["absent2"], [4, 5])
    assert out["absent_s"].item() == b"dflt"
    with pytest.raises(KeyError) as err:
        lkio.parse_single_example(rec, {"label": lkio.FixedLenFeature([], np.int64)})
    msg = str(err.value)
    assert "'label'" in msg and "'other', 'present'" in msg
    assert isinstance(err.value, ValueError)  # FeatureKeyError is both
    with pytest.raises(ValueError, match="default_value has 3 values"):
        lkio.parse_single_example(rec, {"x": lkio.FixedLenFeature([2], np.int64, [1, 2, 3])})


def test_type_and_count_mismatches_are_errors():
    rec = make(label=[1, 2])
    with pytest.raises(ValueError, match=r"'label'.*float32.*int64_list"):
        lkio.parse_single_example(rec, {"label": lkio.FixedLenFeature([2], np.float32)})
    with pytest.raises(ValueError, match=r"'label'.*expects 1 values.*has 2"):
        lkio.parse_single_example(rec, {"label": lkio.FixedLenFeature([], np.int64)})
    with pytest.raises(ValueError, match="dtype must be float32, int64 or string"):
        lkio.FixedLenFeature([], np.int32)
    with pytest.raises(TypeError, match="dict"):
        lkio.parse_single_example(rec, [lkio.FixedLenFeature([], np.int64)])
    with pytest.raises(ValueError, match="Could not parse 3 bytes"):
        lkio.parse_single_example(b"\xff\xff\xff", {})


def test_var_len_and_sequence_features():
    rec = make(tokens=[3, 1, 4, 1, 5], words=[b"a", b"bb"], pts=[1.0, 2.0, 3.0, 4.0])
    out = lkio.parse_single_example(rec, {
        "tokens": lkio.VarLenFeature(np.int64),
        "words": lkio.VarLenFeature("string"),
        "nothing": lkio.VarLenFeature(np.float32),
        "pts": lkio.FixedLenSequenceFeature([2], np.float32),
        "gone": lkio.FixedLenSequenceFeature([3], np.int64, allow_missing=True),
    })
    sp = out["tokens"]
    assert isinstance(sp, lkio.SparseTensor)
    np.testing.assert_array_equal(sp.values, [3, 1, 4, 1, 5])
    np.testing.assert_array_equal(sp.indices, [[0], [1], [2], [3], [4]])
    assert sp.shape == (5,)
    np.testing.assert_array_equal(sp.to_dense(), [3, 1, 4, 1, 5])
    assert out["words"].values.tolist() == [b"a", b"bb"]
    assert out["nothing"].shape == (0,)
    np.testing.assert_array_equal(out["pts"], [[1, 2], [3, 4]])
    assert out["gone"].shape == (0, 3)
    with pytest.raises(ValueError, match="cannot be split"):
        lkio.parse_single_example(rec, {"tokens": lkio.FixedLenSequenceFeature([2], np.int64)})
    with pytest.raises(KeyError, match="gone"):
        lkio.parse_single_example(rec, {"gone": lkio.FixedLenSequenceFeature([3], np.int64)})


def test_parse_example_batch():
    recs = [make(label=i, ids=np.arange(i, dtype=np.int64), img=bytes([i, 0])) for i in range(3)]
    out = lkio.parse_example(np.array(recs, dtype=object), {
        "label": lkio.FixedLenFeature([], np.int64),
        "ids": lkio.VarLenFeature(np.int64),
        "seq": lkio.FixedLenSequenceFeature([], np.int64, allow_missing=True, default_value=-1),
        "img": lkio.FixedLenFeature([], "string"),
    })
    np.testing.assert_array_equal(out["label"], [0, 1, 2])
    np.testing.assert_array_equal(out["ids"].to_dense(), [[0, 0], [0, 0], [0, 1]])
    np.testing.assert_array_equal(out["ids"].indices, [[1, 0], [2, 0], [2, 1]])
    assert out["ids"].shape == (3, 2)
    assert out["seq"].shape == (3, 0)
    assert out["img"].tolist() == [b"\x00\x00", b"\x01\x00", b"\x02\x00"]
    with pytest.raises(ValueError, match="allow_missing=True"):
        lkio.parse_example(recs, {"seq": lkio.FixedLenSequenceFeature([], np.int64)})
    with pytest.raises(TypeError, match="batch"):
        lkio.parse_example(recs[0], {"label": lkio.FixedLenFeature([], np.int64)})


def test_parse_example_pads_sequences():
    recs = [make(s=[1, 2, 3, 4]), make(s=[5, 6])]
    out = lkio.parse_example(recs, {"s": lkio.FixedLenSequenceFeature(
        [2], np.int64, allow_missing=True, default_value=0)})
    np.testing.assert_array_equal(out["s"], [[[1, 2], [3, 4]], [[5, 6], [0, 0]]])


def test_parse_single_sequence_example():
    seq = lkdata.encode_sequence_example(
        context={"length": 3, "name": b"clip"},
        feature_lists={"frames": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
                       "tags": [[b"a"], [], [b"b", b"c"]]})
    ctx, sq = lkio.parse_single_sequence_example(
        seq.SerializeToString(),
        context_features={"length": lkio.FixedLenFeature([], np.int64),
                          "name": lkio.FixedLenFeature([], "string")},
        sequence_features={"frames": lkio.FixedLenSequenceFeature([2], np.float32),
                           "tags": lkio.VarLenFeature("string"),
                           "missing": lkio.FixedLenSequenceFeature([], np.int64,
                                                                   allow_missing=True)})
    assert ctx["length"] == 3 and ctx["name"].item() == b"clip"
    np.testing.assert_array_equal(sq["frames"], [[1, 2], [3, 4], [5, 6]])
    assert sq["tags"].shape == (3, 2)
    np.testing.assert_array_equal(sq["tags"].indices, [[0, 0], [2, 0], [2, 1]])
    assert sq["missing"].shape == (0,)
    with pytest.raises(KeyError, match=r"'absent'.*feature_lists.*'frames', 'tags'"):
        lkio.parse_single_sequence_example(
            seq, sequence_features={"absent": lkio.FixedLenSequenceFeature([], np.int64)})
    with pytest.raises(ValueError, match="step 0: expected 3 values"):
        lkio.parse_single_sequence_example(
            seq, sequence_features={"frames": lkio.FixedLenSequenceFeature([3], np.float32)})


def test_message_inputs_and_tf_style_dtypes():
    class FakeTFDType:  # tf.DType-like: only `.name` is used
        def __init__(self, name):
            self.name = name

    ex = train.Example()
    ex.features.feature["x"].int64_list.value.extend([9])
    ex.features.feature["s"].bytes_list.value.extend([b"q"])
    out = lkio.parse_single_example(ex, {"x": lkio.FixedLenFeature([], FakeTFDType("int64")),
                                         "s": lkio.FixedLenFeature([], FakeTFDType("string"))})
    assert out["x"] == 9 and out["s"].item() == b"q"


def test_decode_raw():
    img = np.arange(12, dtype=np.uint8).reshape(3, 4)
    got = lkio.decode_raw(img.tobytes(), np.uint8)
    np.testing.assert_array_equal(got, img.ravel())
    got[0] = 99  # writable, and a copy
    floats = np.array([1.5, -2.25], dtype=np.float32)
    np.testing.assert_array_equal(lkio.decode_raw(floats.tobytes(), "float32"), floats)
    big = floats.astype(">f4").tobytes()
    decoded = lkio.decode_raw(big, np.float32, little_endian=False)
    np.testing.assert_array_equal(decoded, floats)
    assert decoded.dtype == np.dtype(np.float32)  # native order
    batch = np.array([b"\x01\x00\x02\x00", b"\x03\x00\x04\x00"], dtype=object)
    np.testing.assert_array_equal(lkio.decode_raw(batch, np.int16), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(lkio.decode_raw(np.array(b"\x07\x00", dtype=object), "int16"),
                                  [7])
    np.testing.assert_array_equal(
        lkio.decode_raw([b"\x01", b"\x02\x03\x04"], np.uint8, fixed_length=2), [[1, 0], [2, 3]])
    with pytest.raises(ValueError, match="length 7, which is not a multiple of 4"):
        lkio.decode_raw(b"\x00" * 7, np.float32)
    with pytest.raises(ValueError, match="same length"):
        lkio.decode_raw([b"\x00", b"\x00\x00"], np.uint8)
    with pytest.raises(ValueError, match="numeric"):
        lkio.decode_raw(b"ab", "string")


def test_trailing_nul_bytes_survive_the_round_trip(tmp_path):
    raw = bytes([5, 0, 0, 0])
    path = tmp_path / "nul.tfrecord"
    with lkio.TFRecordWriter(path) as w:
        w.write(make(img=raw))
    ds = lkdata.TFRecordDataset(path).map(
        lambda r: lkio.parse_single_example(r, {"img": lkio.FixedLenFeature([], "string")})["img"])
    (batch,) = list(ds.batch(4))
    assert batch.dtype == object and batch.tolist() == [raw]
    np.testing.assert_array_equal(lkio.decode_raw(batch, np.uint8), [[5, 0, 0, 0]])
