"""Functions saved as code, Keras 3's way: a lambda or a nested function in a Lambda
layer or in a control-flow op on symbolic tensors is stored as its bytecode; loading
refuses it in safe mode (the default) and rebuilds it with safe_mode=False, a
SafeModeScope(False) or layerkit.config.enable_unsafe_deserialization(); files with
such Lambdas go both ways between layerkit and real Keras 3."""
import json

import numpy as np
import pytest

import layerkit
from layerkit import config as lk_config
from layerkit import layers, ops
from layerkit.models import Model
from layerkit.saving import SafeModeScope


def to_np(x):
    return np.asarray(ops.convert_to_numpy(x))


@pytest.fixture
def restore_safe_mode():
    before = lk_config._UNSAFE_EVERYWHERE
    yield
    lk_config._UNSAFE_EVERYWHERE = before


def _cond_model():
    x = layers.Input((3,))
    h = layers.Dense(3, kernel_initializer="ones", name="d")(x)
    gate = ops.cond(ops.sum(h) > 0, lambda: ops.ones((3,)) * 2.0, lambda: -ops.ones((3,)))
    return Model(x, h * gate)


def _loop_model():
    """scan and fori_loop with lambda bodies, one closing over a number, and a nested
    function body for map."""
    rate = 0.5

    def bump(row):
        return row + rate

    x = layers.Input((4, 3))
    h = layers.Dense(3, name="d")(x)
    steps = ops.transpose(h, (1, 0, 2))
    summed = ops.scan(lambda c, v: (c * rate + v, c * rate + v), ops.zeros_like(h[:, 0]),
                      steps)[1]
    h = ops.fori_loop(0, 3, lambda i, v: v * 0.5 + 1.0, ops.transpose(summed, (1, 0, 2)))
    return Model(x, ops.map(bump, h))


@pytest.mark.parametrize("name", ["m.keras", "m.h5"])
@pytest.mark.parametrize("build,shape", [(_cond_model, (3,)), (_loop_model, (4, 3))],
                         ids=["cond", "scan_fori_map"])
def test_control_flow_lambdas_save_and_load_outside_safe_mode(tmp_path, name, build, shape):
    model = build()
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.random((3,) + shape), -rng.random((3,) + shape)]).astype("float32")
    expected = np.concatenate([model.predict(x[:3], verbose=0),
                               model.predict(x[3:], verbose=0)])
    path = tmp_path / name
    model.save(path)
    with pytest.raises(ValueError, match=r'OpLayer "\w+" \((cond|scan)\): its function is '
                                         r"stored .* bytecode.*safe_mode=False"):
        layerkit.models.load_model(path)
    loaded = layerkit.models.load_model(path, safe_mode=False)
    got = np.concatenate([loaded.predict(x[:3], verbose=0), loaded.predict(x[3:], verbose=0)])
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def _more_control_flow():
    """A nested custom_gradient function, while_loop, switch, associative_scan and
    vectorized_map, all given lambdas."""
    @ops.custom_gradient
    def doubled(v):
        def grad(*upstream, **kwargs):
            return ops.clip(upstream[0] if upstream else kwargs["upstream"], -0.01, 0.01)
        return v * 2.0, grad

    x = layers.Input((3, 4))
    h = doubled(layers.Dense(4)(x))
    h = ops.while_loop(lambda v: ops.sum(v) < 100.0, lambda v: (v + 1.0,), (h,), 3)[0]
    h = ops.switch(1, [lambda v: v * 2, lambda v: v - 1], h)
    h = ops.associative_scan(lambda a, b: a + b, h, axis=1)
    return Model(x, ops.vectorized_map(lambda r: r * 3.0, h))


def test_every_control_flow_op_rebuilds_its_lambdas_from_a_config():
    model = _more_control_flow()
    config = model.get_config()
    with pytest.raises(ValueError, match=r"OpLayer .*safe mode"):
        Model.from_config(config)
    with SafeModeScope(False):
        clone = Model.from_config(json.loads(json.dumps(config)))
    clone.set_weights(model.get_weights())
    x = np.random.default_rng(3).random((2, 3, 4)).astype("float32")
    np.testing.assert_allclose(to_np(clone(x)), to_np(model(x)), rtol=1e-6)


def test_a_captured_value_json_cannot_hold_is_named_with_the_op():
    x = layers.Input((3,))
    weights = np.ones(3, "float32")
    model = Model(x, ops.map(lambda row: row * weights, x))
    with pytest.raises(ValueError, match=r'OpLayer "map\w*" \(map\): its function captures '
                                         r"'weights', a value of type ndarray"):
        model.get_config()


