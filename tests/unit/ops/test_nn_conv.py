"""Convolution and pooling ops: against the real keras.ops (JAX) on the same
numpy inputs, plus checks that need neither Keras nor the engine's internals.

Shapes are chosen so 'same' padding is asymmetric somewhere: odd sizes with
stride 2 and even kernels, which split the padding unevenly (extra after).
"""
import numpy as np
import pytest

from layerkit import ops

RNG = np.random.default_rng(7)
ATOL, RTOL = 1e-5, 1e-4

# Per spatial rank: input spatial shape and a kernel (or pool) shape with an
# even extent somewhere.
SPATIAL = {1: (9,), 2: (7, 6), 3: (5, 6, 5)}
KERNEL = {1: (4,), 2: (3, 2), 3: (2, 3, 2)}
# (strides, dilation_rate) per rank, dilation only with unit strides; ints and
# tuples both appear.
STEPS = {1: [(1, 1), (2, 1), (1, 2)],
         2: [(1, 1), (2, 1), (1, (1, 2))],
         3: [(1, 1), ((2, 1, 2), 1), (1, 2)]}


def rand(*shape):
    return RNG.uniform(-1.0, 1.0, size=shape).astype("float32")


def to_np(x):
    return np.asarray(ops.convert_to_numpy(x))


def make_input(n, channels, batch=2):
    return rand(batch, *SPATIAL[n], channels)  # channels_last


def check(ours, theirs):
    ours, theirs = to_np(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, atol=ATOL, rtol=RTOL)


def check_both_formats(ours, theirs, x, *args, **kwargs):
    """ours(x, ...) in channels_last, and for 'same' padding also in
    channels_first, against one Keras channels_last result.

    Compiling is most of this file's time (channels_first convolutions compile
    about 4x slower on XLA's CPU), so channels_first runs where it can go wrong
    in a way channels_last would not show: 'same' needs the spatial sizes,
    read from other axes in channels_first; 'valid' shares the rest."""
    expected = np.asarray(theirs(x, *args, data_format="channels_last", **kwargs))
    check(ours(x, *args, data_format="channels_last", **kwargs), expected)
    if kwargs.get("padding") == "same":
        first = ours(np.moveaxis(x, -1, 1), *args, data_format="channels_first", **kwargs)
        check(first, np.moveaxis(expected, -1, 1))


def cases(ranks, paddings=("valid", "same")):
    return [pytest.param(n, padding, s, d, id=f"{n}d-{padding}-s{s}-d{d}")
            for n in ranks for padding in paddings for s, d in STEPS[n]]


# 3D: 'same' only; 'valid' has nothing per rank that 1D and 2D do not cover.
@pytest.mark.parametrize("n,padding,strides,dilation", cases((1, 2)) + cases((3,), ["same"]))
def test_conv_matches_keras(keras_oracle, n, padding, strides, dilation):
    check_both_formats(ops.conv, keras_oracle.ops.conv, make_input(n, 3),
                       rand(*KERNEL[n], 3, 4), strides=strides, padding=padding,
                       dilation_rate=dilation)


def test_grouped_conv_matches_keras(keras_oracle):
    kernel = rand(3, 2, 2, 6)  # 4 input channels / 2 per group = 2 groups
    check_both_formats(ops.conv, keras_oracle.ops.conv, make_input(2, 4), kernel,
                       strides=2, padding="same")


@pytest.mark.parametrize("n,padding,strides,dilation", cases((1, 2)))
def test_depthwise_conv_matches_keras(keras_oracle, n, padding, strides, dilation):
    check_both_formats(ops.depthwise_conv, keras_oracle.ops.depthwise_conv, make_input(n, 3),
                       rand(*KERNEL[n], 3, 2), strides=strides, padding=padding,
                       dilation_rate=dilation)


# depthwise_conv then conv, each checked on 1D and 2D above: 2D is enough here.
@pytest.mark.parametrize("n,padding,strides,dilation", cases((2,)))
def test_separable_conv_matches_keras(keras_oracle, n, padding, strides, dilation):
    check_both_formats(ops.separable_conv, keras_oracle.ops.separable_conv, make_input(n, 3),
                       rand(*KERNEL[n], 3, 2), rand(*(1,) * n, 6, 5), strides=strides,
                       padding=padding, dilation_rate=dilation)


