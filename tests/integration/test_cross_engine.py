"""Same weights and input give the same outputs on JAX and PyTorch (1e-5), and the
same seed gives the same initial weights: the other engine runs in a subprocess."""
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import cross_engine_cases  # noqa: E402


@pytest.fixture(scope="module")
def other_engine_results(tmp_path_factory):
    from layerkit import engine
    other = "torch" if engine.backend() == "jax" else "jax"
    path = tmp_path_factory.mktemp("cross") / "other.npz"
    env = dict(os.environ, LAYERKIT_BACKEND=other)
    out = subprocess.run([sys.executable, str(HERE / "cross_engine_cases.py"), str(path)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return dict(np.load(path))


@pytest.mark.parametrize("name", sorted(cross_engine_cases.cases()))
def test_layer_output_matches_the_other_engine(name, other_engine_results):
    factory, shapes = cross_engine_cases.cases()[name]
    here = cross_engine_cases.compute(name, factory, shapes)
    np.testing.assert_allclose(here, other_engine_results[name], rtol=1e-5, atol=1e-5)


def test_same_seed_gives_the_same_initial_weights(other_engine_results):
    here = cross_engine_cases.initial_weights()
    for i, w in enumerate(here):
        np.testing.assert_array_equal(w, other_engine_results[f"init_{i}"])
