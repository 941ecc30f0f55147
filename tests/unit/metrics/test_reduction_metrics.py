"""Mean, Sum and MeanMetricWrapper: against Keras and NumPy, with every sample-weight
shape, resets, and updates recorded by a StatelessScope (as the trainer runs them)."""
import numpy as np
import pytest

from layerkit import metrics, ops
from layerkit.engine.common.stateless_scope import StatelessScope

B = 6


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _values():
    rng = np.random.default_rng(5)
    return [rng.random((B, 4)).astype("float32") for _ in range(3)]


def _weights():
    rng = np.random.default_rng(6)
    return [None, rng.random(B).astype("float32"), rng.random((B, 1)).astype("float32"),
            rng.random((B, 4)).astype("float32"), 0.7]


@pytest.mark.parametrize("name", ["Mean", "Sum"])
def test_matches_keras_with_every_weight_shape(name, keras_oracle, compare):
    vals = _values()
    for w in _weights():
        ours = getattr(metrics, name)()
        theirs = getattr(keras_oracle.metrics, name)()
        feeds = [((v,), {} if w is None else {"sample_weight": w}) for v in vals]
        feeds[0] = ((vals[0],), {})
        compare(ours, theirs, feeds)


def test_mean_and_sum_match_numpy():
    vals, w = _values(), _weights()[1]
    m, s = metrics.Mean(), metrics.Sum()
    for v in vals:
        m.update_state(v, sample_weight=w)
        s.update_state(v, sample_weight=w)
    stacked = np.stack(vals)                          # (3, B, 4)
    per_sample = stacked.mean(-1)                     # (3, B)
    np.testing.assert_allclose(_np(m.result()), (per_sample * w).sum() / (3 * w.sum()),
                               rtol=1e-6)
    np.testing.assert_allclose(_np(s.result()), (stacked * w[None, :, None]).sum(), rtol=1e-5)
    m.reset_state()
    s.reset_state()
    assert _np(m.result()) == 0.0 and _np(s.result()) == 0.0
    m.update_state([1.0, 3.0, 5.0, 7.0])
    assert _np(m.result()) == pytest.approx(4.0)
    assert _np(m(np.array([2.0]))) == pytest.approx(18.0 / 5)


def test_mean_metric_wrapper_matches_keras(keras_oracle, compare, feeds):
    ours = metrics.MeanMetricWrapper(metrics.mean_squared_error, name="mse_w")
    theirs = keras_oracle.metrics.MeanMetricWrapper(keras_oracle.metrics.mean_squared_error)
    compare(ours, theirs, feeds("reg_true", "reg_pred"))
    assert ours.name == "mse_w"
    again = metrics.MeanMetricWrapper.from_config(ours.get_config())
    assert again.fn is metrics.mean_squared_error and again.name == "mse_w"


def test_variables_are_non_trainable_and_listed():
    m = metrics.Mean(name="avg")
    assert len(m.variables) == 2
    assert all(not v.trainable for v in m.variables)
    assert [v.path for v in m.variables] == ["avg/total", "avg/count"]


def test_updates_inside_a_stateless_scope_are_recorded_not_applied():
    m = metrics.Mean()
    m.update_state(np.array([1.0, 2.0]))
    start = [(v, v.value) for v in m.variables]
    with StatelessScope(state_mapping=start) as scope:
        m.update_state(np.array([3.0, 6.0]))
        inside = _np(m.result())
        new_values = [scope.get_current_value(v) for v in m.variables]
    assert inside == pytest.approx(3.0)
    assert _np(m.result()) == pytest.approx(1.5)           # untouched outside
    np.testing.assert_allclose([_np(v) for v in new_values], [12.0, 4.0])


def test_custom_metric_keras2_style():
    class Count(metrics.Metric):
        def __init__(self, name="count_positive", **kwargs):
            super().__init__(name=name, **kwargs)
            self.n = self.add_weight(name="n", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.n.assign(self.n.value + ops.sum(ops.cast(ops.convert_to_tensor(y_pred) > 0,
                                                          "float32")))

        def result(self):
            return self.n.value

    c = Count()
    c.update_state(None, np.array([1.0, -1.0, 2.0]))
    assert _np(c.result()) == 2.0
    c.reset_states()
    assert _np(c.result()) == 0.0
    assert c.get_config() == {"name": "count_positive", "dtype": "float32"}
