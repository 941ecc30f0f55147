"""One engine-state contract: get_state()/set_state() hold the same five groups on every
engine, restore a model exactly (weights, optimizer slots, metric totals, random
streams), and the random state is a seed Variable on both engines."""
import numpy as np
import pytest

from layerkit import engine, layers, ops
from layerkit.engine.common.contract import EngineState
from layerkit.layers import Dense, Dropout, Input
from layerkit.models import Model, Sequential
from layerkit.optimizers import Adam
from layerkit.utils import set_random_seed


class RunningMean(layers.Layer):
    """A non-trainable weight updated with `assign` while training (the pattern of
    Keras's guide to writing layers)."""

    def build(self, input_shape):
        self.mean = self.add_weight(shape=(input_shape[-1],), initializer="zeros",
                                    trainable=False, name="mean")

    def call(self, x, training=False):
        if training:
            self.mean.assign(0.9 * self.mean.value + 0.1 * ops.mean(x, axis=0))
        return x - self.mean.value


def _data(n=64):
    rng = np.random.default_rng(0)
    x = rng.random((n, 6), dtype=np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, n)]
    return x, y


def _model():
    set_random_seed(11)
    inp = Input((6,))
    h = Dense(16, activation="relu")(inp)
    h = Dropout(0.5)(h)
    h = RunningMean()(h)
    out = Dense(3, activation="softmax")(h)
    model = Model(inp, out)
    model.compile(Adam(0.01), "categorical_crossentropy", metrics=["accuracy"])
    return model


def _numpy(state):
    return [[np.array(engine.convert_to_numpy(t)) for t in group] for group in state]


def test_state_has_the_same_groups_and_lengths_on_every_engine():
    model = _model()
    x, y = _data()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    state = model.get_state()
    assert isinstance(state, EngineState)
    assert state._fields == ("trainable", "non_trainable", "optimizer", "metrics", "seeds")
    # 2 Dense x (kernel, bias); the running mean; Adam's iterations and learning rate
    # plus m and v per weight; loss and accuracy trackers' (total, count); one Dropout.
    assert [len(g) for g in state] == [4, 1, 2 + 2 * 4, 4, 1]
    assert all(engine.is_tensor(t) for group in state for t in group)
    assert [tuple(t.shape) for t in state.trainable] == [(6, 16), (16,), (16, 3), (3,)]
    assert [tuple(t.shape) for t in state.seeds] == [(2,)]
    np.testing.assert_array_equal(engine.convert_to_numpy(state.trainable[0]),
                                  model.get_weights()[0])


def test_set_state_then_train_repeats_predictions_and_the_next_step_exactly():
    model = _model()
    x, y = _data()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    state = model.get_state()
    saved = _numpy(state)
    predictions = model.predict(x, verbose=0)
    logs = model.train_on_batch(x[:16], y[:16], reset_metrics=False, return_dict=True)
    after = _numpy(model.get_state())
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)       # moves everything on
    assert not np.allclose(model.predict(x, verbose=0), predictions)

    model.set_state(state)
    for group, ref in zip(_numpy(model.get_state()), saved):
        for a, b in zip(group, ref):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.predict(x, verbose=0), predictions)
    again = model.train_on_batch(x[:16], y[:16], reset_metrics=False, return_dict=True)
    assert again == pytest.approx(logs, rel=1e-6)
    for group, ref in zip(_numpy(model.get_state()), after):
        for a, b in zip(group, ref):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_set_state_takes_numpy_arrays():
    model = _model()
    x, y = _data()
    model.fit(x, y, epochs=1, verbose=0)
    saved = _numpy(model.get_state())
    predictions = model.predict(x, verbose=0)
    model.fit(x, y, epochs=1, verbose=0)
    model.set_state(EngineState(*saved))
    np.testing.assert_allclose(model.predict(x, verbose=0), predictions, rtol=1e-6)


def test_dropout_masks_repeat_after_set_state_of_an_earlier_state():
    set_random_seed(5)
    model = Sequential([Input((64,)), Dropout(0.5)])
    x = np.ones((8, 64), "float32")
    state = model.get_state()
    first = engine.convert_to_numpy(model(x, training=True))
    second = engine.convert_to_numpy(model(x, training=True))
    assert (first != second).any()                        # the stream moves on
    assert set(np.unique(first)) == {0.0, 2.0}
    model.set_state(state)
    np.testing.assert_array_equal(engine.convert_to_numpy(model(x, training=True)), first)
    np.testing.assert_array_equal(engine.convert_to_numpy(model(x, training=True)), second)


def test_dropout_masks_in_fit_repeat_after_set_state():
    # Dropout as the only source of change between two runs from one state.
    model = _model()
    x, y = _data()
    model.evaluate(x, y, verbose=0)          # builds the compiled metrics
    state = model.get_state()
    model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    once = model.get_weights()
    model.set_state(state)
    model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), once):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_set_random_seed_gives_a_deterministic_stream():
    def masks():
        set_random_seed(123)
        layer = Dropout(0.3)
        x = ops.ones((4, 32))
        return [engine.convert_to_numpy(layer(x, training=True)) for _ in range(3)]
    a, b = masks(), masks()
    for m1, m2 in zip(a, b):
        np.testing.assert_array_equal(m1, m2)
    assert (a[0] != a[1]).any()


def test_the_seed_state_is_a_variable_that_counts_draws():
    layer = Dropout(0.5, seed=9)
    state = layer.seed_generator.state
    assert isinstance(state, engine.Variable) and not state.trainable
    assert state.shape == (2,)
    start = np.array(state.numpy())
    layer(ops.ones((2, 3)), training=True)
    layer(ops.ones((2, 3)), training=True)
    np.testing.assert_array_equal(state.numpy(), start + np.array([0, 2]))
    assert start[0] == 9


def test_set_state_rejects_a_state_that_does_not_fit():
    model = _model()
    x, y = _data()
    model.fit(x, y, epochs=1, verbose=0)
    state = model.get_state()
    with pytest.raises(ValueError, match=r"`trainable` group holds 3 value\(s\).*4 trainable"):
        model.set_state(state._replace(trainable=state.trainable[:3]))
    bad = list(state.trainable)
    bad[1] = np.zeros((5,), "float32")
    with pytest.raises(ValueError, match=r"`trainable` value for .*bias.*\(5,\).*\(16,\)"):
        model.set_state(state._replace(trainable=bad))
    with pytest.raises(TypeError, match="EngineState"):
        model.set_state([w for w in state.trainable])


def test_no_traced_value_is_kept_on_the_model():
    inp = Input((4,))
    model = Model(inp, [Dense(1, name="a")(inp), Dense(2, name="b")(inp)])
    model.compile("sgd", ["mse", "mse"])
    x = np.random.random((16, 4)).astype("float32")
    history = model.fit(x, [x[:, :1], x[:, :2]], epochs=1, verbose=0)
    assert list(history.history) == ["loss", "a_loss", "b_loss"]
    assert history.history["loss"][0] == pytest.approx(
        history.history["a_loss"][0] + history.history["b_loss"][0], rel=1e-5)
    assert not [k for k in vars(model) if "output_loss" in k and "tracker" not in k]
