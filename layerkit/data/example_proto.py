"""`tf.train.Example` and friends as protobuf messages, wire-compatible with TensorFlow.

The message types are described here in code (a `FileDescriptorProto` per
TensorFlow file, same package, message names and field numbers as
``tensorflow/core/example/feature.proto`` and ``example.proto``) and turned into
classes by the installed protobuf runtime on first use. Why in code rather than a
committed ``.proto`` plus a ``protoc``-generated ``_pb2.py``: generated modules pin
the protobuf runtime version they were generated for (recent ones refuse to load
under an older runtime), and would need ``protoc`` to regenerate; a descriptor
built at run time works with any protobuf >= 3.20 and keeps the definition
readable in one place.

The descriptors live in a private `DescriptorPool`, so they never clash with
TensorFlow's own ``tensorflow.Example`` when both are imported in one process; the
full names and wire format are the same, so bytes move freely between the two.
"""

import threading

__all__ = ["MESSAGE_NAMES", "get_message_class", "message_classes"]

MESSAGE_NAMES = (
    "BytesList", "FloatList", "Int64List", "Feature", "Features", "FeatureList",
    "FeatureLists", "Example", "SequenceExample",
)

_PACKAGE = "tensorflow"
_lock = threading.Lock()
_classes = None


def _add_field(msg, name, number, ftype, label="optional", type_name=None, packed=False,
               oneof_index=None):
    from google.protobuf import descriptor_pb2 as d

    field = msg.field.add()
    field.name = name
    field.json_name = "".join(p if i == 0 else p.capitalize()
                              for i, p in enumerate(name.split("_")))
    field.number = number
    field.type = getattr(d.FieldDescriptorProto, "TYPE_" + ftype.upper())
    field.label = getattr(d.FieldDescriptorProto, "LABEL_" + label.upper())
    if type_name:
        field.type_name = f".{_PACKAGE}.{type_name}"
    if packed:
        field.options.packed = True
    if oneof_index is not None:
        field.oneof_index = oneof_index
    return field


def _add_map(msg, name, number, value_type):
    """A proto3 `map<string, value_type> name = number;` field (nested *Entry type)."""
    entry_name = "".join(p.capitalize() for p in name.split("_")) + "Entry"
    entry = msg.nested_type.add()
    entry.name = entry_name
    entry.options.map_entry = True
    _add_field(entry, "key", 1, "string")
    _add_field(entry, "value", 2, "message", type_name=value_type)
    _add_field(msg, name, number, "message", label="repeated",
               type_name=f"{msg.name}.{entry_name}")


def _feature_file():
    from google.protobuf import descriptor_pb2 as d

    f = d.FileDescriptorProto(name="tensorflow/core/example/feature.proto",
                              package=_PACKAGE, syntax="proto3")
    f.options.cc_enable_arenas = True
    f.options.java_package = "org.tensorflow.example"
    f.options.java_outer_classname = "FeatureProtos"
    f.options.java_multiple_files = True

    _add_field(f.message_type.add(name="BytesList"), "value", 1, "bytes", "repeated")
    _add_field(f.message_type.add(name="FloatList"), "value", 1, "float", "repeated",
               packed=True)
    _add_field(f.message_type.add(name="Int64List"), "value", 1, "int64", "repeated",
               packed=True)

    feature = f.message_type.add(name="Feature")
    feature.oneof_decl.add(name="kind")
    _add_field(feature, "bytes_list", 1, "message", type_name="BytesList", oneof_index=0)
    _add_field(feature, "float_list", 2, "message", type_name="FloatList", oneof_index=0)
    _add_field(feature, "int64_list", 3, "message", type_name="Int64List", oneof_index=0)

    _add_map(f.message_type.add(name="Features"), "feature", 1, "Feature")
    _add_field(f.message_type.add(name="FeatureList"), "feature", 1, "message", "repeated",
               type_name="Feature")
    _add_map(f.message_type.add(name="FeatureLists"), "feature_list", 1, "FeatureList")
    return f


def _example_file():
    from google.protobuf import descriptor_pb2 as d

    f = d.FileDescriptorProto(name="tensorflow/core/example/example.proto",
                              package=_PACKAGE, syntax="proto3")
    f.dependency.append("tensorflow/core/example/feature.proto")
    f.options.cc_enable_arenas = True
    f.options.java_package = "org.tensorflow.example"
    f.options.java_outer_classname = "ExampleProtos"
    f.options.java_multiple_files = True

    _add_field(f.message_type.add(name="Example"), "features", 1, "message",
               type_name="Features")
    seq = f.message_type.add(name="SequenceExample")
    _add_field(seq, "context", 1, "message", type_name="Features")
    _add_field(seq, "feature_lists", 2, "message", type_name="FeatureLists")
    return f


def _class_for(descriptor):
    from google.protobuf import message_factory

    if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.21
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(descriptor.file.pool).GetPrototype(descriptor)


def _build():
    from google.protobuf import descriptor_pool

    pool = descriptor_pool.DescriptorPool()
    for file_proto in (_feature_file(), _example_file()):
        pool.AddSerializedFile(file_proto.SerializeToString())
    return {name: _class_for(pool.FindMessageTypeByName(f"{_PACKAGE}.{name}"))
            for name in MESSAGE_NAMES}


def message_classes():
    """{name: class} for all nine message types; built once, on first call."""
    global _classes
    if _classes is None:
        with _lock:
            if _classes is None:
                _classes = _build()
    return _classes


def get_message_class(name):
    """The message class `name` (e.g. 'Example'); AttributeError for unknown names."""
    classes = message_classes()
    if name not in classes:
        raise AttributeError(
            f"No message type {name!r} in tf.train; available: {', '.join(MESSAGE_NAMES)}.")
    return classes[name]
