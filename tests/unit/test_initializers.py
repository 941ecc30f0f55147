"""Initializers: shapes, dtypes, statistics against the formulas, seeding, lookup."""
import math

import numpy as np
import pytest

from layerkit import engine, initializers, ops

TRUNC = 0.87962566103423978


def _stats(x):
    return float(np.mean(x)), float(np.std(x))


@pytest.mark.parametrize("name", ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
                                  "lecun_uniform", "lecun_normal", "zeros", "ones",
                                  "random_normal", "random_uniform", "truncated_normal",
                                  "orthogonal", "identity", "variance_scaling", "constant",
                                  "normal", "uniform", "zero", "one"])
def test_every_name_gives_a_numpy_array_of_the_requested_shape_and_dtype(name):
    init = initializers.get(name)
    out = init((5, 7))
    assert isinstance(out, np.ndarray)
    assert out.shape == (5, 7) and out.dtype == np.float32
    out64 = init((5, 7), dtype="float64")
    assert out64.dtype == np.float64


def test_class_names_and_keras2_aliases_resolve_to_the_right_classes():
    assert isinstance(initializers.get("GlorotUniform"), initializers.GlorotUniform)
    assert isinstance(initializers.get("HeNormal"), initializers.HeNormal)
    assert isinstance(initializers.get("normal"), initializers.RandomNormal)
    assert isinstance(initializers.get("uniform"), initializers.RandomUniform)
    assert isinstance(initializers.get("zero"), initializers.Zeros)
    assert isinstance(initializers.get("one"), initializers.Ones)
    assert initializers.glorot_uniform is initializers.GlorotUniform


@pytest.mark.parametrize("cls,scale,mode", [
    (initializers.GlorotUniform, 1.0, "fan_avg"), (initializers.HeUniform, 2.0, "fan_in"),
    (initializers.LecunUniform, 1.0, "fan_in")])
def test_uniform_variance_scaling_limits_and_std(cls, scale, mode):
    shape = (300, 500)
    fan = {"fan_in": 300, "fan_avg": 400}[mode]
    limit = math.sqrt(3.0 * scale / fan)
    x = cls(seed=1)(shape)
    assert x.max() <= limit and x.min() >= -limit
    assert x.max() > 0.99 * limit and x.min() < -0.99 * limit
    mean, std = _stats(x)
    assert abs(mean) < 0.01 * limit
    assert std == pytest.approx(limit / math.sqrt(3.0), rel=0.01)


@pytest.mark.parametrize("cls,scale,mode", [
    (initializers.GlorotNormal, 1.0, "fan_avg"), (initializers.HeNormal, 2.0, "fan_in"),
    (initializers.LecunNormal, 1.0, "fan_in")])
def test_truncated_variance_scaling_keeps_the_variance_and_truncates_at_two_stddev(cls, scale, mode):
    x = cls(seed=2)((400, 600))
    fan = {"fan_in": 400, "fan_avg": 500}[mode]
    target_std = math.sqrt(scale / fan)
    raw_std = target_std / TRUNC  # the stddev before truncation
    assert np.abs(x).max() <= 2.0 * raw_std + 1e-7
    assert np.abs(x).max() > 1.95 * raw_std
    mean, std = _stats(x)
    assert abs(mean) < 0.01 * target_std
    assert std == pytest.approx(target_std, rel=0.01)


def test_conv_kernel_fans_count_the_receptive_field():
    assert initializers.compute_fans((3, 3, 16, 32)) == (144, 288)
    assert initializers.compute_fans((5, 8, 4)) == (40, 20)
    assert initializers.compute_fans((7,)) == (7, 7)
    assert initializers.compute_fans(()) == (1, 1)
    assert initializers.compute_fans((2, 3, 4), input_axes=[0, 1], output_axes=[2]) == (6, 4)
    x = initializers.HeUniform(seed=0)((3, 3, 64, 32))
    limit = math.sqrt(6.0 / (9 * 64))
    assert x.max() <= limit and x.max() > 0.98 * limit


