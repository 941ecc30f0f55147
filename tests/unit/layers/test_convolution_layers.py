"""Conv1D/2D/3D, Conv*DTranspose, DepthwiseConv1D/2D, SeparableConv1D/2D: the layer
contract, and outputs, gradients, weights and config against real Keras 3 over a grid
of strides, padding, dilation, groups and data_format; bad arguments."""
import pathlib
import sys

import numpy as np
import pytest

from layerkit import engine, layers
from layerkit.engine.common.symbolic_tensor import SymbolicTensor

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from keras_compare import compare_with_keras  # noqa: E402
from layer_contract import run_layer_contract  # noqa: E402

RNG = np.random.default_rng(3)


def rand(*shape):
    return RNG.uniform(-1, 1, size=shape).astype("float32")


# Per rank: a channels_last input with odd sizes, so 'same' pads unevenly with
# stride 2 and even kernels.
INPUTS = {1: (2, 9, 4), 2: (2, 7, 6, 4), 3: (1, 5, 6, 5, 4)}


def channels_first(shape):
    return (shape[0], shape[-1]) + shape[1:-1]


def conv_input(rank, data_format="channels_last"):
    shape = INPUTS[rank]
    return rand(*(shape if data_format == "channels_last" else channels_first(shape)))


# --- the contract --------------------------------------------------------------
CONTRACT_CASES = [
    (layers.Conv1D, {"filters": 3, "kernel_size": 3, "padding": "causal"}, 1,
     ["kernel", "bias"]),
    (layers.Conv2D, {"filters": 4, "kernel_size": (3, 2), "strides": 2, "padding": "same",
                     "activation": "relu"}, 2, ["kernel", "bias"]),
    (layers.Conv3D, {"filters": 2, "kernel_size": 2, "use_bias": False}, 3, ["kernel"]),
    (layers.Conv1DTranspose, {"filters": 3, "kernel_size": 3, "strides": 2}, 1,
     ["kernel", "bias"]),
    (layers.Conv2DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2,
                              "padding": "same", "output_padding": 1}, 2, ["kernel", "bias"]),
    (layers.Conv3DTranspose, {"filters": 2, "kernel_size": 2}, 3, ["kernel", "bias"]),
    (layers.DepthwiseConv1D, {"kernel_size": 3, "depth_multiplier": 2}, 1,
     ["kernel", "bias"]),
    (layers.DepthwiseConv2D, {"kernel_size": 3, "padding": "same"}, 2, ["kernel", "bias"]),
    (layers.SeparableConv1D, {"filters": 5, "kernel_size": 2}, 1,
     ["depthwise_kernel", "pointwise_kernel", "bias"]),
    (layers.SeparableConv2D, {"filters": 5, "kernel_size": 3, "depth_multiplier": 2,
                              "padding": "same"}, 2,
     ["depthwise_kernel", "pointwise_kernel", "bias"]),
]


@pytest.mark.parametrize("cls,kwargs,rank,names", CONTRACT_CASES,
                         ids=[c[0].__name__ for c in CONTRACT_CASES])
def test_layer_contract(cls, kwargs, rank, names):
    spatial_unknown = (None,) + (None,) * rank + (INPUTS[rank][-1],)
    run_layer_contract(cls, kwargs, input_shape=INPUTS[rank],
                       expected_num_trainable_weights=len(names),
                       expected_num_non_trainable_weights=0, expected_weight_names=names,
                       symbolic_shape=spatial_unknown, supports_masking=False)


# --- numbers against Keras -----------------------------------------------------
def conv_grid():
    cases = []
    for rank in (1, 2):
        for padding in ("valid", "same"):
            for strides, dilation in ((1, 1), (2, 1), (1, 2)):
                cases.append((rank, padding, strides, dilation, 1, "channels_last"))
    cases += [(1, "causal", 1, 1, 1, "channels_last"), (1, "causal", 2, 1, 1, "channels_last"),
              (1, "causal", 1, 2, 1, "channels_last"),
              (2, "same", 2, 1, 2, "channels_last"), (1, "valid", 1, 1, 4, "channels_last"),
              (2, "same", 2, 1, 1, "channels_first"), (1, "causal", 1, 2, 2, "channels_first"),
              (3, "same", (2, 1, 2), 1, 1, "channels_last"),
              (3, "valid", 1, 1, 2, "channels_first")]
    return [pytest.param(*c, id="{}d-{}-s{}-d{}-g{}-{}".format(*c)) for c in cases]