# (rank, padding, strides, dilation_rate, output_padding). The padding rules
# are per axis, so 1D gets every rule ('same' with and without output_padding,
# strides below and above the kernel size of 4; odd kernels in the next test)
# and 2D/3D check that the axes are kept apart.
TRANSPOSE_CASES = (
    [(1, "same", *step) for step in [(1, 1, None), (2, 1, None), (3, 1, None), (2, 1, 1),
                                     (3, 1, 0), (3, 1, 2), (1, 2, None)]]
    + [(1, "valid", *step) for step in [(3, 1, None), (2, 1, 1), (1, 2, None)]]
    + [(2, "same", *step) for step in [(1, 1, None), (2, 1, None), (3, 1, 2), (1, (2, 1), None)]]
    + [(2, "valid", 2, 1, None), (2, "valid", 1, (2, 1), None),
       (3, "same", (2, 1, 2), 1, None)])


@pytest.mark.parametrize("n,padding,strides,dilation,output_padding", [
    pytest.param(*case, id="{}d-{}-s{}-d{}-op{}".format(*case)) for case in TRANSPOSE_CASES])
def test_conv_transpose_matches_keras(keras_oracle, n, padding, strides, dilation,
                                      output_padding):
    kernel = rand(*KERNEL[n], 4, 3)  # (spatial..., out, in)
    check_both_formats(ops.conv_transpose, keras_oracle.ops.conv_transpose,
                       make_input(n, 3, batch=1), kernel, strides=strides, padding=padding,
                       output_padding=output_padding, dilation_rate=dilation)


def test_conv_transpose_odd_kernel_and_tuple_args_match_keras(keras_oracle):
    x = rand(2, 4, 5, 3)
    kernel = rand(3, 5, 2, 3)
    for padding in ("valid", "same"):
        kwargs = dict(strides=(2, 3), padding=padding, output_padding=(1, 2))
        check(ops.conv_transpose(x, kernel, **kwargs),
              keras_oracle.ops.conv_transpose(x, kernel, **kwargs))


# Pool shapes with an even extent, so 'same' pads unevenly somewhere.
POOL = {1: 2, 2: (3, 2), 3: (2, 3, 2)}


def pool_cases():
    # strides=None is the pool size: 2 in 1D (no new compile there); in 2D it
    # is left to test_pool_strides_default_to_the_pool_size. 'valid' with
    # stride 1 adds nothing the others miss.
    return [pytest.param(n, padding, strides, id=f"{n}d-{padding}-s{strides}")
            for n in (1, 2) for padding in ("valid", "same") for strides in (None, 1, 2)
            if (padding, strides) != ("valid", 1) and (n, strides) != (2, None)]


def check_pool(op, keras_op, x, pool, strides, padding):
    # Keras 3.15's JAX pooling fails on strides=None (it expands the pool size
    # twice), so the oracle gets the documented default spelled out.
    expected = np.asarray(keras_op(x, pool, strides=pool if strides is None else strides,
                                   padding=padding))
    check(op(x, pool, strides=strides, padding=padding), expected)
    if padding != "same":
        return  # channels_first: see check_both_formats
    first = op(np.moveaxis(x, -1, 1), pool, strides=strides, padding=padding,
               data_format="channels_first")
    check(first, np.moveaxis(expected, -1, 1))


@pytest.mark.parametrize("op", ["max_pool", "average_pool"])
@pytest.mark.parametrize("n,padding,strides", pool_cases())
def test_pool_matches_keras(keras_oracle, op, n, padding, strides):
    check_pool(getattr(ops, op), getattr(keras_oracle.ops, op), make_input(n, 3), POOL[n],
               strides, padding)


@pytest.mark.parametrize("op", ["max_pool", "average_pool"])
def test_pool_3d_matches_keras(keras_oracle, op):
    check_pool(getattr(ops, op), getattr(keras_oracle.ops, op), make_input(3, 2), POOL[3],
               (2, 1, 2), "same")


# --- checks without Keras ----------------------------------------------------

def test_1x1_conv_is_a_matmul():
    x = rand(2, 5, 4, 3)
    kernel = rand(1, 1, 3, 6)
    expected = x.reshape(-1, 3) @ kernel.reshape(3, 6)
    y = to_np(ops.conv(x, kernel))
    np.testing.assert_allclose(y.reshape(-1, 6), expected, atol=1e-5)
    first = to_np(ops.conv(np.moveaxis(x, -1, 1), kernel, data_format="channels_first"))
    np.testing.assert_allclose(np.moveaxis(first, 1, -1), y, atol=1e-5)


