"""MaxPooling/AveragePooling 1D/2D/3D and GlobalMax/GlobalAveragePooling 1D/2D/3D: the
layer contract, numbers and config against real Keras 3, GlobalAveragePooling1D's
mask, the TF definition of uneven 'same' average pooling, bad arguments."""
import pathlib
import sys

import numpy as np
import pytest

from layerkit import engine, layers
from layerkit.engine.common.symbolic_tensor import SymbolicTensor

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from keras_compare import compare_with_keras  # noqa: E402
from layer_contract import run_layer_contract  # noqa: E402

RNG = np.random.default_rng(5)
INPUTS = {1: (2, 9, 3), 2: (2, 7, 6, 3), 3: (1, 5, 6, 5, 2)}


def rand(*shape):
    return RNG.uniform(-1, 1, size=shape).astype("float32")


def to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


def pool_input(rank, data_format="channels_last"):
    shape = INPUTS[rank]
    if data_format == "channels_first":
        shape = (shape[0], shape[-1]) + shape[1:-1]
    return rand(*shape)


POOLS = [(layers.MaxPooling1D, 1), (layers.MaxPooling2D, 2), (layers.MaxPooling3D, 3),
         (layers.AveragePooling1D, 1), (layers.AveragePooling2D, 2),
         (layers.AveragePooling3D, 3)]
GLOBALS = [(layers.GlobalMaxPooling1D, 1), (layers.GlobalMaxPooling2D, 2),
           (layers.GlobalMaxPooling3D, 3), (layers.GlobalAveragePooling1D, 1),
           (layers.GlobalAveragePooling2D, 2), (layers.GlobalAveragePooling3D, 3)]


@pytest.mark.parametrize("cls,rank", POOLS + GLOBALS, ids=[c.__name__ for c, _ in POOLS + GLOBALS])
def test_layer_contract(cls, rank):
    kwargs = {"padding": "same", "strides": 2} if (cls, rank) in POOLS else {"keepdims": True}
    run_layer_contract(cls, kwargs, input_shape=INPUTS[rank],
                       expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                       expected_weight_names=[],
                       symbolic_shape=(None,) * (rank + 1) + (INPUTS[rank][-1],),
                       supports_masking=cls is layers.GlobalAveragePooling1D)


def pool_grid():
    cases = []
    for mode in ("Max", "Average"):
        for rank, pool in ((1, 2), (2, (3, 2))):
            for padding in ("valid", "same"):
                for strides in (None, 1, 2):
                    cases.append((mode, rank, pool, strides, padding, "channels_last"))
        cases += [(mode, 2, 3, 2, "same", "channels_first"),
                  (mode, 3, (2, 3, 2), None, "same", "channels_last"),
                  (mode, 3, 2, (1, 2, 1), "valid", "channels_first")]
    return [pytest.param(*c, id="{}{}d-p{}-s{}-{}-{}".format(*c)) for c in cases]


@pytest.mark.parametrize("mode,rank,pool,strides,padding,data_format", pool_grid())
def test_pooling_matches_keras(keras_oracle, mode, rank, pool, strides, padding, data_format):
    kwargs = dict(pool_size=pool, strides=strides, padding=padding, data_format=data_format)
    compare_with_keras(keras_oracle, f"{mode}Pooling{rank}D", kwargs,
                       pool_input(rank, data_format))


def test_strides_default_to_the_pool_size():
    layer = layers.MaxPooling2D((3, 2))
    assert layer.strides == (3, 2)
    assert layer.get_config()["strides"] == (3, 2)
    assert to_np(layer(pool_input(2))).shape == (2, 2, 3, 3)


def test_average_pooling_same_leaves_padded_cells_out():
    """TF/JAX's definition: a 5x5 input, pool 3 stride 2 'same' pads one cell on each
    side, and each window averages only its real cells (Keras 3 on PyTorch counts the
    padded zeros and is off by up to 0.24 here)."""
    x = np.arange(25, dtype="float32").reshape(1, 5, 5, 1)
    out = to_np(layers.AveragePooling2D(3, strides=2, padding="same")(x))[0, :, :, 0]
    padded = np.pad(x[0, :, :, 0], 1, constant_values=np.nan)
    expected = np.array([[np.nanmean(padded[r:r + 3, c:c + 3]) for c in (0, 2, 4)]
                         for r in (0, 2, 4)])
    np.testing.assert_allclose(out, expected, rtol=1e-6)


@pytest.mark.parametrize("mode,rank,keepdims,data_format", [
    (m, r, k, f) for m in ("Max", "Average") for r in (1, 2, 3) for k, f in
    ((False, "channels_last"), (True, "channels_first"))])
