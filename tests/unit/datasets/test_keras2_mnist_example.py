"""examples/keras2_mnist_cnn.py, a classic Keras 2 program, runs unchanged under
`layerkit run` (a fresh interpreter), reading a small MNIST stand-in from Keras's cache layout (no
download: the stand-in's hash is the one the loader accepts for this test)."""
import pathlib

import numpy as np

EXAMPLE = pathlib.Path(__file__).resolve().parents[3] / "examples" / "keras2_mnist_cnn.py"


def test_keras2_mnist_cnn_runs_unchanged(cache, files, tmp_path):
    rng = np.random.default_rng(0)
    # Digits a convnet can tell apart: a bright block whose place is the label.
    def digits(n):
        y = rng.integers(0, 10, n).astype("uint8")
        x = rng.integers(0, 40, (n, 28, 28)).astype("uint8")
        for i, label in enumerate(y):
            r, c = divmod(int(label), 5)
            x[i, 4 + 10 * r:12 + 10 * r, 2 + 5 * c:6 + 5 * c] = 250
        return x, y
    x_train, y_train = digits(256)
    x_test, y_test = digits(64)
    cache.put("mnist.npz", files.npz_bytes(x_train=x_train, y_train=y_train, x_test=x_test,
                                           y_test=y_test))
    run = cache.layerkit_run(EXAMPLE, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    assert "x_train shape: (256, 28, 28, 1)" in out and "64 test samples" in out
    assert "Epoch 2/2" in out and "val_accuracy" in out
    loss = float(out.split("Test loss:")[1].split()[0])
    accuracy = float(out.split("Test accuracy:")[1].split()[0])
    assert np.isfinite(loss) and 0.0 <= accuracy <= 1.0
    assert "Predicted classes: [" in out
