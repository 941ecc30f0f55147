"""The committed TensorFlow-format fixture reads here and re-writes byte for byte.

`tests/fixtures/tf_examples.tfrecord(.gz)` were produced by
`tests/fixtures/make_tf_fixture.py` along a path independent of layerkit (hand
wire encoding + reference CRC32C; TensorFlow is not installable here).
"""

import importlib.util
import math
import pathlib

import numpy as np
import pytest

import layerkit.data as lkdata
from layerkit.data import io as lkio
from layerkit.data import train

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "fixtures"
PLAIN = FIXTURES / "tf_examples.tfrecord"
GZIPPED = FIXTURES / "tf_examples.tfrecord.gz"


def _load_fixture_module():
    spec = importlib.util.spec_from_file_location("make_tf_fixture",
                                                  FIXTURES / "make_tf_fixture.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


fixture = _load_fixture_module()


def layerkit_example(rec):
    """Build the record with layerkit's message classes (not with the fixture's encoder)."""
    if rec is None:
        return train.Example()
    ex = train.Example()
    for key, (kind, vals) in rec.items():
        feature = ex.features.feature[key]
        if kind == "bytes":
            feature.bytes_list.SetInParent()
            feature.bytes_list.value.extend(vals)
        elif kind == "float":
            feature.float_list.SetInParent()
            feature.float_list.value.extend(vals)
        else:
            feature.int64_list.SetInParent()
            feature.int64_list.value.extend(vals)
    return ex


def test_fixture_reads_with_expected_values():
    records = list(lkdata.TFRecordDataset(str(PLAIN)))
    expected = fixture.fixture_records()
    assert len(records) == len(expected)
    for raw, rec in zip(records, expected):
        ex = train.Example.FromString(raw)
        if rec is None:
            assert raw == b"" and not ex.HasField("features")
            continue
        got = {}
        for key, feature in ex.features.feature.items():
            kind = feature.WhichOneof("kind")
            got[key] = (kind.split("_")[0], list(getattr(feature, kind).value))
        want = {k: (kind, [np.float32(v) for v in vals] if kind == "float" else list(vals))
                for k, (kind, vals) in rec.items()}
        assert got.keys() == want.keys()
        for k in want:
            assert got[k][0] == want[k][0]
            np.testing.assert_array_equal(np.asarray(got[k][1], dtype=object),
                                          np.asarray(want[k][1], dtype=object))


def test_fixture_parses_with_feature_specs():
    first = next(iter(lkdata.TFRecordDataset(str(PLAIN))))
    out = lkio.parse_single_example(first, {
        "image": lkio.FixedLenFeature([], "string"),
        "label": lkio.FixedLenFeature([], np.int64),
        "weights": lkio.VarLenFeature(np.float32),
    })
    img = lkio.decode_raw(out["image"], np.uint8).reshape(8, 8)
    assert img[7].tolist() == [0] * 8 and img[0, 1] == 3
    assert out["label"] == 1
    np.testing.assert_array_equal(out["weights"].values, [0.5, -1.25, 3.0])
    second = list(lkdata.TFRecordDataset(str(PLAIN)))[1]
    w = lkio.parse_single_example(second, {"weights": lkio.FixedLenFeature([3], np.float32)})
    assert w["weights"][1] == math.inf and math.copysign(1, w["weights"][2]) == -1


def test_gzip_fixture_has_the_same_records():
    assert list(lkdata.TFRecordDataset(str(GZIPPED), "GZIP")) == \
        list(lkdata.TFRecordDataset(str(PLAIN)))


def test_layerkit_writes_the_fixture_byte_for_byte(tmp_path):
    out = tmp_path / "mine.tfrecord"
    with lkio.TFRecordWriter(out) as w:
        for rec in fixture.fixture_records():
            w.write(layerkit_example(rec).SerializeToString(deterministic=True))
    assert out.read_bytes() == PLAIN.read_bytes()


def test_independent_encoder_agrees_with_protobuf_per_record():
    for rec in fixture.fixture_records():
        assert fixture.encode_example_independently(rec) == \
            layerkit_example(rec).SerializeToString(deterministic=True)


def test_committed_fixture_is_reproducible(tmp_path):
    assert fixture.main(["--independent", str(tmp_path)]) == 0
    assert (tmp_path / fixture.PLAIN_NAME).read_bytes() == PLAIN.read_bytes()
    regenerated = list(lkdata.TFRecordDataset(str(tmp_path / fixture.GZIP_NAME), "GZIP"))
    assert regenerated == list(lkdata.TFRecordDataset(str(PLAIN)))


@pytest.mark.parametrize("path", [PLAIN, GZIPPED])
def test_fixture_files_are_committed(path):
    assert path.is_file() and path.stat().st_size > 0
