"""TFRecord framing, CRCs, compression and error reporting (layerkit.data.tfrecord)."""

import gzip
import os
import struct
import zlib

import pytest

from layerkit.data import io as lkio
from layerkit.data import train
from layerkit.data.tfrecord import (DataLossError, TFRecordOptions, TFRecordWriter,
                                    masked_crc32c, read_records, tf_record_iterator)


# An independent, bit-at-a-time CRC-32C (Castagnoli, reflected poly 0x82F63B78).
def reference_crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def reference_masked(data):
    crc = reference_crc32c(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) % (1 << 32)


def reference_frame(data):
    length = struct.pack("<Q", len(data))
    return (length + struct.pack("<I", reference_masked(length)) + data
            + struct.pack("<I", reference_masked(data)))


def write(path, records, options=None):
    with TFRecordWriter(path, options) as w:
        for r in records:
            w.write(r)
    return path


RECORDS = [b"", b"a", b"hello world", bytes(range(256)) * 40, b"\x00" * 7]


def test_crc32c_known_vector_and_mask():
    assert reference_crc32c(b"123456789") == 0xE3069283  # the standard CRC-32C check value
    for data in (b"", b"123456789", bytes(range(256)), b"\x00" * 32):
        assert masked_crc32c(data) == reference_masked(data)


def test_hand_computed_record_is_byte_identical(tmp_path):
    # Example{features{feature{key:"a" value{int64_list{value:[1,2]}}}}} encoded by hand:
    # Int64List 0a 02 01 02 | Feature 1a 04 .. | entry 0a 01 61 12 06 .. |
    # Features 0a 0b .. | Example 0a 0d ..
    expected_example = bytes.fromhex("0a0d" "0a0b" "0a0161" "1206" "1a04" "0a020102")
    example = train.Example(features=train.Features(feature={
        "a": train.Feature(int64_list=train.Int64List(value=[1, 2]))}))
    assert example.SerializeToString(deterministic=True) == expected_example

    path = tmp_path / "one.tfrecord"
    with TFRecordWriter(path) as w:
        w.write(example)  # a message is serialized deterministically
    expected = (struct.pack("<Q", 15) + struct.pack("<I", reference_masked(struct.pack("<Q", 15)))
                + expected_example + struct.pack("<I", reference_masked(expected_example)))
    assert path.read_bytes() == expected
    assert list(read_records(path)) == [expected_example]


@pytest.mark.parametrize("compression", [None, "", "GZIP", "ZLIB", "gzip"])
def test_round_trip(tmp_path, compression):
    path = write(tmp_path / "r.tfrecord", RECORDS, compression)
    assert list(read_records(path, compression)) == RECORDS
    assert list(tf_record_iterator(str(path), TFRecordOptions(compression))) == RECORDS


def test_uncompressed_file_is_exactly_the_framed_records(tmp_path):
    path = write(tmp_path / "r.tfrecord", RECORDS)
    assert path.read_bytes() == b"".join(reference_frame(r) for r in RECORDS)


def test_compressed_files_are_whole_stream_gzip_and_zlib(tmp_path):
    framed = b"".join(reference_frame(r) for r in RECORDS)
    gz = write(tmp_path / "r.gz", RECORDS, "GZIP").read_bytes()
    assert gz[:2] == b"\x1f\x8b"
    assert gzip.decompress(gz) == framed
    zl = write(tmp_path / "r.z", RECORDS, TFRecordOptions("ZLIB", compression_level=9))
    assert zlib.decompress(zl.read_bytes()) == framed


def test_reads_concatenated_gzip_members(tmp_path):
    path = tmp_path / "two.gz"
    path.write_bytes(gzip.compress(reference_frame(b"one")) + gzip.compress(reference_frame(b"2")))
    assert list(read_records(path, "GZIP")) == [b"one", b"2"]


@pytest.mark.parametrize("compression", [None, "GZIP", "ZLIB"])
def test_empty_files(tmp_path, compression):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert list(read_records(empty, compression)) == []
    no_records = write(tmp_path / "none.tfrecord", [], compression)
    assert list(read_records(no_records, compression)) == []


def test_writer_accepts_str_bytearray_and_rejects_other_types(tmp_path):
    path = tmp_path / "t.tfrecord"
    with TFRecordWriter(path) as w:
        w.write("héllo")
        w.write(bytearray(b"xy"))
        w.write(memoryview(b"mv"))
        with pytest.raises(TypeError, match="expects bytes"):
            w.write(3.5)
    assert list(read_records(path)) == ["héllo".encode(), b"xy", b"mv"]


