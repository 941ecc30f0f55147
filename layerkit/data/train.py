"""`layerkit.data.train`: the `tf.train` Example messages (Example, Feature, Features,
BytesList, FloatList, Int64List, SequenceExample, FeatureList, FeatureLists).

The classes are built from their descriptors on first access, so importing
layerkit does not import protobuf.
"""

from layerkit.data import example_proto as _example_proto

__all__ = list(_example_proto.MESSAGE_NAMES)


def __getattr__(name):
    if name in _example_proto.MESSAGE_NAMES:
        cls = _example_proto.get_message_class(name)
        globals()[name] = cls  # later lookups skip this hook
        return cls
    raise AttributeError(f"module 'layerkit.data.train' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
