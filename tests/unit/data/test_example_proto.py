"""tf.train message classes: TF's field numbers, wire bytes, laziness (layerkit.data.train)."""

import struct
import subprocess
import sys

import pytest

import layerkit.data as lkdata
from layerkit.data import train


def fields(cls):
    """{name: (number, type, label)} read from the message's DescriptorProto."""
    from google.protobuf import descriptor_pb2

    proto = descriptor_pb2.DescriptorProto()
    cls.DESCRIPTOR.CopyToProto(proto)
    return {f.name: (f.number, f.type, f.label) for f in proto.field}


def test_names_and_field_numbers_match_tensorflow():
    from google.protobuf.descriptor_pb2 import FieldDescriptorProto as FD

    rep, opt = FD.LABEL_REPEATED, FD.LABEL_OPTIONAL
    assert train.Example.DESCRIPTOR.full_name == "tensorflow.Example"
    assert fields(train.BytesList) == {"value": (1, FD.TYPE_BYTES, rep)}
    assert fields(train.FloatList) == {"value": (1, FD.TYPE_FLOAT, rep)}
    assert fields(train.Int64List) == {"value": (1, FD.TYPE_INT64, rep)}
    assert train.FloatList.DESCRIPTOR.fields[0].GetOptions().packed
    assert train.Int64List.DESCRIPTOR.fields[0].GetOptions().packed
    assert fields(train.Feature) == {"bytes_list": (1, FD.TYPE_MESSAGE, opt),
                                     "float_list": (2, FD.TYPE_MESSAGE, opt),
                                     "int64_list": (3, FD.TYPE_MESSAGE, opt)}
    assert [f.name for f in train.Feature.DESCRIPTOR.oneofs_by_name["kind"].fields] == [
        "bytes_list", "float_list", "int64_list"]
    assert fields(train.Features)["feature"][0] == 1
    assert train.Features.DESCRIPTOR.fields[0].message_type.GetOptions().map_entry
    assert fields(train.FeatureList)["feature"][:1] == (1,)
    assert fields(train.FeatureLists)["feature_list"][0] == 1
    assert fields(train.Example) == {"features": (1, FD.TYPE_MESSAGE, opt)}
    assert fields(train.SequenceExample) == {"context": (1, FD.TYPE_MESSAGE, opt),
                                             "feature_lists": (2, FD.TYPE_MESSAGE, opt)}


def test_wire_bytes_by_hand():
    # Packed float: tag 0a, length 8, two little-endian float32.
    fl = train.FloatList(value=[1.5, -2.0])
    assert fl.SerializeToString() == b"\x0a\x08" + struct.pack("<2f", 1.5, -2.0)
    # Negative int64: ten-byte two's complement varint.
    il = train.Int64List(value=[-1])
    assert il.SerializeToString() == b"\x0a\x0a" + b"\xff" * 9 + b"\x01"
    # Bytes list: one length-delimited field per value.
    assert train.BytesList(value=[b"ab", b""]).SerializeToString() == b"\x0a\x02ab\x0a\x00"
    # An empty list still selects its oneof member: Feature{float_list{}} = 12 00.
    assert train.Feature(float_list=train.FloatList()).SerializeToString() == b"\x12\x00"
    # SequenceExample{context{feature{"x": float [1.5]}},
    #                 feature_lists{feature_list{"t": [bytes ["hi"]]}}}
    seq = train.SequenceExample()
    seq.context.feature["x"].float_list.value.append(1.5)
    seq.feature_lists.feature_list["t"].feature.add().bytes_list.value.append(b"hi")
    ctx_feature = b"\x12\x06\x0a\x04" + struct.pack("<f", 1.5)
    ctx_entry = b"\x0a\x01x\x12" + bytes([len(ctx_feature)]) + ctx_feature
    context = b"\x0a" + bytes([len(ctx_entry)]) + ctx_entry
    fl_entry_value = b"\x0a\x06\x0a\x04\x0a\x02hi"  # FeatureList{feature=[Feature{bytes}]}
    fl_entry = b"\x0a\x01t\x12" + bytes([len(fl_entry_value)]) + fl_entry_value
    feature_lists = b"\x0a" + bytes([len(fl_entry)]) + fl_entry
    expected = (b"\x0a" + bytes([len(context)]) + context
                + b"\x12" + bytes([len(feature_lists)]) + feature_lists)
    assert seq.SerializeToString(deterministic=True) == expected
    assert train.SequenceExample.FromString(expected) == seq


def test_map_order_on_the_wire_does_not_matter_and_serialization_sorts_keys():
    def entry(key, value):
        feature = b"\x1a\x03\x0a\x01" + bytes([value])  # int64_list [value]
        body = b"\x0a" + bytes([len(key)]) + key + b"\x12" + bytes([len(feature)]) + feature
        return b"\x0a" + bytes([len(body)]) + body

    def example(entries):
        features = b"".join(entries)
        return b"\x0a" + bytes([len(features)]) + features

    unsorted = example([entry(b"zeta", 1), entry(b"alpha", 2), entry(b"Mid", 3)])
    parsed = train.Example.FromString(unsorted)
    assert {k: list(v.int64_list.value) for k, v in parsed.features.feature.items()} == {
        "zeta": [1], "alpha": [2], "Mid": [3]}
    assert parsed.SerializeToString(deterministic=True) == example(
        [entry(b"Mid", 3), entry(b"alpha", 2), entry(b"zeta", 1)])


def test_message_api_like_tf_train():
    ex = train.Example()
    ex.features.feature["label"].int64_list.value.append(3)
    assert ex.features.feature["label"].WhichOneof("kind") == "int64_list"
    assert ex.HasField("features")
    assert 'key: "label"' in str(ex)
    assert train.Example.FromString(ex.SerializeToString()) == ex
    with pytest.raises(AttributeError, match="NotAMessage"):
        train.NotAMessage  # noqa: B018
    assert set(train.__all__) == {"BytesList", "FloatList", "Int64List", "Feature", "Features",
                                  "FeatureList", "FeatureLists", "Example", "SequenceExample"}
    assert lkdata.train.Feature is train.Feature


def test_importing_layerkit_data_does_not_import_protobuf():
    code = ("import sys; import layerkit; pre = 'google.protobuf' in sys.modules; "
            "import layerkit.data; import layerkit.data.io; "
            "print(pre, 'google.protobuf' in sys.modules, 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    pre, post, tf_loaded = out.stdout.split()
    assert pre == "False", "`import layerkit` imports protobuf"
    assert post == "False"
    assert tf_loaded == "False"
