"""A file saved on one engine loads on the other: same predictions, same optimizer
state, and training goes on. The other engine runs in a subprocess."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import layerkit
from layerkit import engine

from models_for_saving import compiled_conv_model, conv_data

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def _other_engine():
    return "torch" if engine.backend() == "jax" else "jax"


def _run(engine_name, script):
    env = dict(os.environ, LAYERKIT_BACKEND=engine_name,
               PYTHONPATH=os.pathsep.join([ROOT, HERE]))
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", ["m.keras", "m.h5"])
def test_file_from_this_engine_loads_and_trains_on_the_other(tmp_path, name):
    model = compiled_conv_model(layerkit)
    x, y = conv_data()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    path = tmp_path / name
    model.save(path)
    expected = model.predict(x, verbose=0)
    slots = [np.asarray(v.numpy()).tolist() for v in model.optimizer.variables[2:4]]
    out = _run(_other_engine(), f"""
        import json
        import layerkit
        from models_for_saving import conv_data
        model = layerkit.models.load_model({str(path)!r})
        x, y = conv_data()
        pred = model.predict(x, verbose=0).tolist()
        slots = [v.numpy().tolist() for v in model.optimizer.variables[2:4]]
        iterations = int(model.optimizer.iterations.numpy())
        loss = model.fit(x, y, batch_size=8, epochs=1, verbose=0).history["loss"][0]
        model.save({str(tmp_path / ("back_" + name))!r})
        print(json.dumps({{"pred": pred, "slots": slots, "iterations": iterations,
                          "loss": loss}}))
    """)
    np.testing.assert_allclose(out["pred"], expected, rtol=1e-4, atol=1e-5)
    for a, b in zip(out["slots"], slots):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert out["iterations"] == 3 and np.isfinite(out["loss"])
    # And back on this engine: the other engine's three more steps are there.
    back = layerkit.models.load_model(tmp_path / ("back_" + name))
    assert int(back.optimizer.iterations.numpy()) == 6
    back.fit(x, y, batch_size=8, epochs=1, verbose=0)
