"""Keras 3's weight order, paths and names: `weights`, `trainable_weights`,
`non_trainable_weights`, `get_weights()`/`set_weights()` list variables layer by layer
(a layer's own, trainable-when-tracked first, then each sublayer's), and a variable's
path is the chain of name scopes open when it was made (`sequential/d1/kernel`).
Every architecture is built in layerkit and in real Keras 3 from one source and the
lists are compared; Keras's weights loaded by position give Keras's predictions.
"""
import numpy as np
import pytest

import layerkit
from layerkit import engine


def to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


def custom_classes(K):
    class Accumulate(K.layers.Layer):
        """A non-trainable weight made before a trainable one."""

        def build(self, input_shape):
            self.total = self.add_weight(shape=(input_shape[-1],), initializer="zeros",
                                         trainable=False, name="total")
            self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones",
                                         name="scale")

        def call(self, x, training=None):
            if training:
                self.total.assign_add(K.ops.sum(x, axis=0))
            return x * self.scale

    class Block(K.layers.Layer):
        """Sublayers made in __init__, built in the first call."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.a = K.layers.Dense(4, name="ba")
            self.acc = Accumulate(name="bacc")
            self.b = K.layers.Dense(2, name="bb")

        def call(self, x):
            return self.b(self.acc(self.a(x)))

    class InitWeights(K.layers.Layer):
        """A weight made in __init__, before the layer has a scope."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.w = self.add_weight(shape=(3, 2), initializer="ones")

        def call(self, x):
            return K.ops.matmul(x, self.w)

    return Accumulate, Block, InitWeights


def seq_with_frozen_middle(K):
    Accumulate, _, _ = custom_classes(K)
    model = K.Sequential([K.Input((3,)), K.layers.Dense(4, name="d1"), Accumulate(name="acc"),
                          K.layers.Dense(2, name="d2")])
    model.get_layer("d1").trainable = False
    return model


def seq_built_on_call(K):
    model = K.Sequential([K.layers.Dense(4, name="d1"), K.layers.Dense(2, name="d2")],
                         name="s2")
    model(np.zeros((1, 3), "float32"))
    return model


def seq_built_with_build(K):
    model = K.Sequential([K.layers.Dense(4, name="d1"), K.layers.Dense(2, name="d2")],
                         name="s3")
    model.build((None, 3))
    return model


def functional_with_non_trainable(K):
    Accumulate, _, _ = custom_classes(K)
    inputs = K.Input((3,))
    x = K.layers.Dense(4, name="d1")(inputs)
    x = Accumulate(name="acc")(x)
    return K.Model(inputs, K.layers.Dense(2, name="d2")(x), name="fm")


def sequential_in_functional_frozen(K):
    Accumulate, _, _ = custom_classes(K)
    inner = K.Sequential([K.Input((3,)), K.layers.Dense(4, name="i1"), Accumulate(name="iacc")],
                         name="inner")
    inputs = K.Input((3,))
    x = inner(K.layers.Dense(3, name="pre")(inputs))
    model = K.Model(inputs, K.layers.Dense(2, name="post")(x), name="outer")
    inner.trainable = False
    return model


def functional_in_sequential(K):
    Accumulate, _, _ = custom_classes(K)
    inputs = K.Input((3,))
    x = Accumulate(name="facc")(K.layers.Dense(4, name="f1")(inputs))
    inner = K.Model(inputs, x, name="finner")
    return K.Sequential([K.Input((3,)), K.layers.Dense(3, name="pre"), inner,
                         K.layers.Dense(2, name="post")], name="sout")


def block_in_functional(K):
    _, Block, _ = custom_classes(K)
    inputs = K.Input((3,))
    return K.Model(inputs, Block(name="blk")(inputs), name="gm")


def block_in_sequential(K):
    _, Block, _ = custom_classes(K)
    return K.Sequential([K.Input((3,)), Block(name="blk")], name="gs")


def init_weights_in_functional(K):
    _, _, InitWeights = custom_classes(K)
    inputs = K.Input((3,))
    return K.Model(inputs, InitWeights(name="initw")(inputs))


def prebuilt_layer_in_sequential(K):
    dense = K.layers.Dense(2, name="dd")
    dense.build((None, 3))
    return K.Sequential([K.Input((3,)), dense], name="sq")


def branches(K):
    inputs = K.Input((3,))
    a = K.layers.Dense(4, name="a")(inputs)
    b = K.layers.Dense(4, name="bb")(K.layers.Dense(4, name="b")(inputs))
    return K.Model(inputs, K.layers.Dense(1, name="o")(K.layers.Add(name="add")([b, a])),
                   name="branch")


def nested_sequentials_frozen_inner_layer(K):
    inner = K.Sequential([K.layers.Dense(4, name="i1"), K.layers.Dense(4, name="i2")],
                         name="inner_seq")
    model = K.Sequential([K.Input((3,)), K.layers.Dense(3, name="first"), inner,
                          K.layers.Dense(1, name="last")], name="outer_seq")
    inner.get_layer("i1").trainable = False
    return model


ARCHITECTURES = [seq_with_frozen_middle, seq_built_on_call, seq_built_with_build,
                 functional_with_non_trainable, sequential_in_functional_frozen,
                 functional_in_sequential, block_in_functional, block_in_sequential,
                 init_weights_in_functional, prebuilt_layer_in_sequential, branches,
                 nested_sequentials_frozen_inner_layer]