@pytest.mark.parametrize("distribution", ["uniform", "untruncated_normal", "truncated_normal"])
@pytest.mark.parametrize("mode,fan", [("fan_in", 200), ("fan_out", 800), ("fan_avg", 500)])
def test_variance_scaling_every_mode_and_distribution(distribution, mode, fan):
    init = initializers.VarianceScaling(scale=3.0, mode=mode, distribution=distribution, seed=5)
    x = init((200, 800))
    assert np.std(x) == pytest.approx(math.sqrt(3.0 / fan), rel=0.02)


def test_variance_scaling_rejects_bad_arguments():
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=0)
    with pytest.raises(ValueError, match="fan_sideways"):
        initializers.VarianceScaling(mode="fan_sideways")
    with pytest.raises(ValueError, match="gamma"):
        initializers.VarianceScaling(distribution="gamma")


def test_random_normal_uniform_truncated_statistics():
    x = initializers.RandomNormal(mean=1.5, stddev=0.3, seed=3)((500, 400))
    assert _stats(x) == pytest.approx((1.5, 0.3), rel=0.01)
    x = initializers.RandomUniform(minval=-2.0, maxval=4.0, seed=3)((500, 400))
    assert x.min() >= -2.0 and x.max() < 4.0
    assert _stats(x) == pytest.approx((1.0, 6.0 / math.sqrt(12.0)), rel=0.01)
    x = initializers.TruncatedNormal(mean=-1.0, stddev=0.5, seed=3)((500, 400))
    assert x.min() >= -2.0 and x.max() <= 0.0
    assert _stats(x) == pytest.approx((-1.0, 0.5 * TRUNC), rel=0.01)


def test_keras_default_arguments():
    assert initializers.RandomNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert initializers.RandomUniform().get_config() == {"minval": -0.05, "maxval": 0.05,
                                                         "seed": None}
    assert initializers.TruncatedNormal().stddev == 0.05


def test_zeros_ones_constant_values_and_integer_dtypes():
    np.testing.assert_array_equal(initializers.Zeros()((2, 3), dtype="int32"),
                                  np.zeros((2, 3), np.int32))
    assert initializers.Ones()((4,), dtype="int64").dtype == np.int64
    np.testing.assert_array_equal(initializers.Constant(2.5)((2, 2)), np.full((2, 2), 2.5, "float32"))
    row = initializers.Constant([1.0, 2.0, 3.0])((2, 3))
    np.testing.assert_array_equal(row, [[1, 2, 3], [1, 2, 3]])
    with pytest.raises(ValueError, match="broadcast"):
        initializers.Constant([1.0, 2.0])((2, 3))
    with pytest.raises(ValueError, match="int32"):
        initializers.RandomNormal()((2,), dtype="int32")


@pytest.mark.parametrize("shape", [(6, 6), (10, 4), (4, 10), (3, 3, 8, 16)])
def test_orthogonal_is_orthogonal(shape):
    q = initializers.Orthogonal(gain=2.0, seed=7)(shape, dtype="float64")
    assert q.shape == shape
    m = q.reshape(-1, shape[-1]) / 2.0
    if m.shape[0] >= m.shape[1]:
        np.testing.assert_allclose(m.T @ m, np.eye(m.shape[1]), atol=1e-10)
    else:
        np.testing.assert_allclose(m @ m.T, np.eye(m.shape[0]), atol=1e-10)
    with pytest.raises(ValueError, match="rank >= 2"):
        initializers.Orthogonal()((5,))


def test_identity():
    np.testing.assert_array_equal(initializers.Identity(gain=3.0)((2, 3)),
                                  [[3, 0, 0], [0, 3, 0]])
    with pytest.raises(ValueError, match="2-D"):
        initializers.Identity()((2, 2, 2))


def test_a_fixed_seed_gives_the_same_values_every_call():
    init = initializers.GlorotUniform(seed=42)
    a, b = init((4, 5)), init((4, 5))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, initializers.GlorotUniform(seed=42)((4, 5)))
    assert not np.array_equal(a, initializers.GlorotUniform(seed=43)((4, 5)))
    # The values come from numpy's PCG64, so they are the same on every engine.
    expected = np.random.Generator(np.random.PCG64(42)).uniform(
        -math.sqrt(6 / 9), math.sqrt(6 / 9), (4, 5)).astype("float32")
    np.testing.assert_array_equal(a, expected)