def test_writer_is_atomic(tmp_path):
    path = tmp_path / "atomic.tfrecord"
    w = TFRecordWriter(path)
    w.write(b"x")
    w.flush()
    assert not path.exists()  # only the temporary file exists until close
    w.close()
    assert list(read_records(path)) == [b"x"]
    w.close()  # closing twice is harmless
    with pytest.raises(ValueError, match="closed"):
        w.write(b"y")

    failed = tmp_path / "failed.tfrecord"
    with pytest.raises(RuntimeError):
        with TFRecordWriter(failed) as w2:
            w2.write(b"partial")
            raise RuntimeError("boom")
    assert not failed.exists()
    assert sorted(os.listdir(tmp_path)) == ["atomic.tfrecord"]  # no temp files left


def test_unclosed_writer_finishes_file_when_collected(tmp_path):
    path = tmp_path / "gc.tfrecord"
    w = TFRecordWriter(path, "GZIP")
    w.write(b"kept")
    del w
    assert list(read_records(path, "GZIP")) == [b"kept"]


def test_bad_compression_type():
    with pytest.raises(ValueError, match="'SNAPPY'"):
        TFRecordOptions("SNAPPY")
    with pytest.raises(ValueError, match="compression_type"):
        list(read_records("whatever", "LZ4"))


def test_missing_file_names_the_path(tmp_path):
    missing = tmp_path / "nope.tfrecord"
    with pytest.raises(FileNotFoundError, match="nope.tfrecord"):
        list(read_records(missing))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        TFRecordWriter(tmp_path / "no_dir" / "x.tfrecord")


def _corrupt(path, offset):
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_wrong_data_crc_names_file_and_offset(tmp_path):
    path = write(tmp_path / "bad.tfrecord", [b"first", b"second", b"third"])
    second = 12 + 5 + 4
    _corrupt(path, second + 12 + 2)  # a byte inside the second record's data
    it = read_records(path)
    assert next(it) == b"first"
    with pytest.raises(DataLossError) as err:
        next(it)
    msg = str(err.value)
    assert "bad.tfrecord" in msg and f"offset {second}" in msg and "data CRC" in msg
    assert isinstance(err.value, ValueError)
    # With checks off, the damaged bytes come through (for salvage tools).
    assert list(read_records(path, check_crc=False))[1] == b"sebond"  # "c" ^ 1


def test_wrong_length_crc(tmp_path):
    path = write(tmp_path / "bad.tfrecord", [b"first", b"second"])
    _corrupt(path, 21 + 9)  # inside the second record's length CRC
    with pytest.raises(DataLossError, match=r"offset 21 .*length field's CRC"):
        list(read_records(path))


@pytest.mark.parametrize("cut, what", [(3, "12-byte header"), (12 + 4, "declares 6 data bytes")])
def test_truncated_record(tmp_path, cut, what):
    path = write(tmp_path / "t.tfrecord", [b"first", b"second"])
    data = path.read_bytes()
    path.write_bytes(data[:21 + cut])
    with pytest.raises(DataLossError, match=rf"Truncated record at byte offset 21 .*{what}"):
        list(read_records(path))


def test_truncated_compressed_stream(tmp_path):
    path = write(tmp_path / "t.gz", [b"x" * 1000, b"y" * 1000], "GZIP")
    data = path.read_bytes()
    path.write_bytes(data[:len(data) - 10])
    with pytest.raises(DataLossError, match="truncated|Truncated"):
        list(read_records(path, "GZIP"))


def test_gzip_file_read_as_uncompressed_says_so(tmp_path):
    path = write(tmp_path / "g.tfrecord", [b"payload"], "GZIP")
    with pytest.raises(DataLossError, match="compression_type='GZIP'"):
        list(read_records(path))
    zpath = write(tmp_path / "z.tfrecord", [b"payload"], "ZLIB")
    with pytest.raises(DataLossError, match="compression_type='ZLIB'"):
        list(read_records(zpath))


def test_uncompressed_file_read_as_gzip(tmp_path):
    path = write(tmp_path / "plain.tfrecord", [b"payload"])
    with pytest.raises(DataLossError, match=r"plain.tfrecord.*as GZIP"):
        list(read_records(path, "GZIP"))


def test_io_namespace_mirrors_tf_io():
    assert lkio.TFRecordWriter is TFRecordWriter
    assert lkio.DataLossError is DataLossError
    assert lkio.TFRecordOptions.get_compression_type_string("gzip") == "GZIP"
    assert lkio.TFRecordOptions.get_compression_type_string(None) == ""
