"""EinsumDense: the layer contract, and weights, fans, outputs and gradients against
real Keras 3 for the equation forms Keras takes; bad equations and shapes."""
import pathlib
import sys

import numpy as np
import pytest

from layerkit import layers

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from keras_compare_multi import compare_multi_with_keras  # noqa: E402
from layer_contract import run_layer_contract  # noqa: E402

RNG = np.random.default_rng(9)

CASES = [
    ("dense", {"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "c"}, (3, 5)),
    ("heads", {"equation": "abc,cde->abde", "output_shape": (None, 2, 3), "bias_axes": "de"},
     (2, 4, 5)),
    ("output_proj", {"equation": "abcd,cde->abe", "output_shape": (None, 6),
                     "bias_axes": "e", "activation": "relu"}, (2, 4, 2, 3)),
    ("left_ellipsis", {"equation": "...b,bc->...c", "output_shape": 4}, (2, 3, 5)),
    ("right_ellipsis", {"equation": "abc...,cd->abd...", "output_shape": (None, 3),
                        "bias_axes": "d"}, (2, 4, 5, 6)),
    ("no_bias_first_axis", {"equation": "abc,cd->abd", "output_shape": (4, 3),
                            "bias_axes": "b"}, (2, 4, 5)),
]


@pytest.mark.parametrize("kwargs,shape", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_matches_keras(keras_oracle, kwargs, shape):
    x = RNG.normal(size=shape).astype("float32")
    compare_multi_with_keras(keras_oracle, "EinsumDense", kwargs, [x])
    # The symbolic shape: Keras leaves None where output_shape says None; we take the
    # size the input fixes there (the eager outputs agree above).
    batchless = (None,) + shape[1:]
    ours = layers.EinsumDense(**kwargs).compute_output_shape(batchless)
    theirs = keras_oracle.layers.EinsumDense(**kwargs).compute_output_shape(batchless)
    assert len(ours) == len(theirs)
    assert all(t is None or o == t for o, t in zip(ours, theirs)), (ours, theirs)


def test_layer_contract():
    run_layer_contract(layers.EinsumDense, {"equation": "abc,cde->abde",
                                            "output_shape": (None, 2, 3), "bias_axes": "de"},
                       input_shape=(2, 4, 5), expected_output_shape=(2, 4, 2, 3),
                       expected_num_trainable_weights=2, expected_num_non_trainable_weights=0,
                       expected_weight_names=["kernel", "bias"],
                       symbolic_shape=(None, None, 5))


def test_kernel_fans_follow_the_einsum_axes(keras_oracle):
    # glorot_uniform's limit is sqrt(6 / (fan_in + fan_out)) with fan_in = 8 (axis c)
    # and fan_out = 2 * 16 (axes d, e), as Keras 3 counts them for EinsumDense.
    layer = layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 16))
    layer.build((None, 4, 8))
    kernel = layer.get_weights()[0]
    limit = np.sqrt(6.0 / (8 + 32))
    assert kernel.shape == (8, 2, 16)
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.8 * limit
    theirs = keras_oracle.layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 16))
    theirs.build((None, 4, 8))
    assert theirs.kernel_initializer.get_config()["input_axes"] is None   # not mutated
    assert np.abs(np.asarray(theirs.kernel)).max() <= limit


def test_bad_equations_and_shapes():
    with pytest.raises(ValueError, match=r'"ed_bad".*invalid einsum equation'):
        layers.EinsumDense("ab->b", output_shape=3, name="ed_bad")
    with pytest.raises(ValueError, match=r'"ed_rank".*rank 3.*\(2, 5\)'):
        layers.EinsumDense("abc,cd->abd", output_shape=(None, 3), name="ed_rank")(
            np.ones((2, 5), "float32"))
    with pytest.raises(ValueError, match="bias axes"):
        layers.EinsumDense("ab,bc->ac", output_shape=3, bias_axes="z")(
            np.ones((2, 5), "float32"))
    with pytest.raises(ValueError, match="shared axis"):
        layers.EinsumDense("abc,cd->abd", output_shape=(7, 3))(np.ones((2, 4, 5), "float32"))
    with pytest.raises(NotImplementedError, match="lora_rank"):
        layers.EinsumDense("ab,bc->ac", output_shape=3, lora_rank=2)
