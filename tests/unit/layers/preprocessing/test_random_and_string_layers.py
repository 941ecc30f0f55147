"""Random image layers (training only, seeded, shapes/ranges, config) and the host
(string) layers: Hashing against Keras's documented numbers, lookups,
TextVectorization, and models with preprocessing trained with fit. (Keras's own
numbers for the string layers: test_keras_string_fixtures.py.)"""
import numpy as np
import pytest

import layerkit
from layerkit import engine, layers

IMAGES = np.random.default_rng(1).uniform(0, 255, (4, 8, 10, 3)).astype("float32")
RANDOM = [("RandomFlip", {}), ("RandomRotation", {"factor": 0.2}),
          ("RandomZoom", {"height_factor": 0.3}),
          ("RandomTranslation", {"height_factor": 0.2, "width_factor": 0.1}),
          ("RandomContrast", {"factor": 0.5}), ("RandomBrightness", {"factor": 0.3}),
          ("RandomCrop", {"height": 5, "width": 6})]


def _np(x):
    return np.asarray(engine.convert_to_numpy(x))


@pytest.mark.parametrize("name,kwargs", RANDOM)
def test_random_layer_properties(name, kwargs):
    cls = getattr(layers, name)
    layer = cls(seed=3, **kwargs)
    shape = layer.compute_output_shape(IMAGES.shape)
    inference = _np(layer(IMAGES, training=False))
    if name == "RandomCrop":
        assert inference.shape == shape
    else:
        np.testing.assert_array_equal(inference, IMAGES)
    first, second = _np(layer(IMAGES, training=True)), _np(layer(IMAGES, training=True))
    assert first.shape == second.shape == shape
    assert not np.array_equal(first, second), "the seed state must advance between calls"
    if name in ("RandomContrast", "RandomBrightness"):
        assert first.min() >= 0 and first.max() <= 255
    # The same seed gives the same draws.
    again = cls(seed=3, **kwargs)
    np.testing.assert_array_equal(_np(again(IMAGES, training=True)), first)
    revived = cls.from_config(layer.get_config())
    assert revived.get_config() == layer.get_config()


@pytest.mark.parametrize("name,kwargs", RANDOM[:3] + RANDOM[-1:])
def test_random_layer_channels_first(name, kwargs):
    images = np.transpose(IMAGES, (0, 3, 1, 2))
    layer = getattr(layers, name)(seed=2, data_format="channels_first", **kwargs)
    out = _np(layer(images, training=True))
    assert out.shape == layer.compute_output_shape(images.shape)
    if name != "RandomCrop":
        np.testing.assert_array_equal(_np(layer(images, training=False)), images)
        # Each output image is a transform of its own input only: channels stay together.
        assert out.shape[1] == 3


def test_random_layers_config_matches_keras(keras_oracle):
    for name, kwargs in RANDOM:
        theirs = getattr(keras_oracle.layers, name)(seed=1, **kwargs).get_config()
        ours = getattr(layers, name)(seed=1, **kwargs).get_config()
        assert set(theirs) == set(ours), name
        for key in set(theirs) - {"name", "dtype"}:
            value = theirs[key]
            assert list(ours[key]) == list(value) if isinstance(value, (list, tuple)) \
                else ours[key] == value, (name, key)


def test_augmentation_only_in_fit_and_seed_state_in_step():
    model = layerkit.Sequential([
        layerkit.Input((8, 10, 3)), layers.RandomFlip(seed=1), layers.RandomRotation(0.1, seed=2),
        layers.RandomZoom(0.2, seed=3), layers.RandomTranslation(0.1, 0.1, seed=4),
        layers.RandomContrast(0.3, seed=5), layers.RandomBrightness(0.2, seed=6),
        layers.RandomCrop(6, 8, seed=7), layers.Rescaling(1 / 255.0), layers.Flatten(),
        layers.Dense(2)])
    model.compile("sgd", "mse")
    before = [np.array(_np(g.state.value)) for g in model.seed_generators]
    model.fit(IMAGES, np.zeros((4, 2), "float32"), batch_size=2, epochs=1, verbose=0)
    after = [np.array(_np(g.state.value)) for g in model.seed_generators]
    assert all(not np.array_equal(a, b) for a, b in zip(before, after))
    p1, p2 = model.predict(IMAGES, verbose=0), model.predict(IMAGES, verbose=0)
    np.testing.assert_array_equal(p1, p2)


