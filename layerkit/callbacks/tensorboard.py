"""`TensorBoard`: event files TensorBoard reads, written without TensorFlow.

Layout and tags are Keras 3's: `log_dir/train` and `log_dir/validation` runs,
`epoch_<name>` scalars per epoch (the `val_` prefix dropped in validation),
`epoch_learning_rate`, `batch_<name>` with `update_freq`, `evaluation_<name>_vs_iterations`,
`<weight path>/histogram` and `/image`, and the model's JSON as the `keras`
conceptual graph. Messages are encoded in tensorboard_proto.py.
"""
import json
import numbers
import os
import time
import warnings

import numpy as np

from layerkit import config, engine
from layerkit.callbacks.callback import Callback, python_value
from layerkit.callbacks.tensorboard_embeddings import write_embeddings, write_projector_config
from layerkit.callbacks.tensorboard_proto import (
    histogram_value, image_value, scalar_value, text_value)
from layerkit.callbacks.tensorboard_writer import EventFileWriter

__all__ = ["TensorBoard"]

# Keras 2 keywords that tf.keras 2 also accepted and warned about; anything else is an error.
_KERAS2_NO_EFFECT = {
    "batch_size": "histograms are computed from the weights, no data is fed",
    "write_grads": "gradient histograms are not written",
    "embeddings_data": "the weights of every Embedding layer are written instead of "
                       "layer outputs on this data",
}


def _freq(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"TensorBoard: `{name}` must be an integer >= 0, received {value!r}.")
    return int(value)


def _profile_range(value):
    """(start, stop) batches from Keras's profile_batch forms, or a clear error."""
    error = ("TensorBoard: `profile_batch` must be a non-negative integer or a pair of "
             f"positive integers (a tuple or 'start,stop'), received {value!r}.")
    if isinstance(value, str):
        try:
            value = [int(part) for part in value.split(",")]
        except ValueError:
            raise ValueError(error) from None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (int(value), int(value))
    if not isinstance(value, (list, tuple)) or len(value) != 2 or \
            not all(isinstance(v, numbers.Integral) for v in value):
        raise ValueError(error)
    start, stop = value
    if start < 0 or stop < start:
        raise ValueError(error)
    return int(start), int(stop)


def _weight_image(weight):
    """A weight as Keras 3 shows it: (k, h, w, c) uint8, or None when it has no image
    form. Floats are read as intensities in [0, 1], as tf.summary.image reads them."""
    w = np.squeeze(weight)
    if w.ndim == 1:
        w = w.reshape(1, w.shape[0], 1, 1)
    elif w.ndim == 2:
        if w.shape[0] > w.shape[1]:
            w = w.T
        w = w.reshape(1, w.shape[0], w.shape[1], 1)
    elif w.ndim == 3:
        if config.image_data_format() == "channels_last":
            w = np.transpose(w, (2, 0, 1))
        w = w.reshape(w.shape[0], w.shape[1], w.shape[2], 1)
    if w.ndim != 4 or w.shape[-1] not in (1, 3, 4):
        return None
    return np.clip(np.asarray(w, np.float64) * 255.5, 0, 255).astype(np.uint8)


