"""Lion: Keras 3's arguments, checks, config and name lookup (its numbers are compared
with real Keras in tests/integration/test_fit_vs_keras_optimizers.py)."""
import numpy as np
import pytest

from layerkit import engine, optimizers


def test_lion_step_is_the_sign_of_the_interpolated_momentum():
    var = engine.Variable(np.array([1.0, -2.0, 0.5], "float32"))
    opt = optimizers.Lion(learning_rate=0.1, beta_1=0.5, beta_2=0.9)
    grads = [np.array([0.3, -0.2, 0.0], "float32"), np.array([-0.1, -0.2, 1e-3], "float32")]
    m, w = np.zeros(3), np.array([1.0, -2.0, 0.5])
    for g in grads:
        opt.apply_gradients([(g, var)])
        w = w - 0.1 * np.sign(0.5 * m + 0.5 * g)
        m = 0.9 * m + 0.1 * g
    np.testing.assert_allclose(engine.convert_to_numpy(var), w, rtol=1e-6)


def test_lion_config_round_trip_and_lookup():
    opt = optimizers.Lion(learning_rate=3e-4, beta_1=0.8, beta_2=0.95, weight_decay=0.1)
    config = opt.get_config()
    assert (config["beta_1"], config["beta_2"], config["weight_decay"]) == (0.8, 0.95, 0.1)
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert isinstance(again, optimizers.Lion) and again.beta_2 == 0.95
    assert isinstance(optimizers.get("lion"), optimizers.Lion)


@pytest.mark.parametrize("kwargs,name", [({"beta_1": 0.0}, "beta_1"), ({"beta_2": 1.5}, "beta_2")])
def test_lion_rejects_bad_betas(kwargs, name):
    with pytest.raises(ValueError, match=f"Lion: `{name}`"):
        optimizers.Lion(**kwargs)
