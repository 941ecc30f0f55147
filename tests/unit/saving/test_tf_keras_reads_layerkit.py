"""tf_keras (Keras 2) reads layerkit's .h5 files and predicts the same. TensorFlow never
goes into the project's environment: set LAYERKIT_TF_KERAS_PYTHON to a Python that has
tensorflow and tf_keras (a separate venv); without it the test is skipped."""
import os
import subprocess

import numpy as np
import pytest

import layerkit

from models_for_saving import compiled_conv_model, conv_data

TF_PYTHON = os.environ.get("LAYERKIT_TF_KERAS_PYTHON")
HERE = os.path.dirname(os.path.abspath(__file__))


needs_tf_keras = pytest.mark.skipif(
    not TF_PYTHON, reason="LAYERKIT_TF_KERAS_PYTHON (a Python with tf_keras) is not set")


def _tf_keras_predict(path, x, tmp_path):
    np.save(tmp_path / "x.npy", x)
    script = ("import sys, numpy as np, tf_keras as keras; "
              f"m = keras.models.load_model({str(path)!r}, compile=False); "
              f"np.save({str(tmp_path / 'pred.npy')!r}, "
              f"m.predict(np.load({str(tmp_path / 'x.npy')!r}), verbose=0))")
    done = subprocess.run([TF_PYTHON, "-c", script], capture_output=True, text=True,
                          timeout=600, env=dict(os.environ, TF_USE_LEGACY_KERAS="1"))
    assert done.returncode == 0, done.stderr[-3000:]
    return np.load(tmp_path / "pred.npy")


@needs_tf_keras
def test_a_keras2_hard_sigmoid_model_saved_by_layerkit_loads_in_tf_keras(tmp_path):
    """Keras 2's hard_sigmoid, read from a tf_keras file, is written back as Keras 2's."""
    fixtures = os.path.join(HERE, "..", "..", "fixtures", "tf_keras")
    data = np.load(os.path.join(fixtures, "hard_sigmoid.npz"))
    model = layerkit.models.load_model(os.path.join(fixtures, "hard_sigmoid.h5"),
                                       compile=False)
    model.save(tmp_path / "again.h5")
    np.testing.assert_allclose(_tf_keras_predict(tmp_path / "again.h5", data["x"], tmp_path),
                               data["predict"], rtol=1e-5, atol=1e-5)


@needs_tf_keras
def test_tf_keras_loads_a_layerkit_h5_file(tmp_path):
    model = compiled_conv_model(layerkit)
    x, y = conv_data()
    model.fit(x, y, batch_size=8, verbose=0)
    model.save(tmp_path / "m.h5")
    # _tf_keras_predict loads with compile=False: tf_keras rebuilds Keras 3-style optimizer
    # configs with its legacy optimizer classes, which reject Keras 3's keywords.
    np.testing.assert_allclose(_tf_keras_predict(tmp_path / "m.h5", x, tmp_path),
                               model.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-5)
