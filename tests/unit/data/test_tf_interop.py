"""Round trips through real TensorFlow; skipped unless `tensorflow` is importable."""

import importlib.util
import pathlib

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

import layerkit.data as lkdata  # noqa: E402
from layerkit.data import io as lkio  # noqa: E402

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "fixtures"


def _fixture_module():
    spec = importlib.util.spec_from_file_location("make_tf_fixture",
                                                  FIXTURES / "make_tf_fixture.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _tf_example(i):
    image = (np.arange(16, dtype=np.uint8) * (i + 1)).tobytes()
    return tf.train.Example(features=tf.train.Features(feature={
        "image": tf.train.Feature(bytes_list=tf.train.BytesList(value=[image])),
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[i, -i])),
        "score": tf.train.Feature(float_list=tf.train.FloatList(value=[i / 3.0])),
    }))


@pytest.mark.parametrize("compression", [None, "GZIP", "ZLIB"])
def test_tf_writes_layerkit_reads(tmp_path, compression):
    path = str(tmp_path / "tf.tfrecord")
    with tf.io.TFRecordWriter(path, options=compression) as w:
        for i in range(5):
            w.write(_tf_example(i).SerializeToString())
    records = list(lkdata.TFRecordDataset(path, compression))
    assert len(records) == 5
    out = lkio.parse_example(records, {"label": lkio.FixedLenFeature([2], np.int64),
                                       "score": lkio.FixedLenFeature([], np.float32),
                                       "image": lkio.FixedLenFeature([], "string")})
    np.testing.assert_array_equal(out["label"], [[i, -i] for i in range(5)])
    np.testing.assert_allclose(out["score"], np.arange(5, dtype=np.float32) / 3, rtol=1e-6)
    np.testing.assert_array_equal(lkio.decode_raw(out["image"], np.uint8)[2],
                                  np.arange(16, dtype=np.uint8) * 3)


@pytest.mark.parametrize("compression", [None, "GZIP", "ZLIB"])
def test_layerkit_writes_tf_reads(tmp_path, compression):
    path = str(tmp_path / "lk.tfrecord")
    with lkio.TFRecordWriter(path, compression) as w:
        for i in range(5):
            w.write(lkdata.serialize_example({"label": i, "x": np.full(3, i, np.float32),
                                              "raw": bytes([i, 0])}))
    spec = {"label": tf.io.FixedLenFeature([], tf.int64),
            "x": tf.io.FixedLenFeature([3], tf.float32),
            "raw": tf.io.FixedLenFeature([], tf.string)}
    ds = tf.data.TFRecordDataset(path, compression_type=compression or "")
    parsed = [tf.io.parse_single_example(r, spec) for r in ds]
    assert [int(p["label"]) for p in parsed] == list(range(5))
    assert parsed[4]["x"].numpy().tolist() == [4.0] * 3
    assert parsed[3]["raw"].numpy() == b"\x03\x00"


def test_same_example_same_file_bytes(tmp_path):
    tf_path, lk_path = str(tmp_path / "tf.tfrecord"), tmp_path / "lk.tfrecord"
    with tf.io.TFRecordWriter(tf_path) as w:
        for i in range(4):
            w.write(_tf_example(i).SerializeToString(deterministic=True))
    with lkio.TFRecordWriter(lk_path) as w:
        for i in range(4):
            # Same message, rebuilt from TF's bytes with layerkit's classes.
            w.write(lkdata.train.Example.FromString(_tf_example(i).SerializeToString()))
    assert lk_path.read_bytes() == pathlib.Path(tf_path).read_bytes()


def test_fixture_script_under_tensorflow_reproduces_committed_fixture(tmp_path):
    mod = _fixture_module()
    assert mod.main([str(tmp_path)]) == 0
    assert (tmp_path / mod.PLAIN_NAME).read_bytes() == (FIXTURES / mod.PLAIN_NAME).read_bytes()
    gz = list(lkdata.TFRecordDataset(str(tmp_path / mod.GZIP_NAME), "GZIP"))
    assert gz == list(lkdata.TFRecordDataset(str(FIXTURES / mod.PLAIN_NAME)))


def test_tf_reads_committed_fixture():
    for name, comp in (("tf_examples.tfrecord", ""), ("tf_examples.tfrecord.gz", "GZIP")):
        tf_records = [r.numpy() for r in tf.data.TFRecordDataset(str(FIXTURES / name), comp)]
        assert tf_records == list(lkdata.TFRecordDataset(str(FIXTURES / name), comp or None))
