"""Custom training steps, on the engine under test: Keras 3's documented forms per
engine, the engine-neutral `compute_gradients` form (the README's example), and the
stateless pieces they use (stateless_call, optimizer.stateless_apply, metrics'
stateless_*), with numbers checked against real Keras 3."""
import numpy as np
import pytest

import layerkit
from layerkit import layers, ops
from layerkit.models import Model
from layerkit.utils import set_random_seed

ENGINE = layerkit.backend.backend()


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 4)).astype("float32")
    return x, (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], "float32") + 0.1).astype("float32")


def _graph(cls, bn=True, dropout=0.0):
    set_random_seed(3)
    inp = layers.Input((4,))
    h = layers.Dense(8, activation="relu")(inp)
    if dropout:
        h = layers.Dropout(dropout)(h)
    if bn:
        h = layers.BatchNormalization()(h)
    return cls(inp, layers.Dense(1)(h))


# The README's engine-neutral custom step (the README's own block runs at the end).
class NeutralStep(Model):
    def train_step(self, data):
        x, y = data

        def loss_fn():
            y_pred = self(x, training=True)
            return self.compute_loss(x=x, y=y, y_pred=y_pred), y_pred

        (loss, y_pred), grads = self.compute_gradients(loss_fn)
        self.optimizer.apply(grads, self.trainable_variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_the_engine_neutral_step_trains_exactly_as_the_built_in_step():
    """Same math, so the same trajectory and the same weights (BatchNormalization's
    moving statistics included) as fit's own step."""
    x, y = _data()
    plain, custom = _graph(Model), _graph(NeutralStep)
    for m in (plain, custom):
        m.compile("adam", "mse", metrics=["mae"])
    h1 = plain.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0).history
    h2 = custom.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0).history
    assert list(h2) == ["loss", "mae"]
    np.testing.assert_allclose(h2["loss"], h1["loss"], rtol=1e-6)
    np.testing.assert_allclose(h2["mae"], h1["mae"], rtol=1e-6)
    for a, b in zip(plain.get_weights(), custom.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-7)
    assert h2["loss"][-1] < h2["loss"][0]


def test_fit_logs_exactly_what_train_step_returns_in_its_order():
    class Logs(Model):
        def train_step(self, data):
            x, y = data

            def loss_fn():
                return ops.mean(ops.square(self(x, training=True) - y))

            loss, grads = self.compute_gradients(loss_fn)
            self.optimizer.apply(grads, self.trainable_variables)
            return {"zeta": loss * 2.0, "alpha": ops.convert_to_tensor(7.0), "loss": loss}

    x, y = _data()
    model = _graph(Logs, bn=False)
    model.compile("sgd")        # no loss: the step computes its own
    seen = []
    from layerkit.callbacks import LambdaCallback
    cb = LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(dict(logs)))
    history = model.fit(x, y, epochs=2, batch_size=32, verbose=0, callbacks=[cb]).history
    assert list(history) == ["zeta", "alpha", "loss"]
    assert history["alpha"] == [7.0, 7.0]
    np.testing.assert_allclose(history["zeta"], np.array(history["loss"]) * 2, rtol=1e-6)
    assert len(seen) == 4 and list(seen[0]) == ["zeta", "alpha", "loss"]
    # The logged loss is the last batch's, as the step returned it.
    assert history["loss"][-1] == pytest.approx(seen[-1]["loss"])


def test_super_train_step_and_custom_test_and_predict_steps():
    class Wrapped(Model):
        calls = 0

        def train_step(self, data):
            type(self).calls += 1     # runs at trace time on JAX, every step on torch
            return super().train_step(data)

        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            return {"sq_err": ops.mean(ops.square(y_pred - y))}

        def predict_step(self, data):
            return self(data, training=False) * 0.0 + 5.0

    x, y = _data()
    model = _graph(Wrapped, bn=False)
    model.compile("adam", "mse")
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0,
                        validation_data=(x, y)).history
    assert list(history) == ["loss", "val_sq_err"]
    assert Wrapped.calls >= 1
    # One batch: evaluate returns what the last test_step returned.
    out = model.evaluate(x, y, batch_size=64, verbose=0, return_dict=True)
    assert list(out) == ["sq_err"]
    y_pred = ops.convert_to_numpy(Model.predict_step(model, x))   # the default step
    np.testing.assert_allclose(out["sq_err"], np.mean((y_pred - y) ** 2), rtol=1e-5)
    np.testing.assert_allclose(model.predict(x, verbose=0), np.full((64, 1), 5.0))


