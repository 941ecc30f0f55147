"""Learning-rate schedules against their closed forms and against Keras."""
import math

import numpy as np
import pytest

from layerkit import engine
from layerkit.optimizers import schedules

STEPS = [0, 1, 2, 5, 9, 10, 11, 25, 100]


def _value(s, step):
    return float(engine.convert_to_numpy(s(step)))


def _closed_cosine(lr0, decay_steps, alpha, step):
    step = min(step, decay_steps)
    return lr0 * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * step / decay_steps)) + alpha)


CLOSED_FORMS = [
    (lambda: schedules.ExponentialDecay(0.1, 10, 0.5),
     lambda s: 0.1 * 0.5 ** (s / 10)),
    (lambda: schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True),
     lambda s: 0.1 * 0.5 ** (s // 10)),
    (lambda: schedules.InverseTimeDecay(0.1, 10, 0.5),
     lambda s: 0.1 / (1 + 0.5 * s / 10)),
    (lambda: schedules.InverseTimeDecay(0.1, 10, 0.5, staircase=True),
     lambda s: 0.1 / (1 + 0.5 * (s // 10))),
    (lambda: schedules.PiecewiseConstantDecay([2, 10], [1.0, 0.5, 0.1]),
     lambda s: 1.0 if s <= 2 else (0.5 if s <= 10 else 0.1)),
    (lambda: schedules.CosineDecay(0.1, 10, alpha=0.2),
     lambda s: _closed_cosine(0.1, 10, 0.2, s)),
    (lambda: schedules.CosineDecay(0.0, 10, warmup_target=0.2, warmup_steps=5),
     lambda s: 0.2 * s / 5 if s < 5 else _closed_cosine(0.2, 10, 0.0, s - 5)),
    (lambda: schedules.PolynomialDecay(0.1, 10, end_learning_rate=0.01, power=2.0),
     lambda s: (0.1 - 0.01) * (1 - min(s, 10) / 10) ** 2 + 0.01),
    (lambda: schedules.PolynomialDecay(0.1, 10, end_learning_rate=0.01, cycle=True),
     lambda s: (0.1 - 0.01) * (1 - s / (10 * max(1, math.ceil(s / 10)))) + 0.01),
]


@pytest.mark.parametrize("make,closed", CLOSED_FORMS)
def test_closed_forms(make, closed):
    s = make()
    for step in STEPS:
        assert _value(s, step) == pytest.approx(closed(step), rel=1e-5, abs=1e-7), step


KERAS_CASES = [
    ("ExponentialDecay", (0.1, 7, 0.9), {"staircase": True}),
    ("InverseTimeDecay", (0.1, 7, 0.9), {}),
    ("PiecewiseConstantDecay", ([3, 8], [0.3, 0.2, 0.1]), {}),
    ("PolynomialDecay", (0.1, 7), {"power": 0.5, "cycle": True}),
    ("CosineDecay", (0.1, 20), {"alpha": 0.1, "warmup_target": 0.3, "warmup_steps": 4}),
    ("CosineDecayRestarts", (0.1, 4), {"t_mul": 2.0, "m_mul": 0.8, "alpha": 0.05}),
    ("CosineDecayRestarts", (0.1, 4), {"t_mul": 1.0}),
]


@pytest.mark.parametrize("name,args,kwargs", KERAS_CASES)
def test_matches_keras(name, args, kwargs, keras_oracle):
    ours = getattr(schedules, name)(*args, **kwargs)
    theirs = getattr(keras_oracle.optimizers.schedules, name)(*args, **kwargs)
    for step in STEPS:
        assert _value(ours, step) == pytest.approx(float(theirs(step)), rel=1e-5, abs=1e-7), step
    # Configs are interchangeable.
    ser = keras_oracle.optimizers.schedules.serialize(theirs)
    again = schedules.deserialize(ser)
    assert again.get_config() == ours.get_config()


def test_tensor_step_and_config_round_trip():
    s = schedules.ExponentialDecay(0.1, 10, 0.5, name="my_decay")
    step = engine.convert_to_tensor(np.asarray([20], dtype="int32"))[0]
    assert float(engine.convert_to_numpy(s(step))) == pytest.approx(0.025)
    again = schedules.ExponentialDecay.from_config(s.get_config())
    assert again.get_config() == s.get_config()
    ser = schedules.serialize(s)
    assert ser["class_name"] == "ExponentialDecay"
    assert schedules.deserialize(ser).get_config() == s.get_config()
    assert schedules.deserialize({"class_name": "ExponentialDecay",
                                  "config": s.get_config()}).get_config() == s.get_config()


def test_schedule_errors_and_custom():
    with pytest.raises(ValueError, match="one more"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1])
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.CosineDecay(0.1, 0)
    with pytest.raises(ValueError, match="Unknown"):
        schedules.deserialize({"class_name": "Nope", "config": {}})

    class Halving(schedules.LearningRateSchedule):
        def __init__(self, lr):
            self.lr = lr

        def __call__(self, step):
            return self.lr / (step + 1)

        def get_config(self):
            return {"lr": self.lr}

    got = schedules.deserialize({"class_name": "Halving", "config": {"lr": 1.0}},
                                custom_objects={"Halving": Halving})
    assert isinstance(got, Halving)
    with pytest.raises(NotImplementedError):
        schedules.LearningRateSchedule()(0)
