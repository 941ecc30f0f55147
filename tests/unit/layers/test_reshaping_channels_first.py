"""Flatten, Reshape and Permute on channels_first data: the same numbers as real
Keras 3 in a model that starts with a channels_first convolution, Flatten's
transpose (so a channels_first model's Dense sees the channels_last order), and
image_data_format as the default data_format."""
import numpy as np
import pytest

import layerkit
from layerkit import config, engine, layers

RNG = np.random.default_rng(12)


def to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


def _model(lib, head):
    inputs = lib.Input((3, 6, 5))                       # channels_first images
    x = lib.layers.Conv2D(4, 3, data_format="channels_first")(inputs)   # (4, 4, 3)
    return lib.Model(inputs, head(lib, x))


HEADS = {
    "flatten": lambda lib, x: lib.layers.Dense(2)(
        lib.layers.Flatten(data_format="channels_first")(x)),
    "permute_reshape": lambda lib, x: lib.layers.Reshape((12, 4))(
        lib.layers.Permute((2, 3, 1))(x)),
    "reshape_flatten": lambda lib, x: lib.layers.Flatten(data_format="channels_first")(
        lib.layers.Reshape((4, 2, 6))(x)),
    "flatten_3d": lambda lib, x: lib.layers.Flatten(data_format="channels_first")(
        lib.layers.Reshape((4, 12))(x)),
}


@pytest.mark.parametrize("head", sorted(HEADS))
def test_channels_first_models_match_keras(keras_oracle, head):
    ours, theirs = _model(layerkit, HEADS[head]), _model(keras_oracle, HEADS[head])
    weights = [RNG.uniform(-1, 1, size=w.shape).astype("float32") for w in ours.weights]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    x = RNG.normal(size=(2, 3, 6, 5)).astype("float32")
    expected = np.asarray(theirs.predict(x, verbose=0))
    assert ours.output_shape == tuple(theirs.output_shape)
    np.testing.assert_allclose(ours.predict(x, verbose=0), expected, atol=1e-5)


def test_flatten_channels_first_order():
    x = np.arange(2 * 3 * 2 * 2, dtype="float32").reshape(2, 3, 2, 2)   # (N, C, H, W)
    out = to_np(layers.Flatten(data_format="channels_first")(x))
    np.testing.assert_array_equal(out, x.transpose(0, 2, 3, 1).reshape(2, -1))
    # Rank 2 inputs have no channel axis to move.
    np.testing.assert_array_equal(
        to_np(layers.Flatten(data_format="channels_first")(x[:, :, 0, 0])), x[:, :, 0, 0])


def test_image_data_format_is_the_default():
    before = config.image_data_format()
    try:
        config.set_image_data_format("channels_first")
        layer = layers.Flatten()
        assert layer.data_format == "channels_first"
    finally:
        config.set_image_data_format(before)
    assert layers.Flatten().data_format == before
    with pytest.raises(ValueError, match=r'Flatten "flat_bad".*data_format'):
        layers.Flatten(data_format="channels_middle", name="flat_bad")
