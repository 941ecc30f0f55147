"""`get`, `serialize`/`deserialize`, get_config/from_config, Keras 2 keywords and
clear errors."""
import pytest

from layerkit import config, optimizers

ALL = ["SGD", "RMSprop", "Adam", "AdamW", "Adamax", "Nadam", "Adagrad", "Adadelta", "Ftrl",
       "Lion"]


@pytest.mark.parametrize("name", ALL)
def test_get_by_lowercase_and_class_name(name):
    cls = getattr(optimizers, name)
    assert type(optimizers.get(name.lower())) is cls
    assert type(optimizers.get(name)) is cls


def test_keras2_lowercase_aliases():
    opt = optimizers.adam(lr=0.01)
    assert isinstance(opt, optimizers.Adam)
    assert optimizers.sgd is optimizers.SGD and optimizers.rmsprop is optimizers.RMSprop


def test_get_instance_dict_and_none():
    opt = optimizers.Adam()
    assert optimizers.get(opt) is opt
    assert optimizers.get(None) is None
    got = optimizers.get({"class_name": "SGD", "config": {"learning_rate": 0.3, "momentum": 0.5}})
    assert isinstance(got, optimizers.SGD)
    assert float(got.learning_rate) == pytest.approx(0.3)
    assert got.momentum == 0.5


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError) as err:
        optimizers.get("adamm")
    msg = str(err.value)
    assert "adamm" in msg
    for name in ("sgd", "rmsprop", "adam", "adamax", "nadam", "adagrad", "adadelta", "adamw",
                 "ftrl", "lion"):
        assert repr(name) in msg
    with pytest.raises(ValueError):
        optimizers.get(42)
    with pytest.raises(ValueError, match="Frobnicate"):
        optimizers.deserialize({"class_name": "Frobnicate", "config": {}})


@pytest.mark.parametrize("name", ALL)
def test_unknown_keyword_is_type_error(name):
    with pytest.raises(TypeError, match="momentom"):
        getattr(optimizers, name)(momentom=0.9)


def test_legacy_keywords_are_known():
    opt = optimizers.SGD(lr=0.05, decay=1e-4)
    assert float(opt.learning_rate) == pytest.approx(0.05)
    assert opt.decay == 1e-4
    cfg = opt.get_config()
    assert cfg["learning_rate"] == pytest.approx(0.05) and cfg["decay"] == 1e-4
    with pytest.raises(ValueError):
        optimizers.SGD(decay=-1.0)


@pytest.mark.parametrize("name", ["RMSprop", "Adam", "Adamax", "Nadam", "Adagrad", "Adadelta"])
def test_epsilon_none_means_config_epsilon(name):
    assert getattr(optimizers, name)(epsilon=None).epsilon == config.epsilon()


@pytest.mark.parametrize("name", ALL)
def test_config_round_trip(name):
    cls = getattr(optimizers, name)
    opt = cls(learning_rate=0.123, clipnorm=1.5, name="my_opt")
    cfg = opt.get_config()
    assert cfg["learning_rate"] == pytest.approx(0.123)
    again = cls.from_config(cfg)
    assert again.get_config() == cfg
    ser = optimizers.serialize(opt)
    assert ser["class_name"] == name
    assert optimizers.deserialize(ser).get_config() == cfg


def test_config_with_schedule_round_trip():
    sched = optimizers.schedules.CosineDecay(0.1, 100, alpha=0.1)
    opt = optimizers.Adam(learning_rate=sched, decay=0.01)
    cfg = opt.get_config()
    assert cfg["learning_rate"]["class_name"] == "CosineDecay"
    again = optimizers.Adam.from_config(cfg)
    assert isinstance(again._learning_rate, optimizers.schedules.CosineDecay)
    assert again._learning_rate.get_config() == sched.get_config()
    assert again.decay == 0.01


def test_keras2_saved_configs_load():
    # Keras 2.x standalone / tf.keras 2 configs as found in .h5 files.
    sgd = optimizers.deserialize({"class_name": "SGD", "config": {
        "name": "SGD", "lr": 0.01, "decay": 1e-6, "momentum": 0.9, "nesterov": True}})
    assert float(sgd.lr) == pytest.approx(0.01) and sgd.decay == 1e-6 and sgd.nesterov
    adam = optimizers.deserialize({"class_name": "Adam", "config": {
        "name": "Adam", "learning_rate": 0.001, "decay": 0.0, "beta_1": 0.9, "beta_2": 0.999,
        "epsilon": 1e-07, "amsgrad": False, "is_legacy_optimizer": False, "jit_compile": True}})
    assert isinstance(adam, optimizers.Adam)


def test_keras3_configs_load(keras_oracle):
    for name in ALL:
        theirs = getattr(keras_oracle.optimizers, name)(learning_rate=0.02)
        ours = optimizers.deserialize(keras_oracle.optimizers.serialize(theirs))
        assert type(ours) is getattr(optimizers, name)
        assert float(ours.learning_rate) == pytest.approx(0.02)
    sched = keras_oracle.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    ours = optimizers.deserialize(keras_oracle.optimizers.serialize(
        keras_oracle.optimizers.SGD(learning_rate=sched)))
    assert isinstance(ours._learning_rate, optimizers.schedules.ExponentialDecay)


def test_argument_errors():
    with pytest.raises(ValueError, match="only one of"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.SGD(learning_rate="fast")
    with pytest.raises(ValueError, match="gradient_accumulation_steps"):
        optimizers.SGD(gradient_accumulation_steps=1)


def test_apply_errors():
    from layerkit import engine
    opt = optimizers.SGD()
    v = engine.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match="build"):
        opt.apply([engine.convert_to_tensor([1.0, 1.0])])
    with pytest.raises(ValueError, match="No gradients"):
        opt.apply([None], [v])
    opt.apply([], [])  # nothing to do
    assert int(opt.iterations) == 0