def test_global_pooling_matches_keras(keras_oracle, mode, rank, keepdims, data_format):
    compare_with_keras(keras_oracle, f"Global{mode}Pooling{rank}D",
                       dict(keepdims=keepdims, data_format=data_format),
                       pool_input(rank, data_format))


@pytest.mark.parametrize("data_format,keepdims", [("channels_last", False),
                                                  ("channels_first", True)])
def test_global_average_pooling_1d_mask(keras_oracle, data_format, keepdims):
    x = pool_input(1, data_format)
    mask = np.array([[True] * 9, [True] * 4 + [False] * 5])
    kwargs = dict(data_format=data_format, keepdims=keepdims)
    ours, theirs = compare_with_keras(keras_oracle, "GlobalAveragePooling1D", kwargs, x,
                                      call_kwargs={"mask": mask})
    steps = 1 if data_format == "channels_last" else 2
    x_steps_last = x if steps == 2 else np.swapaxes(x, 1, 2)  # (batch, channels, steps)
    expected = np.stack([x_steps_last[0].mean(-1), x_steps_last[1, :, :4].mean(-1)])
    np.testing.assert_allclose(ours.reshape(2, 3), expected, rtol=1e-5)
    # A float 0/1 mask means the same, and NaN in a masked step stays out.
    x_nan = x.copy()
    x_nan[(1, 8, 0) if steps == 1 else (1, 0, 8)] = np.nan
    layer = layers.GlobalAveragePooling1D(**kwargs)
    np.testing.assert_allclose(to_np(layer(x_nan, mask=mask.astype("float32"))), ours,
                               rtol=1e-6)
    assert layer.compute_mask(x, mask) is None
    with pytest.raises(ValueError, match=r"expected a mask of shape \(batch, steps\) = "
                                         r"\(2, 9\).*received a mask of shape \(2, 8\)"):
        layer(x, mask=mask[:, :8])


def test_aliases_are_the_same_classes():
    for alias, name in [("MaxPool1D", "MaxPooling1D"), ("MaxPool2D", "MaxPooling2D"),
                        ("MaxPool3D", "MaxPooling3D"), ("AvgPool1D", "AveragePooling1D"),
                        ("AvgPool2D", "AveragePooling2D"), ("AvgPool3D", "AveragePooling3D")]:
        assert getattr(layers, alias) is getattr(layers, name)
    for rank in (1, 2, 3):
        assert getattr(layers, f"GlobalMaxPool{rank}D") is \
            getattr(layers, f"GlobalMaxPooling{rank}D")
        assert getattr(layers, f"GlobalAvgPool{rank}D") is \
            getattr(layers, f"GlobalAveragePooling{rank}D")
    assert layers.MaxPooling2D().name.startswith("max_pooling2d")
    assert layers.GlobalAveragePooling1D().name.startswith("global_average_pooling1d")


def test_keras2_spellings_from_the_seed():
    assert layers.MaxPooling2D(pool_size=(2, 2)).compute_output_shape(
        (None, 98, 98, 32)) == (None, 49, 49, 32)
    assert layers.MaxPooling1D(3).compute_output_shape((None, 16, 64)) == (None, 5, 64)
    assert layers.GlobalAveragePooling1D().compute_output_shape((None, 1, 128)) == (None, 128)
    # Keras 2's AveragePooling default pool (Keras 3 requires the argument).
    assert layers.AveragePooling2D().pool_size == (2, 2)


def test_symbolic_shapes_with_unknown_sizes():
    out = layers.MaxPooling2D(3, strides=2, padding="same")(SymbolicTensor((None, None, 9, 4)))
    assert out.shape == (None, None, 5, 4)
    assert layers.GlobalMaxPooling2D()(SymbolicTensor((None, None, None, 4))).shape == (None, 4)


@pytest.mark.parametrize("make,match", [
    (lambda: layers.MaxPooling2D(padding="full"), r"`padding` must be one of 'valid', 'same'"),
    (lambda: layers.MaxPooling2D(pool_size=(2, 2, 2)), r"`pool_size` must be an int or a "
                                                        r"tuple of 2 ints"),
    (lambda: layers.AveragePooling1D(strides=0), r"every value of `strides` must be positive"),
    (lambda: layers.GlobalMaxPooling2D(data_format="NCHW"), r"`data_format` must be"),
])
def test_bad_arguments_raise_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match=r"expected ndim=4.*found ndim=3"):
        layers.MaxPooling2D()(rand(2, 5, 3))
    with pytest.raises(ValueError, match=r"pool_size=\(4, 4\) is larger than the input"):
        layers.MaxPooling2D(4)(rand(1, 3, 8, 1))
    with pytest.raises(ValueError, match=r"expected ndim=3.*found ndim=4"):
        layers.GlobalAveragePooling1D()(rand(1, 3, 8, 1))