def test_a_step_without_targets_trains_an_autoencoder():
    class AutoEncoder(Model):
        def train_step(self, data):
            x = data

            def loss_fn():
                return ops.mean(ops.square(self(x, training=True) - x))

            loss, grads = self.compute_gradients(loss_fn)
            self.optimizer.apply(grads, self.trainable_variables)
            return {"reconstruction": loss}

    set_random_seed(0)
    inp = layers.Input((4,))
    model = AutoEncoder(inp, layers.Dense(4)(layers.Dense(2)(inp)))
    model.compile(optimizer=layerkit.optimizers.Adam(0.05))
    x, _ = _data()
    history = model.fit(x, epochs=20, batch_size=16, verbose=0).history
    assert history["reconstruction"][-1] < 0.5 * history["reconstruction"][0]


def test_dropout_masks_advance_inside_a_custom_step():
    """The random seeds are part of the step's state: two steps draw different masks."""
    class Draws(Model):
        def train_step(self, data):
            x, _ = data
            out = self(x, training=True)
            return {"first": out[0, 0], "second": out[1, 0]}

    set_random_seed(0)
    inp = layers.Input((1,))
    model = Draws(inp, layers.Dropout(0.5)(inp))
    model.compile("sgd")
    x = np.ones((2, 1), "float32")
    logs = [model.train_on_batch(x, x, return_dict=True) for _ in range(8)]
    values = {(l["first"], l["second"]) for l in logs}
    assert len(values) > 1, logs


@pytest.mark.skipif(ENGINE != "jax", reason="Keras's stateless train_step is JAX's form")
def test_keras_jax_guide_step_matches_the_built_in_step():
    import jax

    class JaxGuide(Model):
        def compute_loss_and_updates(self, trainable_variables, non_trainable_variables, x, y,
                                     training=False):
            y_pred, non_trainable_variables = self.stateless_call(
                trainable_variables, non_trainable_variables, x, training=training)
            loss = self.compute_loss(x, y, y_pred)
            return loss, (y_pred, non_trainable_variables)

        def train_step(self, state, data):
            trainable_variables, non_trainable_variables, optimizer_variables, \
                metrics_variables = state
            x, y = data
            grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
            (loss, (y_pred, non_trainable_variables)), grads = grad_fn(
                trainable_variables, non_trainable_variables, x, y, training=True)
            trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
                optimizer_variables, grads, trainable_variables)
            new_metrics_vars, logs = [], {}
            for metric in self.metrics:
                this = metrics_variables[len(new_metrics_vars):
                                         len(new_metrics_vars) + len(metric.variables)]
                if metric.name == "loss":
                    this = metric.stateless_update_state(this, loss)
                else:
                    this = metric.stateless_update_state(this, y, y_pred)
                logs[metric.name] = metric.stateless_result(this)
                new_metrics_vars += this
            return logs, (trainable_variables, non_trainable_variables, optimizer_variables,
                          new_metrics_vars)

        def test_step(self, state, data):
            x, y = data
            trainable_variables, non_trainable_variables, metrics_variables = state
            y_pred, non_trainable_variables = self.stateless_call(
                trainable_variables, non_trainable_variables, x, training=False)
            loss = self.compute_loss(x, y, y_pred)
            this = self.metrics[0].stateless_update_state(metrics_variables[:2], loss)
            logs = {"loss": self.metrics[0].stateless_result(this)}
            return logs, (trainable_variables, non_trainable_variables,
                          this + list(metrics_variables[2:]))

        def predict_step(self, state, data):
            trainable_variables, non_trainable_variables = state
            y_pred, non_trainable_variables = self.stateless_call(
                trainable_variables, non_trainable_variables, data, training=False)
            return y_pred * 2.0, non_trainable_variables

    x, y = _data()
    plain, guide = _graph(Model), _graph(JaxGuide)
    for m in (plain, guide):
        m.compile("adam", "mse", metrics=["mae"])
    h1 = plain.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0).history
    h2 = guide.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0).history
    np.testing.assert_allclose(h2["loss"], h1["loss"], rtol=1e-6)
    np.testing.assert_allclose(h2["mae"], h1["mae"], rtol=1e-6)
    for a, b in zip(plain.get_weights(), guide.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-7)
    assert guide.evaluate(x, y, verbose=0) == pytest.approx(plain.evaluate(x, y, verbose=0)[0],
                                                            rel=1e-6)
    np.testing.assert_allclose(guide.predict(x, verbose=0), 2 * plain.predict(x, verbose=0),
                               rtol=1e-6)


