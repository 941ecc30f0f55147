"""examples/keras2_lstm_seq2seq.py (the classic Keras 2 seq2seq with
LSTM(return_state=True) and separate inference models) runs unchanged under
`layerkit run` on a small fra.txt, on both engines."""
import pathlib
import subprocess
import sys

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "keras2_lstm_seq2seq.py"

PAIRS = [("Go.", "Va !"), ("Hi.", "Salut !"), ("Run!", "Cours !"), ("Wow!", "Ça alors !"),
         ("Fire!", "Au feu !"), ("Help!", "À l'aide !"), ("Stop!", "Arrête-toi !"),
         ("Wait!", "Attends !"), ("I see.", "Je comprends."), ("Hello!", "Bonjour !")] * 4


def test_keras2_lstm_seq2seq_runs_unchanged(tmp_path):
    (tmp_path / "fra.txt").write_text("\n".join(f"{a}\t{b}\tCC-BY" for a, b in PAIRS) + "\n",
                                      encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "layerkit.cli", "run", str(EXAMPLE)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Number of samples: 40" in out.stdout
    assert "Epoch 5/5" in out.stdout and "val_loss" in out.stdout
    decoded = [l for l in out.stdout.splitlines() if l.startswith("Decoded sentence:")]
    assert len(decoded) == 3