@pytest.mark.parametrize("rank,padding,strides,dilation,groups,data_format", conv_grid())
def test_conv_matches_keras(keras_oracle, rank, padding, strides, dilation, groups,
                            data_format):
    kernel = {1: 3, 2: (3, 2), 3: 2}[rank]
    kwargs = dict(filters=4, kernel_size=kernel, strides=strides, padding=padding,
                  dilation_rate=dilation, groups=groups, data_format=data_format,
                  activation="tanh")
    compare_with_keras(keras_oracle, f"Conv{rank}D", kwargs, conv_input(rank, data_format))


def transpose_grid():
    cases = [(1, "valid", 2, None, 1, "channels_last"), (1, "same", 3, 2, 1, "channels_last"),
             (1, "same", 1, None, 2, "channels_last"),
             (2, "same", 2, None, 1, "channels_last"), (2, "valid", (2, 3), (1, 2), 1,
                                                        "channels_last"),
             (2, "same", 2, 1, 1, "channels_first"), (2, "valid", 1, None, 2, "channels_last"),
             (3, "same", (2, 1, 2), None, 1, "channels_last")]
    return [pytest.param(*c, id="{}d-{}-s{}-op{}-d{}-{}".format(*c)) for c in cases]


@pytest.mark.parametrize("rank,padding,strides,output_padding,dilation,data_format",
                         transpose_grid())
def test_conv_transpose_matches_keras(keras_oracle, rank, padding, strides, output_padding,
                                      dilation, data_format):
    kernel = {1: 4, 2: (3, 2), 3: 2}[rank]
    kwargs = dict(filters=3, kernel_size=kernel, strides=strides, padding=padding,
                  output_padding=output_padding, dilation_rate=dilation,
                  data_format=data_format)
    compare_with_keras(keras_oracle, f"Conv{rank}DTranspose", kwargs,
                       conv_input(rank, data_format))


def depthwise_grid():
    cases = []
    for rank in (1, 2):
        cases += [(rank, "valid", 1, 1, 1, "channels_last"), (rank, "same", 2, 1, 2,
                                                              "channels_last"),
                  (rank, "same", 1, 2, 1, "channels_first"), (rank, "valid", 2, 2, 3,
                                                              "channels_last")]
    return [pytest.param(*c, id="{}d-{}-s{}-d{}-m{}-{}".format(*c)) for c in cases]


@pytest.mark.parametrize("rank,padding,strides,dilation,multiplier,data_format",
                         depthwise_grid())
def test_depthwise_conv_matches_keras(keras_oracle, rank, padding, strides, dilation,
                                      multiplier, data_format):
    kwargs = dict(kernel_size=3 if rank == 1 else (3, 2), strides=strides, padding=padding,
                  dilation_rate=dilation, depth_multiplier=multiplier,
                  data_format=data_format, activation="relu")
    compare_with_keras(keras_oracle, f"DepthwiseConv{rank}D", kwargs,
                       conv_input(rank, data_format))


@pytest.mark.parametrize("rank,padding,strides,dilation,multiplier,data_format",
                         depthwise_grid())
def test_separable_conv_matches_keras(keras_oracle, rank, padding, strides, dilation,
                                      multiplier, data_format):
    kwargs = dict(filters=5, kernel_size=3 if rank == 1 else (3, 2), strides=strides,
                  padding=padding, dilation_rate=dilation, depth_multiplier=multiplier,
                  data_format=data_format, use_bias=multiplier != 3)
    compare_with_keras(keras_oracle, f"SeparableConv{rank}D", kwargs,
                       conv_input(rank, data_format))


def test_initializers_regularizers_constraints_match_keras(keras_oracle):
    """Config of every kernel argument, and the regularization losses' values."""
    kwargs = dict(filters=3, kernel_size=2, kernel_initializer="he_normal",
                  bias_initializer="ones", kernel_regularizer="l2", bias_regularizer="l1",
                  activity_regularizer="l2", kernel_constraint="max_norm",
                  bias_constraint="non_neg")
    x = conv_input(2)
    compare_with_keras(keras_oracle, "Conv2D", kwargs, x)
    sep = dict(filters=3, kernel_size=2, depthwise_initializer="he_uniform",
               pointwise_initializer="lecun_normal", depthwise_regularizer="l1",
               pointwise_regularizer="l2", depthwise_constraint="unit_norm",
               pointwise_constraint="non_neg")
    compare_with_keras(keras_oracle, "SeparableConv2D", sep, x)
    compare_with_keras(keras_oracle, "DepthwiseConv1D",
                       dict(kernel_size=2, depthwise_regularizer="l2",
                            depthwise_constraint="max_norm"), conv_input(1))
    ours, theirs = layers.Conv2D(**kwargs), keras_oracle.layers.Conv2D(**kwargs)
    ours.build(x.shape)
    theirs.build(x.shape)
    weights = [rand(*w.shape) for w in ours.weights]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    ours(x), theirs(x)
    ours_losses = sorted(float(engine.convert_to_numpy(l)) for l in ours.losses)
    their_losses = sorted(float(np.asarray(l)) for l in theirs.losses)
    np.testing.assert_allclose(ours_losses, their_losses, rtol=1e-5)


