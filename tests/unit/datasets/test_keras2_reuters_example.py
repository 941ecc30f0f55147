"""examples/keras2_reuters_mlp.py, a classic Keras 2 text program (reuters + Tokenizer
+ nb_epoch), runs unchanged under `layerkit run` (a fresh interpreter), on a small Reuters
stand-in in Keras's cache layout."""
import pathlib

import numpy as np

EXAMPLE = pathlib.Path(__file__).resolve().parents[3] / "examples" / "keras2_reuters_mlp.py"


def test_keras2_reuters_mlp_runs_unchanged(cache, files, tmp_path):
    rng = np.random.default_rng(3)
    cache.put("reuters.npz", files.npz_bytes(x=files.ragged(rng, 100, 1500, (5, 30)),
                                             y=rng.integers(0, 5, 100)))
    run = cache.layerkit_run(EXAMPLE, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    assert "80 train sequences" in out and "20 test sequences" in out
    assert "x_train shape: (80, 1000)" in out and "y_train shape: (80, 5)" in out
    assert "Epoch 3/3" in out and "val_accuracy" in out
    assert "nb_epoch" in run.stderr          # Keras 2's warning for the old keyword
    accuracy = float(out.split("Test accuracy:")[1].split()[0])
    assert 0.0 <= accuracy <= 1.0