def test_unseeded_initializers_draw_fresh_values_from_the_global_generator():
    init = initializers.RandomNormal()
    assert not np.array_equal(init((3, 3)), init((3, 3)))
    initializers.set_global_seed(123)
    first = [initializers.HeNormal()((3, 3)), initializers.RandomUniform()((2,))]
    initializers.set_global_seed(123)
    again = [initializers.HeNormal()((3, 3)), initializers.RandomUniform()((2,))]
    for x, y in zip(first, again):
        np.testing.assert_array_equal(x, y)


def test_variable_takes_an_initializer_and_gets_the_same_values_on_every_engine():
    v = engine.Variable(initializers.RandomNormal(seed=9), shape=(3, 2), dtype="float32")
    expected = initializers.RandomNormal(seed=9)((3, 2))
    np.testing.assert_array_equal(ops.convert_to_numpy(v.value), expected)


def test_get_accepts_none_strings_dicts_instances_callables_and_classes():
    assert initializers.get(None) is None
    inst = initializers.HeUniform(seed=1)
    assert initializers.get(inst) is inst

    def custom(shape, dtype=None):
        return np.ones(shape)

    assert initializers.get(custom) is custom
    assert isinstance(initializers.get(initializers.Ones), initializers.Ones)
    got = initializers.get({"class_name": "RandomNormal", "config": {"stddev": 2.0, "seed": 4}})
    assert isinstance(got, initializers.RandomNormal) and got.stddev == 2.0 and got.seed == 4


def test_unknown_names_raise_value_error_naming_them_and_the_valid_ones():
    with pytest.raises(ValueError, match="glorot_unifrom") as e:
        initializers.get("glorot_unifrom")
    assert "glorot_uniform" in str(e.value)
    with pytest.raises(ValueError, match="Nope"):
        initializers.deserialize({"class_name": "Nope", "config": {}})
    with pytest.raises(ValueError):
        initializers.get(3.5)


@pytest.mark.parametrize("init", [
    initializers.GlorotNormal(seed=3), initializers.VarianceScaling(2.0, "fan_out", "uniform", 1),
    initializers.Constant(0.5), initializers.Orthogonal(gain=1.5, seed=2),
    initializers.TruncatedNormal(0.1, 0.2, seed=8), initializers.Identity(2.0)])
def test_serialize_round_trips(init):
    config = initializers.serialize(init)
    assert config["class_name"] == type(init).__name__
    back = initializers.deserialize(config)
    assert type(back) is type(init) and back.get_config() == init.get_config()
    np.testing.assert_array_equal(back((4, 4)), init((4, 4)))


def test_custom_objects_in_deserialize():
    class MyInit(initializers.Initializer):
        def __call__(self, shape, dtype=None):
            return np.full(shape, 7.0, dtype="float32")

    config = initializers.serialize(MyInit())
    got = initializers.deserialize(config, custom_objects={"MyInit": MyInit})
    assert isinstance(got, MyInit)


@pytest.mark.parametrize("name", ["glorot_uniform", "he_normal", "lecun_uniform", "zeros",
                                  "ones", "random_normal", "random_uniform",
                                  "truncated_normal", "orthogonal", "variance_scaling"])
def test_configs_match_keras(keras_oracle, name):
    ours = initializers.serialize(initializers.get(name))
    theirs = keras_oracle.initializers.serialize(keras_oracle.initializers.get(name))
    assert ours == theirs
    # and Keras's own config loads here
    assert type(initializers.deserialize(theirs)).__name__ == theirs["class_name"]


def test_registered_custom_initializer_round_trips():
    from layerkit.saving import register_keras_serializable

    @register_keras_serializable(package="lktest")
    class Fives(initializers.Initializer):
        def __call__(self, shape, dtype=None):
            return np.full(shape, 5.0, dtype="float32")

    config = initializers.serialize(Fives())
    assert config["registered_name"] == "lktest>Fives"
    assert isinstance(initializers.get(config), Fives)
