"""Train a small classifier from TFRecord files, without TensorFlow.

1. Writes a few hundred synthetic 8x8 grayscale images (three classes:
   horizontal stripes, vertical stripes, a checkerboard; plus noise) into
   sharded TFRecord files as `tf.train.Example`s: the image as raw bytes and
   the label as an int64.
2. Reads them back with
   `layerkit.data.TFRecordDataset(files).map(parse).shuffle(...).batch(32)`.
3. Trains a small `Sequential` model on that dataset with `model.fit` and
   prints the accuracy.

The files are byte-compatible with TensorFlow: `tf.data.TFRecordDataset` and
`tf.io.parse_single_example` read them unchanged.

    python examples/tfrecord_classifier.py [--epochs 10] [--out DIR]
"""

import argparse
import os
import tempfile

import numpy as np

import layerkit.data as lkdata

IMAGE_SIZE = 8
NUM_CLASSES = 3
CLASS_NAMES = ("horizontal", "vertical", "checkerboard")

FEATURES = {
    "image": lkdata.FixedLenFeature([], "string"),
    "label": lkdata.FixedLenFeature([], "int64"),
}


def make_image(label, rng):
    """One noisy 8x8 uint8 image of class `label`, with a random phase."""
    r, c = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE]
    phase = rng.integers(2)
    if label == 0:
        pattern = (r + phase) % 2
    elif label == 1:
        pattern = (c + phase) % 2
    else:
        pattern = (r + c + phase) % 2
    noisy = pattern * 180.0 + 40.0 + rng.normal(0.0, 30.0, size=pattern.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def write_tfrecords(out_dir, num_examples=300, num_shards=3, seed=0, compression_type=None):
    """Writes `num_examples` labelled images into `num_shards` TFRecord files.

    Returns the list of file paths.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(NUM_CLASSES, size=num_examples)
    suffix = ".tfrecord.gz" if compression_type == "GZIP" else ".tfrecord"
    paths = [os.path.join(out_dir, f"shapes-{i:05d}-of-{num_shards:05d}{suffix}")
             for i in range(num_shards)]
    writers = [lkdata.TFRecordWriter(p, compression_type) for p in paths]
    try:
        for i, label in enumerate(labels):
            image = make_image(int(label), rng)
            example = lkdata.train.Example(features=lkdata.train.Features(feature={
                "image": lkdata.train.Feature(
                    bytes_list=lkdata.train.BytesList(value=[image.tobytes()])),
                "label": lkdata.train.Feature(
                    int64_list=lkdata.train.Int64List(value=[int(label)])),
            }))
            writers[i % num_shards].write(example.SerializeToString(deterministic=True))
    finally:
        for w in writers:
            w.close()
    return paths


def parse_example(record):
    """Serialized Example -> (float32 image [8, 8, 1] in [0, 1], int64 label)."""
    parsed = lkdata.io.parse_single_example(record, FEATURES)
    image = lkdata.io.decode_raw(parsed["image"], np.uint8)
    image = image.reshape(IMAGE_SIZE, IMAGE_SIZE, 1).astype(np.float32) / 255.0
    return image, parsed["label"]


def make_dataset(paths, batch_size=32, shuffle=True, seed=None, compression_type=None):
    """The input pipeline: read records, parse, shuffle, batch, prefetch."""
    ds = lkdata.TFRecordDataset(paths, compression_type=compression_type)
    ds = ds.map(parse_example, num_parallel_calls=lkdata.AUTOTUNE)
    if shuffle:
        ds = ds.shuffle(buffer_size=256, seed=seed)
    return ds.batch(batch_size).prefetch(lkdata.AUTOTUNE)


def build_model():
    from layerkit.layers import Dense, Flatten
    from layerkit.models import Sequential

    model = Sequential([
        Flatten(input_shape=(IMAGE_SIZE, IMAGE_SIZE, 1)),
        Dense(32, activation="relu"),
        Dense(NUM_CLASSES, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def train(out_dir, epochs=10, num_examples=300, verbose=2):
    """Writes the data, trains on it and returns (model, accuracy on held-out files)."""
    train_dir, test_dir = os.path.join(out_dir, "train"), os.path.join(out_dir, "test")
    os.makedirs(train_dir, exist_ok=True)
    os.makedirs(test_dir, exist_ok=True)
    train_paths = write_tfrecords(train_dir, num_examples, seed=0)
    test_paths = write_tfrecords(test_dir, num_examples // 3, num_shards=1, seed=1)
    model = build_model()
    model.fit(make_dataset(train_paths, seed=0), epochs=epochs, verbose=verbose)
    results = model.evaluate(make_dataset(test_paths, shuffle=False), verbose=0)
    accuracy = float(results[-1]) if isinstance(results, (list, tuple)) else float(results)
    return model, accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--out", default=None, help="folder for the TFRecord files")
    args = parser.parse_args()
    if args.out:
        _, accuracy = train(args.out, args.epochs, args.examples)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            _, accuracy = train(tmp, args.epochs, args.examples)
    print(f"test accuracy: {accuracy:.3f}")


if __name__ == "__main__":
    main()