def test_conv_1d_against_a_sliding_dot_product():
    x = rand(1, 8, 2)
    kernel = rand(3, 2, 1)
    y = to_np(ops.conv(x, kernel, strides=2, padding="same"))
    # 'same', stride 2, 8 cells: 4 outputs, total padding 1, all of it after.
    padded = np.concatenate([x[0], np.zeros((1, 2), "float32")])
    expected = [np.sum(padded[i:i + 3] * kernel[:, :, 0]) for i in range(0, 8, 2)]
    np.testing.assert_allclose(y[0, :, 0], expected, atol=1e-5)


def test_depthwise_conv_keeps_channels_apart():
    x = rand(1, 6, 6, 2)
    kernel = rand(3, 3, 2, 1)
    y = to_np(ops.depthwise_conv(x, kernel, padding="same"))
    for c in range(2):
        alone = to_np(ops.conv(x[..., c:c + 1], kernel[:, :, c:c + 1], padding="same"))
        np.testing.assert_allclose(y[..., c], alone[..., 0], atol=1e-5)


@pytest.mark.parametrize("size,k,s,padding,output_padding",
                         [(8, 4, 2, "same", None), (7, 3, 2, "same", 0), (9, 3, 2, "valid", 0),
                          (10, 4, 2, "valid", 0), (6, 2, 3, "same", None)])
def test_conv_transpose_is_the_adjoint_of_conv(size, k, s, padding, output_padding):
    # <conv(x, K), y> == <x, conv_transpose(y, K)> for the same kernel array.
    x = rand(2, size, 3)
    kernel = rand(k, 3, 4)
    cx = to_np(ops.conv(x, kernel, strides=s, padding=padding))
    y = rand(*cx.shape)
    ty = to_np(ops.conv_transpose(y, kernel, strides=s, padding=padding,
                                  output_padding=output_padding))
    assert ty.shape == x.shape
    np.testing.assert_allclose(np.sum(cx * y), np.sum(x * ty), rtol=1e-4)


def test_max_pool_known_values():
    x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    y = to_np(ops.max_pool(x, 2))
    np.testing.assert_array_equal(y[0, :, :, 0], [[5, 7], [13, 15]])
    # 'same' with stride 1 and an even window: the extra cell is padded after.
    y = to_np(ops.max_pool(x, 2, strides=1, padding="same"))
    expected = np.array([[5, 6, 7, 7], [9, 10, 11, 11], [13, 14, 15, 15], [13, 14, 15, 15]])
    np.testing.assert_array_equal(y[0, :, :, 0], expected)
    y = to_np(ops.max_pool(-x, 3, strides=2, padding="same"))  # padding never wins
    np.testing.assert_array_equal(y[0, :, :, 0], [[0, -2], [-8, -10]])


def test_average_pool_same_leaves_padding_out_of_the_count():
    x = np.arange(1, 6, dtype="float32").reshape(1, 5, 1)
    y = to_np(ops.average_pool(x, 2, strides=2, padding="same"))
    # Windows [1, 2], [3, 4], [5, pad]: the last is 5 / 1, not 5 / 2.
    np.testing.assert_allclose(y[0, :, 0], [1.5, 3.5, 5.0])
    y = to_np(ops.average_pool(x, 3, strides=1, padding="same"))
    np.testing.assert_allclose(y[0, :, 0], [1.5, 2.0, 3.0, 4.0, 4.5])


def test_pool_strides_default_to_the_pool_size():
    x = rand(2, 6, 9, 3)
    np.testing.assert_allclose(to_np(ops.max_pool(x, (2, 3))),
                               x.reshape(2, 3, 2, 3, 3, 3).max(axis=(2, 4)))
    np.testing.assert_allclose(to_np(ops.average_pool(x, (2, 3))),
                               x.reshape(2, 3, 2, 3, 3, 3).mean(axis=(2, 4)), atol=1e-6)


def test_output_shapes():
    x = rand(1, 7, 6, 3)
    k = rand(3, 2, 3, 5)
    assert ops.conv(x, k, strides=2, padding="same").shape == (1, 4, 3, 5)
    assert ops.conv(x, k, padding="valid", dilation_rate=2).shape == (1, 3, 4, 5)
    t = rand(3, 2, 5, 3)
    assert ops.conv_transpose(x, t, strides=2, padding="same").shape == (1, 14, 12, 5)
    assert ops.conv_transpose(x, t, strides=2, padding="valid").shape == (1, 15, 12, 5)


