"""`layerkit.preprocessing.text` against Keras's legacy implementation
(`keras.src.legacy.preprocessing.text`, Keras 2's Tokenizer) on the same texts."""
import json

import numpy as np
import pytest

from layerkit.preprocessing import text

TEXTS = [
    "The cat sat on the mat.",
    "The dog ate my homework!! The DOG, really?",
    "A\tcat and a dog\nwalk into a bar; the bar is closed.",
    "Über naïve café — the café.",
    ["Token", "LIST", "token", "the"],
    "",
]
NEW_TEXTS = ["the cat and the unicorn", "homework homework bar", "nothing known here", ""]

SETTINGS = [
    {},
    {"num_words": 5},
    {"oov_token": "<OOV>"},
    {"num_words": 6, "oov_token": "<OOV>"},
    {"lower": False, "filters": "!,.", "split": " "},
    {"char_level": True},
    {"char_level": True, "num_words": 8, "oov_token": "?"},
    {"analyzer": str.split},
    {"split": ",", "filters": "", "num_words": 10},
]


@pytest.fixture
def keras_text(keras_oracle):
    from keras.src.legacy.preprocessing import text as keras_text
    return keras_text


def _fit(module, settings, texts=TEXTS):
    tokenizer = module.Tokenizer(**settings)
    tokenizer.fit_on_texts(texts if not settings.get("char_level")
                           else [t for t in texts if isinstance(t, str)])
    return tokenizer


def _same_state(ours, theirs):
    assert list(ours.word_counts.items()) == list(theirs.word_counts.items())
    assert dict(ours.word_docs) == dict(theirs.word_docs)
    assert dict(ours.index_docs) == dict(theirs.index_docs)
    assert ours.word_index == theirs.word_index
    assert ours.index_word == theirs.index_word
    assert ours.document_count == theirs.document_count


@pytest.mark.parametrize("settings", SETTINGS)
def test_tokenizer_matches_keras(keras_text, settings):
    ours, theirs = _fit(text, settings), _fit(keras_text, settings)
    _same_state(ours, theirs)
    probe = NEW_TEXTS + ([] if settings.get("char_level") else [["cat", "Mat", "zebra"]])
    sequences = ours.texts_to_sequences(probe)
    assert sequences == theirs.texts_to_sequences(probe)
    assert list(ours.texts_to_sequences_generator(probe)) == sequences
    indices = [[1, 2, 3], [4, 4, 0, 99], [], list(range(12))]
    assert ours.sequences_to_texts(indices) == theirs.sequences_to_texts(indices)
    assert ours.sequences_to_texts(sequences) == theirs.sequences_to_texts(sequences)
    for mode in ("binary", "count", "freq", "tfidf"):
        a = ours.texts_to_matrix(probe, mode=mode)
        b = theirs.texts_to_matrix(probe, mode=mode)
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=0)
        np.testing.assert_allclose(ours.sequences_to_matrix(indices, mode=mode),
                                   theirs.sequences_to_matrix(indices, mode=mode), rtol=1e-14)
    assert ours.get_config() == theirs.get_config()
    assert ours.to_json() == theirs.to_json()
    assert ours.to_json(indent=2, sort_keys=True) == theirs.to_json(indent=2, sort_keys=True)


def test_json_round_trips_both_ways(keras_text):
    settings = {"num_words": 7, "oov_token": "<OOV>"}
    ours, theirs = _fit(text, settings), _fit(keras_text, settings)
    restored = text.tokenizer_from_json(theirs.to_json())
    keras_restored = keras_text.tokenizer_from_json(ours.to_json())
    assert isinstance(restored, text.Tokenizer)
    _same_state(restored, keras_restored)
    assert restored.to_json() == keras_restored.to_json() == ours.to_json()
    assert restored.texts_to_sequences(NEW_TEXTS) == ours.texts_to_sequences(NEW_TEXTS)
    np.testing.assert_array_equal(restored.texts_to_matrix(NEW_TEXTS, "tfidf"),
                                  keras_restored.texts_to_matrix(NEW_TEXTS, "tfidf"))
    assert json.loads(ours.to_json())["class_name"] == "Tokenizer"


def test_fit_on_sequences_and_tfidf(keras_text):
    sequences = [[1, 2, 2, 5], [3, 1], [], [7, 7, 7, 1, 9]]
    ours, theirs = text.Tokenizer(num_words=8), keras_text.Tokenizer(num_words=8)
    for tokenizer in (ours, theirs):
        tokenizer.fit_on_sequences(sequences)
    assert dict(ours.index_docs) == dict(theirs.index_docs)
    assert ours.document_count == theirs.document_count == 4
    for mode in ("binary", "count", "freq", "tfidf"):
        np.testing.assert_allclose(ours.sequences_to_matrix(sequences, mode),
                                   theirs.sequences_to_matrix(sequences, mode), rtol=1e-14)


@pytest.mark.parametrize("sample", ["Hello, World! It's 9:30 -- time_to go.", "a\tb\nc  d",
                                    "ÉCOLE école", ""])
def test_word_functions_match_keras(keras_text, sample):
    assert text.text_to_word_sequence(sample) == keras_text.text_to_word_sequence(sample)
    for kwargs in ({"lower": False}, {"filters": "", "split": "o"}):
        assert (text.text_to_word_sequence(sample, **kwargs)
                == keras_text.text_to_word_sequence(sample, **kwargs))
    assert text.one_hot(sample, 50) == keras_text.one_hot(sample, 50)
    assert text.hashing_trick(sample, 30, "md5") == keras_text.hashing_trick(sample, 30, "md5")
    assert (text.hashing_trick(sample, 11, len, analyzer=str.split)
            == keras_text.hashing_trick(sample, 11, len, analyzer=str.split))


def test_md5_hashing_is_stable():
    # md5 of "hello" is 5d41402abc4b2a76b9719d911017c592
    expected = int("5d41402abc4b2a76b9719d911017c592", 16) % 9 + 1
    assert text.hashing_trick("Hello hello", 10, "md5") == [expected, expected]


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="num_wrds"):
        text.Tokenizer(num_wrds=3)
    with pytest.warns(UserWarning, match="nb_words"):
        assert text.Tokenizer(nb_words=3).num_words == 3
    tokenizer = text.Tokenizer()
    with pytest.raises(ValueError, match="num_words"):
        tokenizer.sequences_to_matrix([[1]])
    tokenizer.fit_on_texts(["a b"])
    with pytest.raises(ValueError, match="mode.*'onehot'"):
        tokenizer.texts_to_matrix(["a"], mode="onehot")
    with pytest.raises(ValueError, match="tfidf"):
        text.Tokenizer(num_words=3).sequences_to_matrix([[1]], mode="tfidf")


def test_keras_2_path_maps(keras_alias):
    from keras.preprocessing.text import Tokenizer, one_hot, tokenizer_from_json

    assert Tokenizer is text.Tokenizer and one_hot is text.one_hot
    assert tokenizer_from_json is text.tokenizer_from_json