def test_hashing_matches_keras_documented_values():
    inp = np.array([["A"], ["B"], ["C"], ["D"], ["E"]])
    # Keras 3's Hashing docstring examples (its TensorFlow kernels).
    np.testing.assert_array_equal(_np(layers.Hashing(3)(inp)).ravel(), [1, 0, 1, 1, 2])
    np.testing.assert_array_equal(_np(layers.Hashing(3, salt=[133, 137])(inp)).ravel(),
                                  [1, 2, 1, 0, 2])
    np.testing.assert_array_equal(_np(layers.Hashing(3, salt=133)(inp)).ravel(),
                                  [0, 0, 2, 1, 0])
    masked = np.array([["A"], ["B"], [""], ["C"], ["D"]])
    np.testing.assert_array_equal(_np(layers.Hashing(3, mask_value="")(masked)).ravel(),
                                  [1, 1, 0, 2, 2])
    # Integers hash as their decimal strings, as tf.strings.as_string does.
    np.testing.assert_array_equal(_np(layers.Hashing(7)(np.array([12, 3]))),
                                  _np(layers.Hashing(7)(np.array(["12", "3"]))))


def test_lookups_and_invert():
    sl = layers.StringLookup(vocabulary=["a", "b", "c"], mask_token="")
    ids = _np(sl(np.array([["a", "z", ""]])))
    np.testing.assert_array_equal(ids, [[2, 1, 0]])
    assert sl.get_vocabulary() == ["", "[UNK]", "a", "b", "c"]
    back = layers.StringLookup(vocabulary=["a", "b", "c"], invert=True)
    assert back(np.array([1, 3, 0])).tolist() == ["a", "c", "[UNK]"]
    il = layers.IntegerLookup(num_oov_indices=2)
    il.adapt(np.array([5, 5, 7, 9, 9, 9]))
    assert il.get_vocabulary() == [-1, -1, 9, 5, 7]
    np.testing.assert_array_equal(_np(il(np.array([9, 4, 3]))), [2, 0, 1])   # 4 % 2, 3 % 2
    hot = layers.StringLookup(vocabulary=["a", "b"], output_mode="multi_hot")
    np.testing.assert_array_equal(_np(hot(np.array([["a", "a", "q"]]))), [[1, 1, 0]])


def test_text_vectorization_adapt_int_and_tf_idf():
    texts = np.array(["The cat sat.", "A dog ran!", "the cat ran", "Dogs and cats"])
    tv = layers.TextVectorization(max_tokens=20, output_sequence_length=5)
    tv.adapt(texts)
    # By count, then by token, both descending (Keras's order).
    assert tv.get_vocabulary()[:5] == ["", "[UNK]", "the", "ran", "cat"]
    np.testing.assert_array_equal(_np(tv(texts[:1])), [[2, 4, 5, 0, 0]])
    tf_idf = layers.TextVectorization(output_mode="tf_idf", ngrams=2)
    tf_idf.adapt(texts)
    out = _np(tf_idf(np.array(["the cat"])))[0]
    vocab = tf_idf.get_vocabulary()
    np.testing.assert_allclose(out[vocab.index("the cat")], np.log(1 + 4 / 3), rtol=1e-6)
    config = tv.get_config()
    assert config["output_sequence_length"] == 5 and config["vocabulary_size"] == 11


def test_string_model_fits_and_predicts():
    texts = np.array(["good movie", "bad movie", "good plot", "bad plot"] * 4)
    labels = np.array([1, 0, 1, 0] * 4, "float32")
    tv = layers.TextVectorization(output_sequence_length=3)
    tv.adapt(texts)
    inputs = layerkit.Input(shape=(1,), dtype="string")
    x = layers.Embedding(tv.vocabulary_size(), 4)(tv(inputs))
    out = layers.Dense(1, activation="sigmoid")(layers.GlobalAveragePooling1D()(x))
    model = layerkit.Model(inputs, out)
    model.compile("adam", "binary_crossentropy")
    history = model.fit(texts[:, None], labels, batch_size=4, epochs=3, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    pred = model.predict(texts[:, None], verbose=0)
    assert pred.shape == (16, 1)
    np.testing.assert_allclose(pred, model.predict(texts[:, None], batch_size=3, verbose=0),
                               atol=1e-5)
    np.testing.assert_allclose(pred, _np(model(texts[:, None])), atol=1e-5)   # eager call
    # A Sequential without an Input is built from the string data at fit.
    seq = layerkit.Sequential([tv, layers.Embedding(tv.vocabulary_size(), 4),
                               layers.GlobalAveragePooling1D(), layers.Dense(1)])
    seq.compile("adam", "mse")
    seq.fit(texts, labels, batch_size=4, epochs=1, verbose=0)
    assert seq.predict(texts, verbose=0).shape == (16, 1)
    with pytest.raises(TypeError, match="no layer that reads strings"):
        dense = layerkit.Sequential([layerkit.Input((1,)), layers.Dense(1)])
        dense.compile("sgd", "mse")
        dense.fit(texts[:, None], labels, verbose=0)
