"""UpSampling1D/2D/3D, ZeroPadding1D/2D/3D, Cropping1D/2D/3D: the layer contract,
numbers and config against real Keras 3 (bilinear UpSampling2D included), argument
spellings and bad arguments."""
import pathlib
import sys

import numpy as np
import pytest

from layerkit import engine, layers
from layerkit.engine.common.symbolic_tensor import SymbolicTensor

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from keras_compare import compare_with_keras  # noqa: E402
from layer_contract import run_layer_contract  # noqa: E402

RNG = np.random.default_rng(11)
INPUTS = {1: (2, 7, 3), 2: (2, 5, 6, 3), 3: (1, 4, 5, 3, 2)}


def rand(*shape):
    return RNG.uniform(-1, 1, size=shape).astype("float32")


def to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


def spatial_input(rank, data_format="channels_last"):
    shape = INPUTS[rank]
    if data_format == "channels_first":
        shape = (shape[0], shape[-1]) + shape[1:-1]
    return rand(*shape)


CONTRACT_CASES = [
    (layers.UpSampling1D, {"size": 3}, 1), (layers.UpSampling2D, {"size": (2, 3)}, 2),
    (layers.UpSampling2D, {"interpolation": "bilinear"}, 2), (layers.UpSampling3D, {}, 3),
    (layers.ZeroPadding1D, {"padding": (1, 2)}, 1),
    (layers.ZeroPadding2D, {"padding": ((1, 0), (2, 3))}, 2),
    (layers.ZeroPadding3D, {"padding": 1}, 3), (layers.Cropping1D, {"cropping": (2, 1)}, 1),
    (layers.Cropping2D, {"cropping": ((1, 2), (0, 3))}, 2),
    (layers.Cropping3D, {"cropping": (1, 1, 0)}, 3),
]


@pytest.mark.parametrize("cls,kwargs,rank", CONTRACT_CASES,
                         ids=[f"{c.__name__}-{i}" for i, (c, _, _) in enumerate(CONTRACT_CASES)])
def test_layer_contract(cls, kwargs, rank):
    # Cropping needs the sizes it crops; the others take unknown spatial sizes.
    symbolic = None if cls.__name__.startswith("Cropping") else \
        (None,) * (rank + 1) + (INPUTS[rank][-1],)
    run_layer_contract(cls, kwargs, input_shape=INPUTS[rank],
                       expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                       expected_weight_names=[], symbolic_shape=symbolic,
                       supports_masking=False)


@pytest.mark.parametrize("class_name,kwargs,rank,data_format", [
    ("UpSampling1D", {"size": 3}, 1, None),
    ("UpSampling2D", {"size": (2, 3)}, 2, "channels_last"),
    ("UpSampling2D", {"size": 2}, 2, "channels_first"),
    ("UpSampling2D", {"size": (2, 3), "interpolation": "bilinear"}, 2, "channels_last"),
    ("UpSampling2D", {"size": (3, 2), "interpolation": "bilinear"}, 2, "channels_first"),
    ("UpSampling3D", {"size": (1, 2, 3)}, 3, "channels_last"),
    ("UpSampling3D", {"size": 2}, 3, "channels_first"),
    ("ZeroPadding1D", {"padding": (1, 2)}, 1, "channels_last"),
    ("ZeroPadding1D", {"padding": 2}, 1, "channels_first"),
    ("ZeroPadding2D", {"padding": ((1, 0), (2, 3))}, 2, "channels_last"),
    ("ZeroPadding2D", {"padding": (1, 2)}, 2, "channels_first"),
    ("ZeroPadding3D", {"padding": ((1, 0), (0, 2), (1, 1))}, 3, "channels_last"),
    ("ZeroPadding3D", {"padding": 1}, 3, "channels_first"),
    ("Cropping1D", {"cropping": (2, 1)}, 1, None),
    ("Cropping1D", {"cropping": 3}, 1, None),
    ("Cropping2D", {"cropping": ((1, 2), (0, 3))}, 2, "channels_last"),
    ("Cropping2D", {"cropping": 1}, 2, "channels_first"),
    ("Cropping3D", {"cropping": (1, (2, 0), 1)}, 3, "channels_last"),
    ("Cropping3D", {"cropping": ((1, 0), (1, 1), (0, 1))}, 3, "channels_first"),
])
def test_matches_keras(keras_oracle, class_name, kwargs, rank, data_format):
    kwargs = dict(kwargs)
    if data_format is not None:
        kwargs["data_format"] = data_format
    compare_with_keras(keras_oracle, class_name, kwargs,
                       spatial_input(rank, data_format or "channels_last"))


def test_bilinear_upsampling_by_hand():
    """Half-pixel centres, edges clamped: [a, b] upsampled by 2 is
    [a, .75a + .25b, .25a + .75b, b]."""
    x = np.array([1.0, 5.0], "float32").reshape(1, 2, 1, 1)
    out = to_np(layers.UpSampling2D((2, 1), interpolation="bilinear")(x)).ravel()
    np.testing.assert_allclose(out, [1.0, 2.0, 4.0, 5.0])


def test_shape_layers_keep_integer_inputs_integer():
    ints = np.arange(2 * 4 * 4 * 1, dtype="int32").reshape(2, 4, 4, 1)
    for layer in (layers.ZeroPadding2D(1), layers.Cropping2D(1), layers.UpSampling2D(2)):
        out = layer(ints)
        assert engine.standardize_dtype(out.dtype) == "int32"
        assert layer(SymbolicTensor((None, 4, 4, 1), "int32")).dtype == "int32"


def test_symbolic_shapes_with_unknown_sizes():
    assert layers.UpSampling2D((2, 3))(SymbolicTensor((None, None, 4, 2))).shape == \
        (None, None, 12, 2)
    assert layers.ZeroPadding2D(((1, 2), (3, 4)))(SymbolicTensor((None, None, 4, 2))).shape \
        == (None, None, 11, 2)
    assert layers.Cropping2D(((1, 2), (1, 1)))(SymbolicTensor((None, None, 4, 2))).shape == \
        (None, None, 2, 2)


@pytest.mark.parametrize("make,error,match", [
    (lambda: layers.UpSampling2D(interpolation="cubic"), ValueError,
     r"`interpolation` must be 'nearest' or 'bilinear'"),
    (lambda: layers.UpSampling2D(interpolation="bicubic"), NotImplementedError,
     r"interpolation='bicubic' is not supported"),
    (lambda: layers.UpSampling1D(0), ValueError, r"every value of `size` must be positive"),
    (lambda: layers.ZeroPadding2D(((1, 2, 3), (1, 1))), ValueError,
     r"`padding\[0\]` must be an int or a tuple of 2 ints"),
    (lambda: layers.ZeroPadding3D((1, 2)), ValueError,
     r"`padding` must be an int, a tuple of 3 ints or a tuple of 3 \(before, after\) pairs"),
    (lambda: layers.Cropping1D(-1), ValueError, r"must be non-negative"),
])
def test_bad_arguments_raise_clear_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_cropping_everything_raises():
    with pytest.raises(ValueError, match=r'Cropping2D "cropping2d.*cropping 5 cells from axis '
                                         r"1 of size 5 leaves none"):
        layers.Cropping2D(((2, 3), (0, 0)))(spatial_input(2))
    with pytest.raises(ValueError, match=r"leaves none"):
        layers.Cropping1D((4, 3))(SymbolicTensor((None, 7, 3)))