@pytest.mark.skipif(ENGINE != "torch", reason="loss.backward() is PyTorch's form")
def test_keras_torch_guide_step_matches_the_built_in_step():
    import torch

    class TorchGuide(Model):
        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
            trainable_weights = [v for v in self.trainable_weights]
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    x, y = _data()
    plain, guide = _graph(Model), _graph(TorchGuide)
    for m in (plain, guide):
        m.compile("adam", "mse", metrics=["mae"])
    h1 = plain.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0).history
    h2 = guide.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0).history
    np.testing.assert_allclose(h2["loss"], h1["loss"], rtol=1e-6)
    for a, b in zip(plain.get_weights(), guide.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-7)


@pytest.mark.skipif(ENGINE != "torch", reason="the stateless form is JAX's")
def test_the_stateless_form_on_torch_is_refused_with_a_pointer():
    class Stateless(Model):
        def train_step(self, state, data):
            return {}, state

    x, y = _data()
    model = _graph(Stateless, bn=False)
    model.compile("sgd", "mse")
    with pytest.raises(TypeError, match="stateless JAX form.*compute_gradients"):
        model.fit(x, y, verbose=0)


def test_compute_gradients_matches_the_analytic_gradient():
    set_random_seed(0)
    model = layerkit.Sequential([layers.Dense(1, input_shape=(3,))])
    x = np.array([[1.0, 2.0, 3.0]], "float32")
    grads_of = lambda: model.compute_gradients(lambda: ops.sum(model(x) ** 2))
    loss, (gk, gb) = grads_of()
    k, b = model.get_weights()
    pred = float((x @ k + b)[0, 0])
    np.testing.assert_allclose(float(loss), pred ** 2, rtol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(gk), 2 * pred * x.T, rtol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(gb), [2 * pred], rtol=1e-5)
    with pytest.raises(ValueError, match="scalar loss"):
        model.compute_gradients(lambda: model(x)[0])


def test_the_readme_example_runs_on_this_engine():
    """The README's custom step, run as written (with x_train/y_train supplied)."""
    import pathlib
    readme = (pathlib.Path(__file__).resolve().parents[3] / "README.md").read_text()
    block = readme.split("<!-- custom-step-example -->")[1].split("<!-- /custom-step-example -->")[0]
    code = block.split("```python")[1].split("```")[0]
    rng = np.random.default_rng(0)
    x_train = rng.random((96, 32)).astype("float32")
    y_train = x_train[:, :1] * 2.0
    namespace = {"x_train": x_train, "y_train": y_train}
    exec(compile(code, "README.md", "exec"), namespace)
    history = namespace["history"].history
    assert list(history) == ["loss", "mae"] and len(history["loss"]) == 3
    assert history["loss"][-1] < history["loss"][0]
    model = namespace["model"]
    assert type(model).__name__ == "CustomModel"
    assert model.predict(x_train[:4], verbose=0).shape == (4, 1)


def test_the_form_is_told_by_the_required_parameters():
    from layerkit.training.custom_step import _is_stateless

    class Forms(Model):
        def one(self, data, extra=None):
            pass

        def two(self, state, data):
            pass

        def three(self, a, b, c):
            pass

    forms = Forms()
    assert _is_stateless(forms.one, "train_step") is False
    assert _is_stateless(forms.two, "train_step") is True
    with pytest.raises(TypeError, match="must take `data`.*\\['a', 'b', 'c'\\]"):
        _is_stateless(forms.three, "train_step")