def build_both(keras, architecture):
    layerkit.backend.clear_session()
    keras.backend.clear_session()
    return architecture(layerkit), architecture(keras)


def describe(variables):
    return [(v.path, v.name, tuple(v.shape), bool(v.trainable)) for v in variables]


@pytest.mark.parametrize("architecture", ARCHITECTURES, ids=lambda f: f.__name__)
def test_weight_lists_match_keras(keras_oracle, architecture):
    ours, theirs = build_both(keras_oracle, architecture)
    assert describe(ours.weights) == describe(theirs.weights)
    assert describe(ours.trainable_weights) == describe(theirs.trainable_weights)
    assert describe(ours.non_trainable_weights) == describe(theirs.non_trainable_weights)
    assert describe(ours.variables) == describe(theirs.weights)
    assert [tuple(w.shape) for w in ours.get_weights()] == \
        [tuple(w.shape) for w in theirs.get_weights()]


@pytest.mark.parametrize("architecture", ARCHITECTURES, ids=lambda f: f.__name__)
def test_set_weights_from_keras_gives_keras_predictions(keras_oracle, architecture):
    ours, theirs = build_both(keras_oracle, architecture)
    rng = np.random.default_rng(0)
    theirs.set_weights([rng.normal(size=w.shape).astype("float32")
                        for w in theirs.get_weights()])
    ours.set_weights(theirs.get_weights())
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)
    x = rng.normal(size=(5, 3)).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-5)


def test_standalone_layer_paths_match_keras(keras_oracle):
    keras = keras_oracle
    _, OurBlock, _ = custom_classes(layerkit)
    _, TheirBlock, _ = custom_classes(keras)
    ours, theirs = OurBlock(name="blk"), TheirBlock(name="blk")
    ours(np.zeros((2, 3), "float32"))
    theirs(np.zeros((2, 3), "float32"))
    assert describe(ours.weights) == describe(theirs.weights)
    assert [v.path for v in ours.weights][:2] == ["blk/ba/kernel", "blk/ba/bias"]
    dense = layerkit.layers.Dense(2, name="alone")
    dense.build((None, 3))
    assert [v.path for v in dense.weights] == ["alone/kernel", "alone/bias"]


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_training_with_frozen_and_non_trainable_weights_matches_keras(keras_oracle,
                                                                      optimizer):
    keras = keras_oracle
    ours, theirs = build_both(keras, sequential_in_functional_frozen)
    theirs.set_weights(ours.get_weights())
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = rng.normal(size=(32, 2)).astype("float32")
    make = {"sgd": lambda m: m.optimizers.SGD(0.05), "adam": lambda m: m.optimizers.Adam(0.01)}
    ours.compile(optimizer=make[optimizer](layerkit), loss="mse")
    theirs.compile(optimizer=make[optimizer](keras), loss="mse")
    frozen_before = [w.copy() for w in ours.get_layer("inner").get_weights()]
    h_ours = ours.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    h_theirs = theirs.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(h_ours.history["loss"], h_theirs.history["loss"], rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    inner = ours.get_layer("inner")
    # The frozen block's trainable-when-tracked weights keep their values; its running
    # total (a non-trainable weight updated in call) still moves, to Keras's values
    # (compared above).
    for v, before in zip(inner.weights, frozen_before):
        if v.name == "total":
            assert np.abs(v.numpy() - before).max() > 0
        else:
            np.testing.assert_array_equal(v.numpy(), before)


def test_unfreezing_restores_the_trainable_flags():
    layerkit.backend.clear_session()
    model = seq_with_frozen_middle(layerkit)
    d1 = model.get_layer("d1")
    assert [v.trainable for v in d1.weights] == [False, False]
    d1.trainable = True
    assert [v.trainable for v in d1.weights] == [True, True]
    # A weight tracked as non-trainable stays so whatever its layer's flag.
    acc = model.get_layer("acc")
    acc.trainable = False
    acc.trainable = True
    assert [(v.name, v.trainable) for v in acc.weights] == [("scale", True), ("total", False)]
    assert [v.path for v in model.trainable_weights] == [
        "sequential/d1/kernel", "sequential/d1/bias", "sequential/acc/scale",
        "sequential/d2/kernel", "sequential/d2/bias"]


def test_a_weight_added_to_a_frozen_layer_is_frozen():
    layer = layerkit.layers.Layer(trainable=False, name="frozen")
    w = layer.add_weight(shape=(2,), name="w")
    assert not w.trainable and layer.non_trainable_weights == [w]


def test_set_weights_length_error_names_layer_paths_and_shapes():
    layerkit.backend.clear_session()
    model = functional_with_non_trainable(layerkit)
    with pytest.raises(ValueError) as err:
        model.set_weights(model.get_weights()[:-1])
    text = str(err.value)
    assert '"fm"' in text and "length 5" in text and "expects 6" in text
    assert "('d2/bias', (2,))" in text


def test_set_weights_shape_error_names_layer_path_and_both_shapes():
    layerkit.backend.clear_session()
    model = functional_with_non_trainable(layerkit)
    weights = model.get_weights()
    before = [w.copy() for w in weights]
    weights[3] = np.zeros((5,), "float32")      # acc/total is (4,)
    with pytest.raises(ValueError) as err:
        model.set_weights(weights)
    text = str(err.value)
    assert '"fm"' in text and "acc/total" in text and "(4,)" in text and "(5,)" in text
    # Nothing was written before the check failed.
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)
