"""The seed's two ImageDataGenerator programs, run unchanged with `keras`
aliased to layerkit, and the import cost of layerkit.preprocessing — all in
one subprocess (time.sleep stubbed out) to keep the suite fast."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
RUNNER = """
import runpy, sys, time
import layerkit
before = set(sys.modules)
import layerkit.preprocessing.image, layerkit.preprocessing.sequence
import layerkit.preprocessing.timeseries
new = set(sys.modules) - before
loaded = sorted(m for m in new if m.split('.')[0] in ('scipy', 'PIL', 'pandas'))
print('EAGER-IMPORTS', loaded)
from layerkit.compat import alias_keras
alias_keras()
time.sleep = lambda seconds: None
for program in sys.argv[1:]:
    print('=== RUN', program.rsplit('/', 1)[-1], flush=True)
    runpy.run_path(program, run_name='__main__')
"""


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("examples")
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
               TMPDIR=str(cwd), PYTHONWARNINGS="ignore")
    programs = [os.path.join(ROOT, "examples", name)
                for name in ("seed_flow.py", "seed_flow_from_directory.py")]
    done = subprocess.run([sys.executable, "-c", RUNNER, *programs], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    head, flow, directory = re.split(r"^=== RUN .*$", done.stdout, flags=re.M)
    return {"head": head, "seed_flow": flow, "seed_flow_from_directory": directory, "cwd": cwd}


def test_importing_does_not_load_scipy_pillow_or_pandas(outputs):
    assert "EAGER-IMPORTS []" in outputs["head"]


def test_seed_flow_program(outputs):
    lines = re.findall(r"^\((\d), 100, 100, 3\) \[([\d ]+)\]$", outputs["seed_flow"], re.M)
    assert [int(n) for n, _ in lines] == [3, 3, 1, 3, 3, 1, 3, 3, 1, 3]
    labels = [list(map(int, ys.split())) for _, ys in lines]
    for p in range(3):
        assert sorted(sum(labels[3 * p:3 * p + 3], [])) == list(range(7))
    assert len(os.listdir(outputs["cwd"] / "output")) > 0


def test_seed_flow_from_directory_program(outputs):
    out = outputs["seed_flow_from_directory"]
    assert "Found 9 images belonging to 2 classes." in out
    saved = re.findall(r"^gen_(\d)_\d+\.png$", out, re.M)
    assert sorted(int(i) for i in saved) == list(range(9))
