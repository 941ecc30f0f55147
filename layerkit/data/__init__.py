"""`layerkit.data`: TFRecord files, `tf.train.Example` messages and a tf.data-like
`Dataset`, without TensorFlow.

`layerkit.data.train` mirrors `tf.train` (Example, Feature, ...), and
`layerkit.data.io` mirrors the TFRecord / parsing parts of `tf.io`. protobuf is
imported only when an Example class is first used.
"""

from layerkit.data import io as io
from layerkit.data import train as train
from layerkit.data.dataset import (
    AUTOTUNE as AUTOTUNE,
    INFINITE_CARDINALITY as INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY as UNKNOWN_CARDINALITY,
    Dataset as Dataset,
    TFRecordDataset as TFRecordDataset,
)
from layerkit.data.example_codec import (
    FeatureKeyError as FeatureKeyError,
    decode_raw as decode_raw,
    encode_example as encode_example,
    encode_sequence_example as encode_sequence_example,
    parse_example as parse_example,
    parse_single_example as parse_single_example,
    parse_single_sequence_example as parse_single_sequence_example,
    serialize_example as serialize_example,
    to_feature as to_feature,
)
from layerkit.data.feature_spec import (
    FixedLenFeature as FixedLenFeature,
    FixedLenSequenceFeature as FixedLenSequenceFeature,
    VarLenFeature as VarLenFeature,
)
from layerkit.data.sparse import SparseTensor as SparseTensor
from layerkit.data.structure import TensorSpec as TensorSpec
from layerkit.data.tfrecord import (
    DataLossError as DataLossError,
    TFRecordOptions as TFRecordOptions,
    TFRecordWriter as TFRecordWriter,
    masked_crc32c as masked_crc32c,
    read_records as read_records,
    tf_record_iterator as tf_record_iterator,
)
