"""Model subclasses with any __init__ signature, functional subclassing, and
compile() without `loss` when compute_loss or add_loss supplies it (checked against
real Keras 3 with the same weights)."""
import numpy as np
import pytest

import layerkit
from layerkit import layers, ops
from layerkit.models import Functional, Model
from layerkit.utils import set_random_seed


def _data(n=32):
    rng = np.random.default_rng(0)
    x = rng.random((n, 4)).astype("float32")
    return x, rng.integers(0, 3, n)


def test_a_subclass_passing_args_and_kwargs_on_builds_and_trains():
    class Classifier(Model):
        def __init__(self, units, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.dense = layers.Dense(units)

        def call(self, x):
            return self.dense(x)

    model = Classifier(3, name="clf", trainable=True)
    assert model.name == "clf" and not isinstance(model, Functional)
    model.compile("adam", "sparse_categorical_crossentropy")
    x, y = _data()
    assert len(model.fit(x, y, epochs=2, verbose=0).history["loss"]) == 2
    assert model.predict(x, verbose=0).shape == (32, 3)


@pytest.mark.parametrize("how", ["positional", "keywords"])
def test_a_subclass_given_inputs_and_outputs_is_functional(how):
    class WithExtras(Model):
        def __init__(self, *args, note="hi", **kwargs):
            super().__init__(*args, **kwargs)
            self.note = note

    inp = layers.Input((4,), name="features")
    out = layers.Dense(3, name="head")(layers.Dense(5)(inp))
    model = WithExtras(inp, out, name="sub") if how == "positional" else \
        WithExtras(inputs=inp, outputs=out, name="sub", note="yo")
    assert type(model) is WithExtras and isinstance(model, Functional)
    assert model.name == "sub" and model.note == ("hi" if how == "positional" else "yo")
    assert [l.name for l in model.layers][0] == "features" and model.layers[-1].name == "head"
    model.compile("sgd", "sparse_categorical_crossentropy")
    x, y = _data()
    model.fit(x, y, verbose=0)
    lines = []
    model.summary(print_fn=lines.append)
    assert any("head" in line for line in lines)

    class Plain(Model):
        def call(self, x):
            return x
    assert not isinstance(Plain(), Functional)


class _SquaredErrorModel(Model):
    """Supplies its own loss: compile() takes no `loss`."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(3)

    def call(self, x):
        return self.dense(x)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return ops.mean(ops.square(y_pred - ops.one_hot(y, 3)))


def test_compile_without_loss_trains_with_compute_loss_like_keras(keras_oracle):
    keras = keras_oracle
    x, y = _data()

    class KerasSquaredError(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = keras.layers.Dense(3)

        def call(self, x):
            return self.dense(x)

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            return keras.ops.mean(keras.ops.square(y_pred - keras.ops.one_hot(y, 3)))

    ours, theirs = _SquaredErrorModel(), KerasSquaredError()
    ours(x[:1])
    theirs(x[:1])
    theirs.set_weights(ours.get_weights())
    ours.compile(optimizer=layerkit.optimizers.SGD(0.5))
    theirs.compile(optimizer=keras.optimizers.SGD(0.5))
    h1 = ours.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    h2 = theirs.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    np.testing.assert_allclose(h1["loss"], h2["loss"], rtol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert ours.evaluate(x, y, verbose=0) == pytest.approx(theirs.evaluate(x, y, verbose=0),
                                                          rel=1e-5)


def test_compute_loss_without_training_argument_and_calling_super():
    class Old(Model):          # Keras 3.0-3.3's compute_loss had no `training`
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)

        def call(self, x):
            return self.dense(x)

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
            return super().compute_loss(x, y, y_pred, sample_weight) * 0.0 + 3.0

    x, _ = _data()
    model = Old()
    model.compile("sgd", "mse")
    assert model.fit(x, x[:, :1], verbose=0).history["loss"] == [pytest.approx(3.0)]


def test_compile_without_loss_uses_add_loss_and_fails_clearly_without_any():
    class Penalised(Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, x):
            out = self.dense(x)
            self.add_loss(ops.mean(ops.square(out)))
            return out

    set_random_seed(0)
    x, _ = _data()
    model = Penalised()
    model.compile(optimizer=layerkit.optimizers.SGD(0.1))
    model(x[:1])
    start = float(np.mean(np.square(model.predict(x, batch_size=32, verbose=0))))
    # One batch of all 32 samples: the first step's loss is the penalty itself.
    history = model.fit(x, np.zeros((32, 2), "float32"), batch_size=32, epochs=5,
                        verbose=0).history
    assert history["loss"][0] == pytest.approx(start, rel=1e-5)
    assert history["loss"][-1] < history["loss"][0]
    plain = layerkit.Sequential([layers.Dense(2)])
    plain.compile("sgd")
    with pytest.raises(ValueError, match="no loss to compute.*Pass `loss=` to compile"):
        plain.fit(x, np.zeros((32, 2), "float32"), verbose=0)
