"""Keras 2's mixed-precision spellings run unchanged through the `keras` alias."""
import numpy as np
import pytest

from layerkit import mixed_precision
from layerkit.optimizers import SGD
from layerkit.legacy import mixed_precision as legacy


def test_experimental_module_paths(keras_alias):
    keras = keras_alias
    from keras.mixed_precision import experimental as mpe
    from keras.mixed_precision.experimental import Policy, set_policy
    assert mpe is keras.mixed_precision.experimental or mpe.set_policy is set_policy
    set_policy(Policy("mixed_float16"))
    assert mpe.global_policy().name == "mixed_float16"
    assert keras.layers.Dense(2).compute_dtype == "float16"
    set_policy(None)   # Keras 2: back to the floatx() default
    assert keras.mixed_precision.global_policy().name == "float32"
    # Keras 2.4+'s non-experimental names are Keras 3's too.
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    assert keras.mixed_precision.global_policy().compute_dtype == "bfloat16"


def test_experimental_policy_rejects_a_loss_scale_it_cannot_keep():
    assert legacy.Policy("mixed_float16", loss_scale="auto").variable_dtype == "float32"
    with pytest.raises(ValueError, match="loss_scale=128.*LossScaleOptimizer"):
        legacy.Policy("mixed_float16", loss_scale=128)


def test_keras2_loss_scale_optimizer_signatures(keras_alias):
    keras = keras_alias
    from keras.mixed_precision.experimental import LossScaleOptimizer
    dynamic = LossScaleOptimizer(keras.optimizers.SGD(0.1), "dynamic")
    assert dynamic.dynamic and dynamic.initial_scale == 2.0 ** 15
    assert isinstance(dynamic, mixed_precision.LossScaleOptimizer)
    v24 = LossScaleOptimizer(keras.optimizers.SGD(0.1), dynamic=True, initial_scale=256,
                             dynamic_growth_steps=10)
    assert (v24.initial_scale, v24.dynamic_growth_steps) == (256.0, 10)
    with pytest.raises(ValueError, match="initial_scale.*must be specified"):
        LossScaleOptimizer(keras.optimizers.SGD(), dynamic=False)
    with pytest.raises(ValueError, match="loss_scale.*'dynamic' or a number"):
        LossScaleOptimizer(keras.optimizers.SGD(), loss_scale="auto")


def test_a_fixed_scale_applies_every_step_and_stays(keras_alias):
    keras = keras_alias
    from keras.mixed_precision.experimental import LossScaleOptimizer
    x = np.random.rand(16, 3).astype("float32")
    y = np.random.rand(16, 1).astype("float32")

    def model():
        m = keras.Sequential([keras.layers.Dense(1, input_shape=(3,),
                                                 kernel_initializer="ones")])
        return m
    plain, fixed = model(), model()
    plain.compile(keras.optimizers.SGD(0.1), "mse")
    opt = LossScaleOptimizer(keras.optimizers.SGD(0.1), 128)
    fixed.compile(opt, "mse")
    for _ in range(3):
        plain.train_on_batch(x, y)
        fixed.train_on_batch(x, y)
    assert float(opt.loss_scale.numpy() if hasattr(opt.loss_scale, "numpy")
                 else opt.loss_scale) == 128.0
    assert opt.dynamic_counter is None
    for a, b in zip(plain.get_weights(), fixed.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_custom_loop_helpers():
    opt = legacy.LossScaleOptimizer(SGD(0.1), initial_scale=8.0)
    assert float(np.asarray(opt.get_scaled_loss(np.float32(2.0)))) == 16.0
    (g,) = opt.get_unscaled_gradients([np.full((2,), 16.0, "float32")])
    np.testing.assert_allclose(np.asarray(g), [2.0, 2.0])
