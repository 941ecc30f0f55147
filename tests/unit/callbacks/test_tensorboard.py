"""TensorBoard: event files read back with TensorBoard's own reader (a test-only
dependency); no TensorFlow anywhere."""
import io
import json
import os

import numpy as np
import pytest

import layerkit
from layerkit import callbacks, layers
from layerkit.callbacks import tensorboard_proto

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing import plugin_event_accumulator  # noqa: E402
from tensorboard.compat.proto import event_pb2  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402


def _read(run_dir):
    acc = plugin_event_accumulator.EventAccumulator(str(run_dir), size_guidance={"tensors": 0})
    acc.Reload()
    out = {}
    for tag in acc.Tags()["tensors"]:
        out[tag] = [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]
    return acc, out


def _data(n=48):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x[:, :1] + x[:, 1:2] > 0).astype("float32")


def _model():
    model = layerkit.Sequential([layers.Dense(5, activation="relu", input_shape=(4,)),
                                 layers.Dense(1, activation="sigmoid")])
    model.compile(layerkit.optimizers.SGD(0.05), "binary_crossentropy", metrics=["accuracy"])
    return model


def test_epoch_scalars_read_back_in_keras_layout(tmp_path):
    x, y = _data()
    model = _model()
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0, validation_split=0.25,
                        callbacks=[callbacks.TensorBoard(tmp_path)])
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    _, train = _read(tmp_path / "train")
    _, val = _read(tmp_path / "validation")
    for name in ("loss", "accuracy"):
        assert [s for s, _ in train[f"epoch_{name}"]] == [0, 1, 2]
        np.testing.assert_allclose([float(v) for _, v in train[f"epoch_{name}"]],
                                   history.history[name], rtol=1e-6)
        np.testing.assert_allclose([float(v) for _, v in val[f"epoch_{name}"]],
                                   history.history[f"val_{name}"], rtol=1e-6)
    np.testing.assert_allclose([float(v) for _, v in train["epoch_learning_rate"]], [0.05] * 3,
                               rtol=1e-6)
    # Validation inside fit also logs against the optimizer's iterations (3 steps/epoch).
    assert [s for s, _ in val["evaluation_loss_vs_iterations"]] == [3, 6, 9]
    assert not any(tag.startswith(("batch_", "epoch_val")) for tag in train)


def test_each_record_is_a_valid_tensorflow_event(tmp_path):
    x, y = _data()
    _model().fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.TensorBoard(tmp_path)])
    (name,) = os.listdir(tmp_path / "train")
    assert name.startswith("events.out.tfevents.") and name.endswith(".v2")
    from layerkit.data.tfrecord import read_records          # checks every CRC
    events = [event_pb2.Event.FromString(r) for r in read_records(tmp_path / "train" / name)]
    assert events[0].file_version == "brain.Event:2"
    scalar = [v for e in events for v in e.summary.value if v.tag == "epoch_loss"][0]
    assert scalar.metadata.plugin_data.plugin_name == "scalars"
    assert scalar.tensor.dtype == 1 and len(scalar.tensor.tensor_shape.dim) == 0


def test_graph_is_the_keras_conceptual_graph(tmp_path):
    from tensorboard.plugins.graph import keras_util
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.TensorBoard(tmp_path)])
    acc, train = _read(tmp_path / "train")
    assert acc.SummaryMetadata("keras").plugin_data.plugin_name == "graph_keras_model"
    text = train["keras"][0][1].reshape(-1)[0]
    graph = keras_util.keras_model_to_graph_def(json.loads(text))
    assert [n.name.split("/")[-1] for n in graph.node] == [l.name for l in model.layers]
    _model().fit(x, y, epochs=1, verbose=0,
                 callbacks=[callbacks.TensorBoard(tmp_path / "nograph", write_graph=False)])
    assert "keras" not in _read(tmp_path / "nograph" / "train")[1]


def test_histograms_and_images_every_histogram_freq_epochs(tmp_path):
    from PIL import Image
    x, y = _data()
    model = _model()
    weights = {}

    class Keep(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            weights[epoch] = {w.path: np.array(w.numpy()) for w in self.model.weights}

    model.fit(x, y, epochs=4, verbose=0, callbacks=[
        Keep(), callbacks.TensorBoard(tmp_path, histogram_freq=2, write_images=True)])
    acc, train = _read(tmp_path / "train")
    kernel = model.layers[0].kernel.path
    series = train[f"{kernel}/histogram"]
    assert [s for s, _ in series] == [0, 2]
    assert acc.SummaryMetadata(f"{kernel}/histogram").plugin_data.plugin_name == "histograms"
    for step, buckets in series:
        assert buckets.shape == (30, 3) and buckets[:, 2].sum() == 20
        np.testing.assert_allclose(buckets[0, 0], weights[step][kernel].min(), rtol=1e-6)
    # A (4, 5) Dense kernel is shown as one 4x5 grey image, as Keras 3 shows it.
    width, height, png = train[f"{kernel}/image"][0][1][:3]
    image = Image.open(io.BytesIO(png))
    assert (int(width), int(height), image.size, image.mode) == (5, 4, (5, 4), "L")
    want = np.clip(weights[0][kernel] * 255.5, 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(np.array(image), want)


@pytest.mark.parametrize("values", [np.random.default_rng(1).normal(size=(7, 9)),
                                    np.full(5, 2.5), np.zeros(0), np.arange(31.0)])
def test_histogram_buckets_match_tensorboards_numpy_histogram(values):
    from tensorboard.plugins.histogram import summary_v2
    theirs = tensor_util.make_ndarray(summary_v2.histogram_pb("t", values).value[0].tensor)
    np.testing.assert_array_equal(tensorboard_proto.histogram_buckets(values), theirs)


@pytest.mark.parametrize("update_freq,steps", [(2, [2, 4, 6, 8, 10, 12]), ("batch", list(
    range(1, 13)))])
def test_batch_scalars_with_update_freq(tmp_path, update_freq, steps):
    x, y = _data()
    model = _model()
    batch_losses = []
    record = callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: batch_losses.append(
        logs["loss"]))
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[
        record, callbacks.TensorBoard(tmp_path, update_freq=update_freq,
                                      write_steps_per_second=True)])
    _, train = _read(tmp_path / "train")
    assert [s for s, _ in train["batch_loss"]] == steps
    np.testing.assert_allclose([float(v) for _, v in train["batch_loss"]],
                               [batch_losses[s - 1] for s in steps], rtol=1e-6)
    assert [s for s, _ in train["batch_steps_per_second"]] == steps
    assert [s for s, _ in train["epoch_steps_per_second"]] == [0, 1]
    assert all(float(v) > 0 for _, v in train["epoch_steps_per_second"])


