"""`layerkit summary FILE` prints the summary of saved models."""
import os
import subprocess
import sys

import layerkit
from layerkit import cli, layers

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "keras3")


def test_summary_of_layerkit_and_keras_files(tmp_path, capsys):
    model = layerkit.Sequential([layerkit.Input((3,)), layers.Dense(4, name="hidden"),
                                 layers.Dense(2, name="out")], name="tiny")
    model.save(tmp_path / "tiny.h5")
    assert cli.main(["summary", str(tmp_path / "tiny.h5"),
                     os.path.join(FIXTURES, "conv_net.keras")]) == 0
    out = capsys.readouterr().out
    assert 'Model: "tiny"' in out and "hidden (Dense)" in out and "Total params: 26" in out
    assert 'Model: "conv_net"' in out and "sep (SeparableConv2D)" in out


def test_summary_of_a_damaged_file_is_an_error_message(tmp_path, capsys):
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"PK\x03\x04 truncated")
    assert cli.main(["summary", str(bad)]) == 1
    assert "bad.keras" in capsys.readouterr().err


def test_command_line_entry_point():
    done = subprocess.run([sys.executable, "-m", "layerkit.cli", "summary",
                           os.path.join(FIXTURES, "dense_bn.h5")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, PYTHONPATH=ROOT))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "bn (BatchNormalization)" in done.stdout