class TensorBoard(Callback):
    """Enable visualizations for TensorBoard.

    Args:
        log_dir: where the `train` and `validation` event files go.
        histogram_freq: every how many epochs to write weight histograms (0: never).
        write_graph: write the model's conceptual graph (its Keras JSON), as
            Keras 3 does for Sequential and functional models. TensorFlow's op
            graph does not exist here.
        write_images: write weights as images, with the histograms.
        write_steps_per_second: log training steps per second per epoch (and per
            batch with `update_freq`).
        update_freq: `"epoch"`, `"batch"` or an integer N: also write `batch_<name>`
            scalars every N training batches (their logs are then read at each
            such batch).
        profile_batch: which training batches to profile (counted from 1 over the
            whole fit, as Keras counts): N for batch N, a pair (start, stop) or
            'start,stop' for a range, 0 for none. The engine's own profiler writes
            the trace under `log_dir/train` (JAX: `plugins/profile/*/*.xplane.pb`
            for TensorBoard's profile plugin; PyTorch: a `*.pt.trace.json` that
            TensorBoard's PyTorch profiler plugin and chrome://tracing read).
        embeddings_freq: every how many epochs to write the Embedding layers'
            matrices for TensorBoard's projector (a TSV per layer and
            `projector_config.pbtxt` in `log_dir/train`).
        embeddings_metadata: a metadata file for all Embedding layers, or a dict
            {layer name: file}.
        embeddings_layer_names: (Keras 2) the Embedding layers to write; all by default.
        batch_size, write_grads, embeddings_data: Keras 2 keywords, accepted with a
            warning saying what happens instead (as tf.keras 2 did).
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None, **kwargs):
        super().__init__()
        self.embeddings_layer_names = kwargs.pop("embeddings_layer_names", None)
        for name in sorted(set(kwargs) & set(_KERAS2_NO_EFFECT)):
            value = kwargs.pop(name)
            if not (name == "write_grads" and value is False):
                warnings.warn(f"TensorBoard: `{name}` has no effect in layerkit: "
                              f"{_KERAS2_NO_EFFECT[name]}.", stacklevel=2)
        if kwargs:
            raise TypeError(f"TensorBoard got unexpected keyword argument(s) {sorted(kwargs)}.")
        try:
            self.log_dir = os.fspath(log_dir)
        except TypeError:
            raise ValueError(f"TensorBoard: `log_dir` must be a path, received "
                             f"{log_dir!r}.") from None
        self.histogram_freq = _freq("histogram_freq", histogram_freq)
        self.embeddings_freq = _freq("embeddings_freq", embeddings_freq)
        self.write_graph = bool(write_graph)
        self.write_images = bool(write_images)
        if self.write_images and not self.histogram_freq:
            warnings.warn("TensorBoard: `write_images` writes the weights as images with the "
                          "histograms; set `histogram_freq` >= 1 for them to be written.",
                          stacklevel=2)
        self.write_steps_per_second = bool(write_steps_per_second)
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and (isinstance(update_freq, bool) or not isinstance(
                update_freq, numbers.Integral) or update_freq < 1):
            raise ValueError("TensorBoard: `update_freq` must be 'epoch', 'batch' or an "
                             f"integer >= 1, received {update_freq!r}.")
        self.update_freq = update_freq
        if embeddings_metadata is not None and not isinstance(embeddings_metadata, (str, dict)):
            raise ValueError("TensorBoard: `embeddings_metadata` must be a file name or a "
                             f"dict of layer name to file name, received {embeddings_metadata!r}.")
        self.embeddings_metadata = embeddings_metadata
        self._start_batch, self._stop_batch = _profile_range(profile_batch)
        self._tracing = False
        self._writers = {}
        self._global_train_batch = 0
        self._epoch_start = None
        self._epoch_start_iterations = 0
        self._batch_start = None

    # -- writers -------------------------------------------------------------
    def _writer(self, run):
        writer = self._writers.get(run)
        if writer is None or writer.closed:
            writer = self._writers[run] = EventFileWriter(os.path.join(self.log_dir, run))
        return writer

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()

    def set_model(self, model):
        super().set_model(model)
        self._close_writers()
        self._writers = {}
        if self.write_graph:
            self._write_model_graph()
        if self.embeddings_freq:
            write_projector_config(self, model)

    def _write_model_graph(self):
        model = self.model
        if type(model).__name__ not in ("Sequential", "Functional"):
            return      # Keras 3 writes the conceptual graph of these two only
        try:
            if hasattr(model, "to_json"):
                text = model.to_json()
            else:
                text = json.dumps({"class_name": type(model).__name__,
                                   "config": model.get_config()})
        except Exception as error:  # noqa: BLE001 - a summary must not break training
            warnings.warn(f"TensorBoard: the model failed to serialize as JSON, so no graph "
                          f"is written: {error}", stacklevel=3)
            return
        writer = self._writer("train")
        writer.add(0, [text_value("keras", text, "graph_keras_model", b"1")])
        writer.flush()

    # -- hooks ---------------------------------------------------------------
    def _implements_train_batch_hooks(self):
        # Only then are batch logs read: otherwise fit never syncs per batch for it.
        return self.update_freq != "epoch" or self.write_steps_per_second or \
            self._stop_batch > 0

    def on_train_begin(self, logs=None):
        self._global_train_batch = 0

    def on_train_end(self, logs=None):
        self._stop_trace()      # a fit shorter than the profiled range
        self._close_writers()

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._epoch_start_iterations = self._iterations()
            self._epoch_start = time.time()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self._global_train_batch == self._start_batch and self._stop_batch > 0:
            engine.profiler.start_trace(os.path.join(self.log_dir, "train"))
            self._tracing = True
        if self.write_steps_per_second:
            self._batch_start = time.time()

    def _stop_trace(self):
        if self._tracing:
            self._tracing = False
            engine.profiler.stop_trace()

    def on_train_batch_end(self, batch, logs=None):
        step = self._global_train_batch
        if self._tracing and step >= self._stop_batch:
            self._stop_trace()
        if self.update_freq == "epoch" or step % self.update_freq:
            return
        values = []
        if self.write_steps_per_second and self._batch_start is not None:
            values.append(scalar_value("batch_steps_per_second",
                                       1.0 / max(time.time() - self._batch_start, 1e-9)))
        for name, value in (logs or {}).items():
            value = python_value(value)
            if isinstance(value, numbers.Real):
                values.append(scalar_value(f"batch_{name}", value))
        self._writer("train").add(step, values)

    def on_test_end(self, logs=None):
        if getattr(self.model, "optimizer", None) is None or not logs:
            return
        values = [scalar_value(f"evaluation_{name}_vs_iterations", value)
                  for name, value in logs.items() if isinstance(value, numbers.Real)]
        writer = self._writer("validation")
        writer.add(self._iterations(), values)
        writer.flush()

    def on_epoch_end(self, epoch, logs=None):
        self._log_epoch_metrics(epoch, logs or {})
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            write_embeddings(self, self.model)
        for writer in self._writers.values():
            writer.flush()

    # -- what is written -------------------------------------------------------
    def _iterations(self):
        optimizer = getattr(self.model, "optimizer", None)
        iterations = getattr(optimizer, "iterations", None)
        return 0 if iterations is None else int(np.asarray(iterations.numpy()))

    def _log_epoch_metrics(self, epoch, logs):
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "learning_rate"):
            lr = optimizer.learning_rate
            train["learning_rate"] = float(np.asarray(lr.numpy() if hasattr(lr, "numpy")
                                                      else lr))
        if self.write_steps_per_second and self._epoch_start is not None:
            elapsed = max(time.time() - self._epoch_start, 1e-9)
            train["steps_per_second"] = (self._iterations() - self._epoch_start_iterations) / \
                elapsed
        for run, entries in (("train", train), ("validation", val)):
            values = [scalar_value(f"epoch_{name}", value) for name, value in entries.items()
                      if isinstance(python_value(value), numbers.Real)]
            if values:
                self._writer(run).add(epoch, values)

    def _log_weights(self, epoch):
        values = []
        for layer in self.model.layers:
            for weight in layer.weights:
                name = weight.path.replace(":", "_")
                array = np.asarray(weight.numpy())
                values.append(histogram_value(f"{name}/histogram", array))
                if self.write_images:
                    image = _weight_image(array)
                    if image is not None:
                        values.append(image_value(f"{name}/image", image))
        self._writer("train").add(epoch, values)
