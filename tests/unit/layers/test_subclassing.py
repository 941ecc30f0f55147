"""Custom layers written as in Keras 3's guide "Making new layers and models via
subclassing": weights in `__init__` and in `build`, `add_loss`, nested layers, the
`training` argument, non-trainable weights updated with `assign`, `get_config`. Each
runs through Input -> Model, fit and predict, eager and compiled, and is compared with
the same class written for real Keras 3 (same weights -> same outputs and losses).

The layer classes are written once over a Keras-like module `K` (layerkit or keras), so
both libraries run the same source.
"""
import types

import numpy as np
import pytest

import layerkit
from layerkit import engine


def to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


def make_classes(K):
    ops = K.ops

    class Linear(K.layers.Layer):
        """Weights made in __init__ with add_weight (the guide's first example)."""

        def __init__(self, units=4, input_dim=3, **kwargs):
            super().__init__(**kwargs)
            self.units, self.input_dim = units, input_dim
            self.w = self.add_weight(shape=(input_dim, units), initializer="random_normal",
                                     trainable=True)
            self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)

        def call(self, inputs):
            return ops.matmul(inputs, self.w) + self.b

        def get_config(self):
            config = super().get_config()
            config.update({"units": self.units, "input_dim": self.input_dim})
            return config

    class VariableLinear(K.layers.Layer):
        """Weights made in __init__ as Variables assigned to attributes."""

        def __init__(self, units=4, input_dim=3, **kwargs):
            super().__init__(**kwargs)
            init = K.initializers.RandomNormal(stddev=0.5, seed=3)
            self.w = K.Variable(init, shape=(input_dim, units), name="w")
            self.b = K.Variable(np.zeros((units,), "float32"), name="b")

        def call(self, inputs):
            return inputs @ self.w + self.b

    class LazyLinear(K.layers.Layer):
        """Weights made in build, from the first input's shape."""

        def __init__(self, units=4, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                     initializer="random_normal", trainable=True, name="w")
            self.b = self.add_weight(shape=(self.units,), initializer="random_normal",
                                     trainable=True, name="b")

        def call(self, inputs):
            # The spellings a user writes: ops on Variables, operators both ways round.
            y = ops.add(self.b, ops.matmul(inputs, self.w))
            return y + (self.w * 2)[0, 0] * 0.0 - 0.0 * (2 * self.b)

        def get_config(self):
            config = super().get_config()
            config["units"] = self.units
            return config

    class ActivityRegularization(K.layers.Layer):
        """add_loss inside call."""

        def __init__(self, rate=1e-2, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate

        def call(self, inputs):
            self.add_loss(self.rate * ops.mean(ops.square(inputs)))
            return inputs

    class MLPBlock(K.layers.Layer):
        """Nested layers: their weights are tracked by the block."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.linear_1 = LazyLinear(5, name="l1")
            self.linear_2 = LazyLinear(4, name="l2")
            self.linear_3 = LazyLinear(1, name="l3")

        def call(self, inputs):
            x = ops.relu(self.linear_1(inputs))
            x = ops.relu(self.linear_2(x))
            return self.linear_3(x)

    class ScaleInTraining(K.layers.Layer):
        """The training argument: halves its input during fit only."""

        def call(self, inputs, training=None):
            if training:
                return inputs * 0.5
            return inputs

    class RunningSum(K.layers.Layer):
        """A non-trainable weight updated with assign inside call, in training only."""

        def build(self, input_shape):
            self.total = self.add_weight(shape=(input_shape[-1],), initializer="zeros",
                                         trainable=False, name="total")
            self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                         name="calls")

        def call(self, inputs, training=None):
            if training:
                self.total.assign_add(ops.sum(inputs, axis=0))
                self.calls.assign(self.calls + 1.0)
            return inputs

    return types.SimpleNamespace(**{c.__name__: c for c in (
        Linear, VariableLinear, LazyLinear, ActivityRegularization, MLPBlock,
        ScaleInTraining, RunningSum)})


LK = make_classes(layerkit)


def data(n=32, d=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    y = (x @ rng.normal(size=(d, 1)) + 0.1).astype("float32")
    return x, y


def fit_and_compare(keras, build, epochs=3, lr=0.05, atol=1e-5):
    """Builds the same model in both libraries, copies layerkit's initial weights into
    Keras, and checks predict, the per-epoch fit losses (SGD, unshuffled) and the
    trained weights agree. Returns both models."""
    x, y = data()
    ours, theirs = build(layerkit, LK), build(keras, make_classes(keras))
    assert [tuple(v.shape) for v in ours.weights] == [tuple(v.shape) for v in theirs.weights]
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-5, atol=atol)
    ours.compile(optimizer=layerkit.optimizers.SGD(lr), loss="mse")
    theirs.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
    h_ours = ours.fit(x, y, batch_size=8, epochs=epochs, shuffle=False, verbose=0)
    h_theirs = theirs.fit(x, y, batch_size=8, epochs=epochs, shuffle=False, verbose=0)
    np.testing.assert_allclose(h_ours.history["loss"], h_theirs.history["loss"], rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-4, atol=atol)
    return ours, theirs


def model_of(K, *layer_list, input_dim=3):
    inputs = K.Input((input_dim,))
    x = inputs
    for layer in layer_list:
        x = layer(x)
    return K.Model(inputs, x)


# --- weights made in __init__ ---------------------------------------------------
def test_weights_in_init_exist_before_any_call():
    layer = LK.Linear(4, 3, name="lin")
    assert [tuple(v.shape) for v in layer.weights] == [(3, 4), (4,)]
    assert [v.trainable for v in layer.weights] == [True, True]
    x = np.ones((2, 3), "float32")
    w, b = layer.get_weights()
    np.testing.assert_allclose(to_np(layer(x)), x @ w + b, rtol=1e-6)


def test_weights_in_init_fit_predict_match_keras(keras_oracle):
    ours, _ = fit_and_compare(keras_oracle, lambda K, C: model_of(K, C.Linear(1, 3)))
    assert len(ours.trainable_weights) == 2


def test_variables_assigned_in_init_are_tracked_and_trained(keras_oracle):
    layer = LK.VariableLinear(2, 3)
    assert [v.name for v in layer.weights] == ["w", "b"]
    assert layer.w.path == "w"   # made outside any layer scope, as in Keras
    fit_and_compare(keras_oracle, lambda K, C: model_of(K, C.VariableLinear(1, 3)))


# --- weights made in build ------------------------------------------------------
def test_weights_in_build_eager_and_symbolic():
    layer = LK.LazyLinear(2, name="lazy")
    assert layer.weights == []
    out = layer(layerkit.Input((3,)))           # the JAX failure of issue 7, point 0
    assert tuple(out.shape) == (None, 2)
    assert [v.path for v in layer.weights] == ["lazy/w", "lazy/b"]
    x = np.random.rand(4, 3).astype("float32")
    w, b = layer.get_weights()
    np.testing.assert_allclose(to_np(layer(x)), x @ w + b, rtol=1e-5, atol=1e-6)


def test_weights_in_build_fit_predict_match_keras(keras_oracle):
    fit_and_compare(keras_oracle, lambda K, C: model_of(K, C.LazyLinear(4), C.LazyLinear(1)))


def test_variables_never_reach_the_engine_as_objects():
    # ops called on Variables directly, eagerly and under the compiled step.
    v = layerkit.Variable(np.arange(6, dtype="float32").reshape(2, 3))
    x = np.ones((3, 2), "float32")
    ops = layerkit.ops
    np.testing.assert_allclose(to_np(ops.matmul(v, x)), v.numpy() @ x)
    np.testing.assert_allclose(to_np(ops.add(v, 1.0)), v.numpy() + 1)
    np.testing.assert_allclose(to_np(ops.concatenate([v, v], axis=0)),
                               np.concatenate([v.numpy()] * 2))
    np.testing.assert_allclose(to_np(ops.tanh(v)), np.tanh(v.numpy()), rtol=1e-6)
    np.testing.assert_allclose(to_np(ops.sum(v, axis=0)), v.numpy().sum(0))
    np.testing.assert_allclose(to_np(ops.where(v > 2.0, v, 0.0)),
                               np.where(v.numpy() > 2, v.numpy(), 0))


# --- add_loss -------------------------------------------------------------------
def test_add_loss_reaches_model_losses_and_the_fit_loss(keras_oracle):
    keras = keras_oracle
    x, y = data()

    def build(K, C):
        return model_of(K, C.LazyLinear(4), C.ActivityRegularization(0.5), C.LazyLinear(1))

    ours, theirs = fit_and_compare(keras, build)
    # After an eager call, model.losses holds that call's added loss.
    out = ours(x[:8])
    assert len(ours.losses) == 1
    hidden = ours.layers[1](x[:8])
    np.testing.assert_allclose(float(to_np(ours.losses[0])),
                               0.5 * np.mean(np.square(to_np(hidden))), rtol=1e-5)
    assert out.shape == (8, 1)
    # The added loss is part of the training loss: without it the losses differ.
    plain = model_of(layerkit, LK.LazyLinear(4), LK.LazyLinear(1))
    plain.set_weights(ours.get_weights())
    ours.compile(optimizer="sgd", loss="mse")
    plain.compile(optimizer="sgd", loss="mse")
    with_reg = ours.evaluate(x, y, verbose=0)
    without = plain.evaluate(x, y, verbose=0)
    assert with_reg > without + 1e-3


# --- nested layers --------------------------------------------------------------
def test_nested_block_tracks_its_layers_weights(keras_oracle):
    block = LK.MLPBlock(name="block")
    block(np.ones((2, 3), "float32"))
    assert [v.path for v in block.weights] == [
        "block/l1/w", "block/l1/b", "block/l2/w", "block/l2/b", "block/l3/w", "block/l3/b"]
    assert len(block.trainable_weights) == 6
    ours, theirs = fit_and_compare(keras_oracle, lambda K, C: model_of(K, C.MLPBlock()))
    assert [v.path for v in ours.weights] == [v.path for v in theirs.weights]


# --- the training argument ------------------------------------------------------
def test_training_argument_differs_between_fit_and_predict(keras_oracle):
    def build(K, C):
        return model_of(K, C.LazyLinear(4), C.ScaleInTraining(), C.LazyLinear(1))

    ours, _ = fit_and_compare(keras_oracle, build)
    x = data()[0][:4]
    scale = ours.layers[2]
    np.testing.assert_allclose(to_np(scale(x, training=True)), x * 0.5)
    np.testing.assert_allclose(to_np(scale(x)), x)
    # Predict runs the inference branch: the same as the model without the layer.
    first, last = ours.layers[1], ours.layers[3]
    np.testing.assert_allclose(ours.predict(x, verbose=0), to_np(last(first(x))),
                               rtol=1e-5, atol=1e-6)


# --- non-trainable weights updated with assign -----------------------------------
def test_running_total_updates_in_fit_not_in_predict(keras_oracle):
    x, _ = data()

    def build(K, C):
        return model_of(K, C.RunningSum(name="running"), C.LazyLinear(1))

    ours, theirs = fit_and_compare(keras_oracle, build, epochs=2)
    running = ours.get_layer("running")
    assert [v.trainable for v in running.weights] == [False, False]
    assert running.non_trainable_weights == running.weights
    np.testing.assert_allclose(running.total.numpy(), 2 * x.sum(axis=0), rtol=1e-5)
    assert float(running.calls.numpy()) == 8.0      # 4 batches x 2 epochs
    np.testing.assert_allclose(running.total.numpy(),
                               theirs.get_layer("running").total.numpy(), rtol=1e-5)
    before = running.total.numpy().copy()
    ours.predict(x, verbose=0)
    np.testing.assert_array_equal(running.total.numpy(), before)


def test_running_total_changes_across_steps_seen_by_callbacks():
    x, y = data()
    model = model_of(layerkit, LK.RunningSum(name="running"), LK.LazyLinear(1))
    model.compile(optimizer="sgd", loss="mse")
    seen = []
    record = layerkit.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(
            model.get_layer("running").calls.numpy().item()))
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[record])
    assert seen == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]


def test_running_total_in_an_eager_step():
    x, y = data()
    model = model_of(layerkit, LK.RunningSum(name="running"), LK.LazyLinear(1))
    model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(model.get_layer("running").total.numpy(), x.sum(axis=0),
                               rtol=1e-5)


def test_eager_call_with_training_assigns_directly():
    layer = LK.RunningSum()
    x = np.ones((2, 3), "float32")
    layer(x, training=True)
    layer(x, training=True)
    layer(x)
    np.testing.assert_allclose(layer.total.numpy(), [4.0, 4.0, 4.0])


# --- get_config / from_config -----------------------------------------------------
def test_get_config_round_trip_keeps_the_constructor_arguments():
    layer = LK.Linear(5, 2, name="lin_cfg")
    config = layer.get_config()
    assert config["units"] == 5 and config["input_dim"] == 2 and config["name"] == "lin_cfg"
    clone = LK.Linear.from_config(config)
    assert clone.get_config() == config
    assert [tuple(v.shape) for v in clone.weights] == [(2, 5), (5,)]
    lazy = LK.LazyLinear.from_config(LK.LazyLinear(7, name="lazy_cfg").get_config())
    assert lazy.units == 7 and lazy.name == "lazy_cfg"


def test_functional_model_of_custom_layers_round_trips_config():
    model = model_of(layerkit, LK.LazyLinear(4, name="a"), LK.ScaleInTraining(name="s"),
                     LK.LazyLinear(1, name="b"))
    custom = {"LazyLinear": LK.LazyLinear, "ScaleInTraining": LK.ScaleInTraining}
    clone = type(model).from_config(model.get_config(), custom_objects=custom)
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]
    clone.set_weights(model.get_weights())
    x = data()[0]
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


@pytest.mark.parametrize("jit", [True, False])
def test_compiled_and_eager_steps_train_a_custom_layer_alike(jit):
    x, y = data()
    results = []
    for run_eagerly in (False, True):
        np.random.seed(7)
        model = model_of(layerkit, LK.Linear(1, 3))
        model.set_weights([np.full((3, 1), 0.1, "float32"), np.zeros((1,), "float32")])
        model.compile(optimizer=layerkit.optimizers.SGD(0.1), loss="mse",
                      run_eagerly=run_eagerly, jit_compile=jit)
        results.append(model.fit(x, y, batch_size=8, epochs=2, shuffle=False,
                                 verbose=0).history["loss"])
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5)
