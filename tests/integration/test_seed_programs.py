"""The seed's programs run unchanged under `layerkit run` (keras mapped onto layerkit)."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def run_program(name, tmp_path, timeout=300):
    env = dict(os.environ)
    return subprocess.run([sys.executable, "-m", "layerkit.cli", "run", str(EXAMPLES / name)],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=timeout)


@pytest.mark.parametrize("program", ["seed_mlp_softmax.py", "seed_mlp_binary.py"])
def test_seed_mlps_train_and_evaluate(program, tmp_path):
    out = run_program(program, tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Epoch 20/20" in out.stdout
    final = [l for l in out.stdout.splitlines() if l.startswith("8/8 [")]
    assert len(final) == 20
    assert re.search(r"- loss: \d+\.\d{4} - accuracy: \d\.\d{4}", final[-1])
    assert re.search(r"^1/1 \[=+\] - .*loss: .*accuracy", out.stdout, re.M)


def test_seed_functional_example(tmp_path):
    out = run_program("seed_functional.py", tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Connected to" in out.stdout
    assert "[(5, 8), (5, 4), (5, 4)]" in out.stdout
    assert "Total params: 1,056" in out.stdout


def test_seed_regression_with_mse_mae_and_backend_metric(tmp_path):
    out = run_program("seed_regression.py", tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "- loss:" in out.stdout and "- mae:" in out.stdout and "- mean_pred:" in out.stdout
    mse = float(re.search(r"test mse (\d+\.\d+)", out.stdout).group(1))
    assert mse < 0.1


def test_seed_vgg_cnn_builds_with_keras_param_counts_and_trains(tmp_path):
    out = run_program("seed_vgg_cnn.py", tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    # The per-layer counts and names Keras prints for the seed's model.
    for row in [r"conv2d \(Conv2D\) +\(None, 98, 98, 32\) +896",
                r"conv2d_1 \(Conv2D\) +\(None, 96, 96, 32\) +9248",
                r"max_pooling2d \(MaxPooling2D\) +\(None, 48, 48, 32\) +0",
                r"conv2d_3 \(Conv2D\) +\(None, 44, 44, 64\) +36928",
                r"flatten \(Flatten\) +\(None, 30976\) +0",
                r"dense \(Dense\) +\(None, 256\) +7930112"]:
        assert re.search(row, out.stdout), row
    assert "Total params: 7,998,250" in out.stdout
    assert "Epoch 2/2" in out.stdout
    losses = [float(v) for v in re.findall(r"- loss: (\d+\.\d+)", out.stdout)]
    assert len(losses) == 3 and all(0 < v < 10 for v in losses)


def test_seed_conv1d_classifier_builds_with_keras_param_counts_and_trains(tmp_path):
    out = run_program("seed_conv1d_classifier.py", tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    # The per-layer rows Keras prints for the seed's model (seq_length 64).
    for row in [r"conv1d \(Conv1D\) +\(None, 62, 64\) +19264",
                r"conv1d_1 \(Conv1D\) +\(None, 60, 64\) +12352",
                r"max_pooling1d \(MaxPooling1D\) +\(None, 20, 64\) +0",
                r"conv1d_2 \(Conv1D\) +\(None, 18, 128\) +24704",
                r"conv1d_3 \(Conv1D\) +\(None, 16, 128\) +49280",
                r"global_average_pooling1d \(Gl[A-Za-z0-9]*\)? +\(None, 128\) +0",
                r"dropout \(Dropout\) +\(None, 128\) +0",
                r"dense \(Dense\) +\(None, 1\) +129"]:
        assert re.search(row, out.stdout), row
    assert "Total params: 105,729" in out.stdout
    assert "Epoch 2/2" in out.stdout
    final = [l for l in out.stdout.splitlines() if l.startswith("4/4 [")]
    assert len(final) == 2
    assert re.search(r"- loss: \d+\.\d{4} - accuracy: \d\.\d{4}", final[-1])
    score = re.search(r"test loss and accuracy \[(\d+\.\d+), (\d\.\d+)\]", out.stdout)
    assert score and 0 < float(score.group(1)) < 5 and 0 <= float(score.group(2)) <= 1


def test_seed_lstm_classifier_builds_with_keras_param_counts_and_trains(tmp_path):
    out = run_program("seed_lstm_classifier.py", tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    # The rows and totals Keras prints for the seed's model (built by fit on 80 ids).
    for row in [r"embedding \(Embedding\) +\(None, 80, 256\) +5120000",
                r"lstm \(LSTM\) +\(None, 128\) +197120",
                r"dropout \(Dropout\) +\(None, 128\) +0",
                r"dense \(Dense\) +\(None, 1\) +129"]:
        assert re.search(row, out.stdout), row
    assert "Total params: 5,317,249" in out.stdout
    assert "Epoch 2/2" in out.stdout
    losses = [float(v) for v in re.findall(r"- loss: (\d+\.\d+)", out.stdout)]
    assert len(losses) == 3 and all(0 < v < 2 for v in losses)


def test_layerkit_run_reports_a_missing_file(tmp_path):
    out = run_program("no_such_program.py", tmp_path)
    assert out.returncode == 2 and "no such file" in out.stderr


def test_keras_alias_maps_legacy_paths():
    from layerkit.compat import alias_keras
    import layerkit
    saved = {k: v for k, v in sys.modules.items() if k == "keras" or k.startswith("keras.")}
    try:
        alias_keras()
        import keras
        from keras.utils.np_utils import to_categorical
        import keras.backend as K
        from keras.layers import Dense
        from keras.optimizers import SGD
        from keras.layers import Conv2D, MaxPooling2D, GlobalAveragePooling1D
        from keras.layers.convolutional import Conv1D, Convolution2D, SeparableConv2D
        from keras.layers.pooling import MaxPooling1D, GlobalAvgPool2D
        assert Conv2D is Convolution2D is layerkit.layers.Conv2D
        assert MaxPooling2D is layerkit.layers.MaxPooling2D
        assert GlobalAveragePooling1D is layerkit.layers.GlobalAveragePooling1D
        assert Conv1D is layerkit.layers.Conv1D
        assert SeparableConv2D is layerkit.layers.SeparableConv2D
        assert MaxPooling1D is layerkit.layers.MaxPooling1D
        assert GlobalAvgPool2D is layerkit.layers.GlobalAveragePooling2D
        assert keras is layerkit
        assert to_categorical is layerkit.utils.to_categorical
        assert K is layerkit.backend
        assert Dense is layerkit.layers.Dense
        assert SGD is layerkit.optimizers.SGD
    finally:
        for k in [k for k in sys.modules if k == "keras" or k.startswith("keras.")]:
            del sys.modules[k]
        sys.modules.update(saved)
        from layerkit.compat import keras_alias
        if keras_alias._FINDER in sys.meta_path:
            sys.meta_path.remove(keras_alias._FINDER)


def test_seed_mini_xception_has_the_seeds_param_counts_and_trains(tmp_path):
    out = run_program("seed_mini_xception.py", tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    # The seed's summary: totals, and rows (type, output shape, params) in its order.
    assert "Total params: 52,658" in out.stdout
    assert "Trainable params: 51,186" in out.stdout
    assert "Non-trainable params: 1,472" in out.stdout
    # name (type, cut to the column) (None, rows, cols, channels) params
    rows = re.findall(r"^([a-z_0-9]+) \([A-Za-z0-9]+\)? +\(None, (\d+), \d+, (\d+)\) +(\d+)",
                      out.stdout, re.M)
    weighted = [r[1:] for r in rows if r[3] != "0"]
    assert weighted[:4] == [("62", "8", "72"), ("62", "8", "32"), ("60", "8", "576"),
                            ("60", "8", "32")]
    params = [int(r[3]) for r in rows if r[0].startswith("separable_conv2d")]
    assert params == [200, 400, 656, 1312, 2336, 4672, 8768, 17536]
    assert re.search(r"- loss: \d+\.\d+ - accuracy: \d\.\d+", out.stdout)
    assert "predictions (2, 2)" in out.stdout


def test_seed_emotion_training_script_logs_checkpoints_reduces_and_stops(tmp_path):
    """The seed's emotion-classifier training script, unchanged, on 40 random faces: its
    CSVLogger writes the log, ModelCheckpoint writes the seed's file names, the learning
    rate is reduced on the plateau and EarlyStopping ends the 10000 epochs early."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    models_dir = tmp_path / "trained_models" / "emotion_models"   # the seed's base_path
    models_dir.mkdir(parents=True)
    out = run_program("emotion/train_emotion_classifier.py", run_dir, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Total params: 58,423" in out.stdout
    epochs = [int(m) for m in re.findall(r"^Epoch (\d+)/10000$", out.stdout, re.M)]
    assert epochs and 51 <= epochs[-1] < 10000                   # patience 50, then stop
    assert "ReduceLROnPlateau reducing learning rate to 0.0001" in out.stdout
    log = (models_dir / "fer2013_emotion_training.log").read_text().splitlines()
    assert log[0] == "epoch,accuracy,loss,val_accuracy,val_loss"
    assert len(log) == 1 + epochs[-1]
    names = sorted(p.name for p in models_dir.glob("*.hdf5"))
    assert names and all(re.fullmatch(r"fer2013_mini_XCEPTION\.\d{2}-\d\.\d{2}\.hdf5", n)
                         for n in names)
    import h5py
    with h5py.File(models_dir / names[-1], "r") as f:      # a whole Keras 2 model file
        assert "model_config" in f.attrs and "model_weights" in f
