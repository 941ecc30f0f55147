"""`layerkit.data.io`: the TFRecord / Example parts of `tf.io`, without TensorFlow."""

from layerkit.data.example_codec import (
    FeatureKeyError as FeatureKeyError,
    decode_raw as decode_raw,
    parse_example as parse_example,
    parse_single_example as parse_single_example,
    parse_single_sequence_example as parse_single_sequence_example,
)
from layerkit.data.feature_spec import (
    FixedLenFeature as FixedLenFeature,
    FixedLenSequenceFeature as FixedLenSequenceFeature,
    VarLenFeature as VarLenFeature,
)
from layerkit.data.sparse import SparseTensor as SparseTensor
from layerkit.data.tfrecord import (
    DataLossError as DataLossError,
    TFRecordOptions as TFRecordOptions,
    TFRecordWriter as TFRecordWriter,
    tf_record_iterator as tf_record_iterator,
)