def test_constraints_apply_after_a_training_step():
    import layerkit
    inputs = layerkit.Input((7, 6, 4))
    layer = layers.Conv2D(3, 2, kernel_constraint="non_neg", bias_constraint="non_neg")
    model = layerkit.Model(inputs, layer(inputs))
    model.compile(optimizer=layerkit.optimizers.SGD(1.0), loss="mse")
    model.fit(conv_input(2), np.full((2, 6, 5, 3), -5.0, "float32"), verbose=0)
    assert min(w.min() for w in layer.get_weights()) >= 0


# --- shapes, names and bad arguments -----------------------------------------
def test_symbolic_shapes_with_unknown_sizes():
    out = layers.Conv2D(8, 3, strides=2, padding="same")(SymbolicTensor((None, None, 9, 3)))
    assert out.shape == (None, None, 5, 8)
    out = layers.Conv1D(4, 3, padding="causal", dilation_rate=2)(SymbolicTensor((None, None, 2)))
    assert out.shape == (None, None, 4)
    out = layers.Conv2DTranspose(4, 3, strides=2)(SymbolicTensor((None, 5, None, 2)))
    assert out.shape == (None, 11, None, 4)
    out = layers.Conv2D(6, 1, data_format="channels_first")(SymbolicTensor((None, 3, 4, 4)))
    assert out.shape == (None, 6, 4, 4)


def test_names_follow_keras_and_aliases_are_the_same_classes():
    layer = layers.Conv2D(2, 3)
    assert layer.name.startswith("conv2d")
    assert layers.SeparableConv2D(2, 3).name.startswith("separable_conv2d")
    assert layers.Conv2DTranspose(2, 3).name.startswith("conv2d_transpose")
    assert layers.Convolution1D is layers.Conv1D and layers.Convolution2D is layers.Conv2D
    assert layers.Convolution3D is layers.Conv3D
    assert layers.SeparableConvolution1D is layers.SeparableConv1D
    assert layers.SeparableConvolution2D is layers.SeparableConv2D
    assert layers.Deconvolution2D is layers.Conv2DTranspose
    assert layers.Deconvolution3D is layers.Conv3DTranspose
    dw = layers.DepthwiseConv2D(3)
    dw.build((None, 5, 5, 2))
    assert dw.depthwise_kernel is dw.kernel  # Keras 2's attribute name


def test_keras2_spellings_from_the_seed():
    layer = layers.Conv2D(32, (3, 3), activation="relu", input_shape=(100, 100, 3))
    assert layer._batch_input_shape == (None, 100, 100, 3)
    assert layer.compute_output_shape((None, 100, 100, 3)) == (None, 98, 98, 32)
    conv1d = layers.Conv1D(64, 3, activation="relu", input_shape=(20, 100))
    assert conv1d.compute_output_shape((None, 20, 100)) == (None, 18, 64)


