"""examples/tfrecord_classifier.py: its TFRecord files, its input pipeline and its model
trained by fit on that pipeline, on either engine."""

import importlib.util
import pathlib

import numpy as np
import pytest

import layerkit.data as lkdata

EXAMPLE = pathlib.Path(__file__).resolve().parents[3] / "examples" / "tfrecord_classifier.py"


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("tfrecord_classifier", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("compression", [None, "GZIP"])
def test_written_records_parse_back(tmp_path, example, compression):
    paths = example.write_tfrecords(str(tmp_path), num_examples=60, num_shards=3, seed=5,
                                    compression_type=compression)
    assert len(paths) == 3 and all(pathlib.Path(p).stat().st_size > 0 for p in paths)
    ds = example.make_dataset(paths, batch_size=32, shuffle=True, seed=1,
                              compression_type=compression)
    batches = list(ds)
    assert [b[0].shape for b in batches] == [(32, 8, 8, 1), (28, 8, 8, 1)]
    images = np.concatenate([b[0] for b in batches])
    labels = np.concatenate([b[1] for b in batches])
    assert images.dtype == np.float32 and 0.0 <= images.min() and images.max() <= 1.0
    assert labels.dtype == np.int64 and set(labels.tolist()) <= {0, 1, 2}
    # The same generator, replayed, gives the same (image, label) pairs in file order.
    rng = np.random.default_rng(5)
    want_labels = rng.integers(3, size=60)
    ordered = list(example.make_dataset(paths, shuffle=False, compression_type=compression)
                   .unbatch())
    got_labels = np.array([int(lbl) for _, lbl in ordered])
    expected_order = np.concatenate([want_labels[s::3] for s in range(3)])
    np.testing.assert_array_equal(got_labels, expected_order)
    assert sorted(labels.tolist()) == sorted(want_labels.tolist())


def test_classes_are_separable(tmp_path, example):
    """A nearest-class-mean rule on the parsed data beats chance by far, so a small
    model trained with fit() has something to learn."""
    paths = example.write_tfrecords(str(tmp_path), num_examples=300, seed=0)
    x, y = [], []
    for images, labels in example.make_dataset(paths, shuffle=False):
        x.append(images.reshape(len(images), -1))
        y.append(labels)
    x, y = np.concatenate(x), np.concatenate(y)
    # Patterns have a random phase, so use phase-invariant features.
    img = x.reshape(-1, 8, 8)
    feats = np.stack([np.abs(np.diff(img, axis=1)).mean(axis=(1, 2)),
                      np.abs(np.diff(img, axis=2)).mean(axis=(1, 2))], axis=1)
    means = np.stack([feats[y == k].mean(axis=0) for k in range(3)])
    pred = np.argmin(((feats[:, None, :] - means[None]) ** 2).sum(-1), axis=1)
    assert (pred == y).mean() > 0.9


def test_records_are_plain_tf_examples(tmp_path, example):
    (path,) = example.write_tfrecords(str(tmp_path), num_examples=4, num_shards=1, seed=2)
    first = next(iter(lkdata.TFRecordDataset(path)))
    ex = lkdata.train.Example.FromString(first)
    assert sorted(ex.features.feature) == ["image", "label"]
    assert len(ex.features.feature["image"].bytes_list.value[0]) == 64


def test_fit_on_tfrecord_dataset(tmp_path, example):
    model, accuracy = example.train(str(tmp_path), epochs=15, num_examples=300, verbose=0)
    assert [layer.__class__.__name__ for layer in model.layers] == ["Flatten", "Dense", "Dense"]
    assert int(model.optimizer.iterations) == 15 * 10   # 300 examples in batches of 32
    assert accuracy > 0.8