def test_from_config_and_model_from_json_follow_the_safe_mode_setting(restore_safe_mode):
    x = layers.Input((2,))
    model = Model(x, layers.Lambda(lambda t: t * 4.0, name="times4")(x))
    config, text = model.get_config(), model.to_json()
    with pytest.raises(ValueError, match=r'Lambda layer "times4".*safe mode'):
        Model.from_config(config)
    with pytest.raises(ValueError, match=r'Lambda layer "times4".*safe mode'):
        layerkit.models.model_from_json(text)
    with SafeModeScope(False):
        assert lk_config.in_safe_mode() is False
        clone = Model.from_config(config)
    assert lk_config.in_safe_mode() is None
    data = np.ones((1, 2), "float32")
    np.testing.assert_allclose(to_np(clone(data)), data * 4.0)
    layerkit.config.enable_unsafe_deserialization()
    np.testing.assert_allclose(to_np(layerkit.models.model_from_json(text)(data)), data * 4.0)
    # Turned off globally, safe mode stays off for load_model's default too (Keras 3).
    assert isinstance(layerkit.saving.model_from_config(json.loads(text)), Model)


def test_keras_alias_exposes_enable_unsafe_deserialization(keras_alias):
    import keras
    assert keras.config.enable_unsafe_deserialization is \
        layerkit.config.enable_unsafe_deserialization


def test_safe_mode_scope_checks_its_argument():
    with pytest.raises(ValueError, match="SafeModeScope: safe_mode must be"):
        SafeModeScope("no")


# --- real Keras 3 ---------------------------------------------------------------------
def test_keras_lambda_file_loads_in_layerkit_outside_safe_mode(tmp_path, keras_oracle):
    k = keras_oracle
    offset = 0.25
    inp = k.Input((3,))
    out = k.layers.Lambda(lambda t: t * t + offset, name="square")(k.layers.Dense(3)(inp))
    theirs = k.Model(inp, out)
    theirs.save(tmp_path / "k.keras")
    x = np.random.default_rng(1).normal(size=(4, 3)).astype("float32")
    with pytest.raises(ValueError, match=r'Lambda layer "square".*safe mode'):
        layerkit.models.load_model(tmp_path / "k.keras")
    ours = layerkit.models.load_model(tmp_path / "k.keras", safe_mode=False)
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_layerkit_lambda_file_loads_in_keras_outside_safe_mode(tmp_path, keras_oracle):
    power = 2
    inp = layers.Input((3,))
    out = layers.Lambda(lambda t: t ** power - 1.0, name="poly")(layers.Dense(3)(inp))
    ours = Model(inp, out)
    ours.save(tmp_path / "ours.keras")
    with pytest.raises(ValueError, match="lambda"):
        keras_oracle.models.load_model(tmp_path / "ours.keras")
    theirs = keras_oracle.models.load_model(tmp_path / "ours.keras", safe_mode=False)
    x = np.random.default_rng(2).normal(size=(4, 3)).astype("float32")
    np.testing.assert_allclose(theirs.predict(x, verbose=0), ours.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


# --- Keras 2 (tf_keras) ---------------------------------------------------------------
def test_keras2_lambda_file_loads_outside_safe_mode():
    """tests/fixtures/tf_keras/lambda.h5 (make_keras2_lambda_fixture.py): Keras 2's
    function_type "lambda" with its closure, rebuilt as tf_keras ran it."""
    import os
    fixtures = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "tf_keras")
    data = np.load(os.path.join(fixtures, "lambda.npz"))
    path = os.path.join(fixtures, "lambda.h5")
    with pytest.raises(ValueError, match=r'Lambda layer "square".*safe_mode=False'):
        layerkit.models.load_model(path)
    model = layerkit.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["predict"],
                               rtol=1e-5, atol=1e-5)


def test_clone_model_rebuilds_lambdas_without_leaving_safe_mode(restore_safe_mode):
    # The config comes from a live model, not a file: clone_model may rebuild its code.
    from layerkit.models import Sequential, clone_model
    model = Sequential([layers.Input((3,)), layers.Lambda(lambda t: t * 3.0)])
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(to_np(clone_model(model)(x)), x * 3.0)
    source = _cond_model()       # weights are ones: the clone computes the same
    np.testing.assert_allclose(to_np(clone_model(source)(x)), to_np(source(x)), rtol=1e-6)
    assert lk_config.in_safe_mode() is not False
    with pytest.raises(ValueError, match="safe"):
        Sequential.from_config(model.get_config())


def test_a_safe_mode_scope_holds_for_its_own_thread_only():
    """clone_model opens SafeModeScope(False); a load running in another thread at the
    same time must still refuse a file's code."""
    import threading
    opened, release, seen = threading.Event(), threading.Event(), []

    def cloning():
        with SafeModeScope(False):
            opened.set()
            release.wait(10)

    worker = threading.Thread(target=cloning)
    worker.start()
    try:
        assert opened.wait(10)
        seen.append(lk_config.in_safe_mode())
    finally:
        release.set()
        worker.join(10)
    assert seen == [None]