@pytest.mark.parametrize("make,match", [
    (lambda: layers.Conv2D(6, 3, groups=4), r'Conv2D "conv2d.*".*`filters` must be divisible '
                                            r"by `groups`.*filters=6 and groups=4"),
    (lambda: layers.Conv2D(0, 3), r"`filters` must be a positive integer.*filters=0"),
    (lambda: layers.Conv2D(2, (3, 3, 3)), r"`kernel_size` must be an int or a tuple of 2"),
    (lambda: layers.Conv2D(2, 3, padding="full"), r"`padding` must be one of 'valid', 'same'"),
    (lambda: layers.Conv2D(2, 3, padding="causal"), r"received padding='causal'"),
    (lambda: layers.Conv2D(2, 3, data_format="NHWC"), r"`data_format` must be"),
    (lambda: layers.Conv2D(2, 3, strides=2, dilation_rate=2), r"strides > 1 cannot be"),
    (lambda: layers.Conv2D(2, 3, strides=0), r"every value of `strides` must be positive"),
    (lambda: layers.Conv2DTranspose(2, 3, strides=2, output_padding=2),
     r"`output_padding` must be smaller than the stride"),
    (lambda: layers.SeparableConv2D(2, 3, depth_multiplier=0), r"`depth_multiplier`"),
    (lambda: layers.Conv2D(2, 3, lora_rank=4), r"LoRA"),
    (lambda: layers.Conv2D(2, 3, bogus=1), r"bogus"),
])
def test_bad_arguments_raise_clear_errors(make, match):
    with pytest.raises((ValueError, TypeError, NotImplementedError), match=match):
        make()


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match=r'layer "conv2d.*expected ndim=4 .*found ndim=3'):
        layers.Conv2D(2, 3)(rand(2, 5, 3))
    with pytest.raises(ValueError, match=r"spans 5 cells on spatial axis 0, more than the "
                                         r"input's 4.*padding='valid'"):
        layers.Conv2D(2, 5)(rand(1, 4, 9, 1))
    with pytest.raises(ValueError, match=r"input's 3 channels must be divisible by groups=2"):
        layers.Conv2D(4, 3, groups=2)(rand(1, 5, 5, 3))
    with pytest.raises(ValueError, match=r"channel dimension of the inputs must be known"):
        layers.Conv1D(2, 3)(SymbolicTensor((None, 5, None)))
    layer = layers.Conv2D(2, 3)
    layer(rand(1, 5, 5, 3))
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 3"):
        layer(rand(1, 5, 5, 4))


def test_single_channel_input_trains_on_both_engines():
    """The mini-Xception's first layers: a 1-channel image into Conv2D without bias,
    then SeparableConv2D; PyTorch's CPU conv backward once broke on such inputs."""
    import layerkit
    inputs = layerkit.Input((16, 16, 1))
    x = layers.Conv2D(8, (3, 3), use_bias=False)(inputs)
    x = layers.SeparableConv2D(16, (3, 3), padding="same", use_bias=False)(x)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same")(x)
    out = layers.GlobalAveragePooling2D()(layers.Conv2D(2, (3, 3), padding="same")(x))
    model = layerkit.Model(inputs, out)
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(rand(8, 16, 16, 1), rand(8, 2), batch_size=4, epochs=2, verbose=0)
    assert all(np.isfinite(history.history["loss"]))


def _seed_models(lib):
    """The seed's VGG-like convnet and its Conv1D sequence classifier, in `lib`
    (layerkit or keras)."""
    L = lib.layers
    vgg = lib.Sequential([
        lib.Input((100, 100, 3)), L.Conv2D(32, (3, 3), activation="relu"),
        L.Conv2D(32, (3, 3), activation="relu"), L.MaxPooling2D(pool_size=(2, 2)),
        L.Dropout(0.25), L.Conv2D(64, (3, 3), activation="relu"),
        L.Conv2D(64, (3, 3), activation="relu"), L.MaxPooling2D(pool_size=(2, 2)),
        L.Dropout(0.25), L.Flatten(), L.Dense(256, activation="relu"), L.Dropout(0.5),
        L.Dense(10, activation="softmax")])
    seq = lib.Sequential([
        lib.Input((40, 100)), L.Conv1D(64, 3, activation="relu"),
        L.Conv1D(64, 3, activation="relu"), L.MaxPooling1D(3),
        L.Conv1D(128, 3, activation="relu"), L.Conv1D(128, 3, activation="relu"),
        L.GlobalAveragePooling1D(), L.Dropout(0.5), L.Dense(1, activation="sigmoid")])
    return vgg, seq


def test_seed_conv_models_match_keras_shapes_and_params(keras_oracle):
    import layerkit
    for ours, theirs in zip(_seed_models(layerkit), _seed_models(keras_oracle)):
        assert ours.count_params() == theirs.count_params()
        assert [l.count_params() for l in ours.layers] == \
            [l.count_params() for l in theirs.layers]
        assert [tuple(l.output.shape) for l in ours.layers] == \
            [tuple(l.output.shape) for l in theirs.layers]


def test_separable_conv_takes_keras2_kernel_keywords_with_a_warning():
    # Keras 2 accepted and ignored them (the mini-Xception passes kernel_regularizer).
    with pytest.warns(UserWarning, match="kernel_regularizer` has no effect"):
        layer = layers.SeparableConv2D(4, 3, kernel_regularizer="l2")
    layer.build((None, 8, 8, 2))
    assert layer.losses == []
    assert "kernel_regularizer" not in layer.get_config()