def test_epoch_updates_do_not_pull_batch_logs():
    from layerkit.callbacks import CallbackList
    quiet = CallbackList([callbacks.TensorBoard("unused")], add_progbar=False)
    assert not quiet._needs_train_batch_logs
    batched = CallbackList([callbacks.TensorBoard("unused", update_freq=5)])
    assert batched._needs_train_batch_logs


def test_embeddings_for_the_projector(tmp_path):
    from google.protobuf import text_format
    from tensorboard.plugins.projector import projector_config_pb2
    rng = np.random.default_rng(0)
    x = rng.integers(0, 10, size=(32, 3))
    y = rng.normal(size=(32, 1)).astype("float32")
    model = layerkit.Sequential([layers.Embedding(10, 4, name="words", input_length=3),
                                 layers.Flatten(), layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.TensorBoard(
        tmp_path, embeddings_freq=1, embeddings_metadata={"words": "words.tsv"})])
    folder = tmp_path / "train"
    config = text_format.Parse((folder / "projector_config.pbtxt").read_text(),
                               projector_config_pb2.ProjectorConfig())
    (entry,) = config.embeddings
    assert (entry.tensor_name, entry.metadata_path, list(entry.tensor_shape)) == \
        ("words", "words.tsv", [10, 4])
    saved = np.loadtxt(folder / entry.tensor_path, delimiter="\t")
    np.testing.assert_allclose(saved, model.layers[0].embeddings.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="Unrecognized `Embedding` layer names.*'nope'"):
        model.fit(x, y, verbose=0, callbacks=[callbacks.TensorBoard(
            tmp_path, embeddings_freq=1, embeddings_metadata={"nope": "a.tsv"})])


@pytest.mark.parametrize("kwargs,error,match", [
    (dict(update_freq="sometimes"), ValueError, "`update_freq` must be 'epoch', 'batch'"),
    (dict(update_freq=0), ValueError, "`update_freq`"),
    (dict(histogram_freq=-1), ValueError, "`histogram_freq` must be an integer >= 0"),
    (dict(profile_batch="3,1"), ValueError, "`profile_batch` must be"),
    (dict(profile_batch=(1, 2, 3)), ValueError, "`profile_batch` must be"),
    (dict(embeddings_metadata=3), ValueError, "`embeddings_metadata`"),
    (dict(write_graphs=True), TypeError, "write_graphs"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        callbacks.TensorBoard(**kwargs)


@pytest.mark.parametrize("kwargs,match", [
    (dict(batch_size=32), "`batch_size` has no effect"),
    (dict(write_grads=True), "`write_grads` has no effect"),
    (dict(embeddings_data=np.zeros(3)), "`embeddings_data` has no effect"),
    (dict(write_images=True), "set `histogram_freq`"),
])
def test_keywords_without_an_effect_warn(kwargs, match):
    with pytest.warns(UserWarning, match=match):
        callbacks.TensorBoard(**kwargs)


def test_keras2_keywords_are_kept(tmp_path):
    tb = callbacks.TensorBoard(tmp_path, histogram_freq=0, write_grads=False,
                               embeddings_layer_names=["words"], update_freq="epoch",
                               profile_batch=0)
    assert tb.embeddings_layer_names == ["words"] and tb.update_freq == "epoch"


@pytest.mark.parametrize("profile_batch", [2, "2,3", (1, 50)])
def test_profile_batch_writes_the_engine_trace(tmp_path, profile_batch):
    x, y = _data(48)
    model = _model()
    model.fit(x, y, batch_size=8, epochs=2, verbose=0,
              callbacks=[callbacks.TensorBoard(tmp_path, profile_batch=profile_batch)])
    # The engine's profiler wrote its trace under log_dir/train (JAX: an XPlane file
    # for the profile plugin; PyTorch: a chrome trace for its TensorBoard plugin).
    traces = [p for p in (tmp_path / "train").rglob("*")
              if p.name.endswith((".xplane.pb", ".pt.trace.json"))]
    assert len(traces) == 1 and traces[0].stat().st_size > 0
    if traces[0].name.endswith(".json"):
        events = json.loads(traces[0].read_text())["traceEvents"]
        assert any("addmm" in e.get("name", "") or "linear" in e.get("name", "")
                   for e in events)


def test_no_profile_without_profile_batch(tmp_path):
    x, y = _data(16)
    _model().fit(x, y, batch_size=8, verbose=0, callbacks=[callbacks.TensorBoard(tmp_path)])
    assert not list(tmp_path.rglob("*.xplane.pb")) + list(tmp_path.rglob("*.pt.trace.json"))
