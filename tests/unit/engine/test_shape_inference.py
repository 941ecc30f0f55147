"""Shape inference (engine/common/shape_inference.py): abstract evaluation on both engines
(jax.eval_shape, torch meta tensors), unknown dimensions found by trying two sizes."""
import resource

import numpy as np
import pytest

from layerkit import engine, layers, ops
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.layers import Dense, Input
from layerkit.models import Model


class _Probe(layers.Layer):
    """Records what its call receives during shape inference."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, x):
        self.seen.append(x)
        return x


def _no_data(x, engine_name):
    """Whether `x` is a stand-in without data: a meta tensor (torch), a tracer (JAX)."""
    if engine_name == "torch":
        return str(x.device) == "meta"
    return "Tracer" in type(x).__name__


def test_a_big_dense_stack_shape_infers_without_allocating_activations(engine_name):
    # Each activation here would be 83 x 512 x 2048 floats (350 MB) if it were real.
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    probe = _Probe()
    inp = Input((512, 1024))
    h = Dense(2048, activation="relu")(inp)
    h = Dense(2048, activation="relu")(h)
    h = probe(h)
    out = Dense(10)(h)
    model = Model(inp, out)
    assert out.shape == (None, 512, 10)
    assert [x.shape[1:] for x in probe.seen] == [(512, 2048)] * len(probe.seen)
    assert probe.seen and all(_no_data(x, engine_name) for x in probe.seen)
    # The whole model's abstract evaluation (what fit's checks use) stays data-free too.
    probe.seen.clear()
    spec = engine.compute_output_spec(lambda t: model(t), SymbolicTensor((None, 512, 1024)))
    assert spec.shape == (None, 512, 10)
    assert probe.seen and all(_no_data(x, engine_name) for x in probe.seen)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 250     # weights are 25 MB; one real activation would be 350 MB


def test_shapes_match_real_keras(keras_oracle):
    k = keras_oracle

    def build(lib, Lambda):
        inp = lib.Input((None, 12))
        h = lib.layers.Dense(7)(inp)
        h = Lambda(h)
        flat = lib.layers.Flatten()(lib.Input((3, 4)))
        return [h.shape, flat.shape]

    ours = build(__import__("layerkit"),
                 lambda t: layers.Lambda(lambda v: ops.transpose(v, (0, 2, 1)))(t))
    theirs = build(k, lambda t: k.layers.Lambda(lambda v: k.ops.transpose(v, (0, 2, 1)))(t))
    assert [tuple(s) for s in ours] == [tuple(s) for s in theirs]
    assert tuple(ours[0]) == (None, 7, None)


def test_unknown_dimensions_are_found_by_two_sizes():
    spec = engine.compute_output_spec(lambda t: ops.reshape(t, (-1, 4)),
                                      SymbolicTensor((None, 8)))
    assert spec.shape == (None, 4)
    fixed = engine.compute_output_spec(lambda t: ops.sum(t, axis=0), SymbolicTensor((None, 8)))
    assert fixed.shape == (8,)
    both = engine.compute_output_spec(
        lambda a, b: {"sum": a + b, "first": ops.concatenate([a, b], axis=1)},
        SymbolicTensor((None, 3)), b=SymbolicTensor((None, 3), "float32"))
    assert both["sum"].shape == (None, 3) and both["first"].shape == (None, 6)
    assert both["sum"].dtype == "float32"


def test_python_arguments_stay_python():
    def fn(x, training=False, scale=2):
        assert isinstance(training, bool) and isinstance(scale, int)
        return x * scale if training else x
    spec = engine.compute_output_spec(fn, SymbolicTensor((None, 2), "float32"), training=True)
    assert spec.shape == (None, 2)


def test_variables_are_untouched_by_shape_inference():
    v = engine.Variable(np.zeros(3, "float32"))

    def fn(x):
        v.assign(v.value + 1.0)
        return x + v.value
    engine.compute_output_spec(fn, SymbolicTensor((None, 3)))
    np.testing.assert_array_equal(v.numpy(), np.zeros(3))


def test_torch_falls_back_to_real_tensors_where_meta_cannot_run(engine_name):
    if engine_name != "torch":
        pytest.skip("meta tensors are the PyTorch engine's; JAX's eval_shape has no fallback")
    from layerkit.engine import core

    def data_dependent(x):
        # bool() of a tensor needs data: meta cannot answer, real zeros can.
        return x * 2 if bool(ops.all(x == 0)) else x[:, :1]

    with pytest.warns(UserWarning, match="data_dependent ran on real zero tensors"):
        spec = engine.compute_output_spec(data_dependent, SymbolicTensor((None, 5)))
    assert spec.shape == (None, 5)
    assert "data_dependent" in " ".join(core.META_FALLBACKS)
