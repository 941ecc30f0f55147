"""The README's callbacks example, run as written in a fresh folder."""
import os
import pathlib

import numpy as np

import layerkit
from layerkit import layers


def test_the_readme_callbacks_example_runs(tmp_path, monkeypatch):
    readme = (pathlib.Path(__file__).resolve().parents[3] / "README.md").read_text()
    block = readme.split("<!-- callbacks-example -->")[1].split("<!-- /callbacks-example -->")[0]
    code = "\n".join(line[2:] for line in block.split("```python")[1].split("```")[0]
                     .splitlines())
    monkeypatch.chdir(tmp_path)
    os.makedirs("models")
    rng = np.random.default_rng(0)
    x_train = rng.normal(size=(60, 6)).astype("float32")
    y_train = np.eye(3, dtype="float32")[rng.integers(0, 3, 60)]
    model = layerkit.Sequential([layers.Dense(8, activation="relu", input_shape=(6,)),
                                 layers.Dense(3, activation="softmax")])
    namespace = {"model": model, "x_train": x_train, "y_train": y_train}
    exec(compile(code, "README.md", "exec"), namespace)
    history = namespace["history"].history
    assert len(history["loss"]) == 5 and "val_accuracy" in history
    log = pathlib.Path("training.log").read_text().splitlines()
    assert log[0].split(",")[:2] == ["epoch", "accuracy"] and len(log) == 6
    # The checkpoint names format the Keras 2 key `val_acc` from `val_accuracy`.
    names = sorted(p.name for p in pathlib.Path("models").iterdir())
    assert names and all(n.startswith("weights.0") and n.endswith(".hdf5") for n in names)
    best_epoch = int(np.argmin(history["val_loss"])) + 1
    assert f"weights.{best_epoch:02d}-{history['val_accuracy'][best_epoch - 1]:.2f}.hdf5" \
        in names
    assert list(pathlib.Path("logs/train").glob("events.out.tfevents.*"))