def test_bad_arguments_are_clear_errors():
    x = rand(1, 6, 6, 3)
    with pytest.raises(ValueError, match="padding"):
        ops.conv(x, rand(3, 3, 3, 2), padding="causal")
    with pytest.raises(ValueError, match="rank"):
        ops.conv(x, rand(3, 3, 2))
    with pytest.raises(ValueError, match="multiple"):
        ops.conv(x, rand(3, 3, 2, 2))
    with pytest.raises(ValueError, match="strides"):
        ops.conv(x, rand(3, 3, 3, 2), strides=(1, 2, 3))
    with pytest.raises(ValueError, match="rank 3, 4 or 5"):
        ops.max_pool(rand(6, 6), 2)
    with pytest.raises(ValueError, match="data_format"):
        ops.average_pool(x, 2, data_format="NHWC")


@pytest.mark.parametrize("strides,dilation", [(1, 1), (2, 1), (1, 3)])
def test_causal_conv_is_a_left_padded_valid_conv(strides, dilation):
    """padding='causal' (1-D only): (kernel - 1) * dilation zeros before the steps,
    none after, inside the one conv call."""
    x, kernel = rand(2, 9, 3), rand(4, 3, 2)
    left = 3 * dilation
    expected = ops.conv(np.pad(x, ((0, 0), (left, 0), (0, 0))), kernel, strides=strides,
                        padding="valid", dilation_rate=dilation)
    check(ops.conv(x, kernel, strides=strides, padding="causal", dilation_rate=dilation),
          to_np(expected))
    first = ops.conv(np.moveaxis(x, -1, 1), kernel, strides=strides, padding="causal",
                     dilation_rate=dilation, data_format="channels_first")
    check(first, np.moveaxis(to_np(expected), -1, 1))
    with pytest.raises(ValueError, match="'valid', 'same'"):
        ops.conv(rand(1, 5, 5, 3), rand(2, 2, 3, 2), padding="causal")


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_conv_bias_is_added_per_output_channel(data_format):
    # layerkit's `bias` keyword (torch adds it inside its kernel): the same numbers
    # as adding it after the op, on the channel axis of either layout.
    x = make_input(2, 4)
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1)
    axis = -1 if data_format == "channels_last" else 1

    def added(y, b):
        return to_np(y) + np.expand_dims(b, tuple(range(1, 3)) if axis == 1 else ())

    kernel, bias = rand(3, 2, 4, 6), rand(6)
    got = ops.conv(x, kernel, padding="same", data_format=data_format, bias=bias)
    check(got, added(ops.conv(x, kernel, padding="same", data_format=data_format), bias))
    depthwise, dbias = rand(3, 2, 4, 2), rand(8)
    got = ops.depthwise_conv(x, depthwise, strides=2, data_format=data_format, bias=dbias)
    check(got, added(ops.depthwise_conv(x, depthwise, strides=2, data_format=data_format),
                     dbias))
    pointwise = rand(1, 1, 8, 5)
    got = ops.separable_conv(x, depthwise, pointwise, data_format=data_format, bias=bias[:5])
    check(got, added(ops.separable_conv(x, depthwise, pointwise, data_format=data_format),
                     bias[:5]))


def test_conv_bias_of_the_wrong_size_is_refused():
    with pytest.raises(ValueError, match=r"conv: expected a bias of shape \(6,\).*\(5,\)"):
        ops.conv(make_input(1, 3), rand(4, 3, 6), bias=rand(5))


@pytest.mark.parametrize("size,pool,strides", [(8, 3, 2), (9, 2, 2), (10, 4, 3), (6, 2, 1)])
def test_max_pool_same_with_one_more_cell_after(keras_oracle, size, pool, strides):
    # TF 'same' padding of (b, b + 1): torch's ceil_mode path where it gives the same
    # windows (stride > 1), F.pad otherwise (stride 1); both as Keras.
    x = rand(2, size, size + 1, 3)
    expected = keras_oracle.ops.max_pool(x, pool, strides=strides, padding="same")
    check(ops.max_pool(x, pool, strides=strides, padding="same"), expected)
