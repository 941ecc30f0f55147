"""predict and predict_on_batch: batched, any length, the last partial batch kept.

A small in-memory array skips the data adapter and goes straight to the
cached compiled forward."""
import numpy as np

from layerkit import engine
from layerkit.utils.tree import flatten, map_structure
from layerkit.training import data_adapters, process_share
from layerkit.training.input_checks import check_input_dtypes, first_input_sets_the_count
from layerkit.layers.preprocessing.host_layer import HostStage, check_numeric


class PredictionMethods:
    def _predict_runner(self):
        process_share.drop_stale_runners(self)
        runners = self.__dict__.setdefault("_runners", {})
        if "predict" not in runners:
            runners["predict"] = engine.trainer.make_step(self, "predict")
        return runners["predict"]

    def predict(self, x=None, batch_size=None, verbose="auto", steps=None, callbacks=None,
                max_queue_size=10, workers=1, use_multiprocessing=False):
        verbose = 1 if verbose == "auto" else int(verbose)
        if x is None:
            from layerkit.training import tensor_inputs
            x = tensor_inputs.stream_data(self, "predict", steps, with_targets=False)
        else:
            x = first_input_sets_the_count(x)
        batch_size = 32 if batch_size is None else int(batch_size)
        if batch_size <= 0:
            raise ValueError(f"predict: batch_size must be a positive integer, received {batch_size}.")
        if data_adapters.is_array_like(x) and not isinstance(x, data_adapters.Sequence):
            check_input_dtypes(self, map_structure(np.asarray, x) if isinstance(
                x, (list, tuple, dict)) else x)
        if isinstance(x, np.ndarray) and x.dtype.kind not in "USO" and steps is None and \
                not callbacks and x.shape[0] <= batch_size and self.built:
            # Fast path: one batch, no adapter, no callbacks.
            if x.dtype == np.float64:
                x = x.astype(np.float32)
            return map_structure(_to_numpy, self._host_predict(self._predict_runner(), x))
        adapter = data_adapters.make_adapter(
            x, batch_size=batch_size, steps=steps, check_nan=False,
            reading=(workers, use_multiprocessing, max_queue_size))
        if not self.built:
            first = self._first_batch(adapter)[0]
            self(map_structure(lambda a: a[:1], first), training=False)
        from layerkit.callbacks.callback_list import CallbackList
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                           epochs=1, steps=adapter.num_batches)
        runner = self._predict_runner()
        cbs.on_predict_begin()
        outputs = []
        for step, batch in enumerate(adapter.epoch()):
            if not isinstance(adapter, data_adapters.ArrayAdapter):
                check_input_dtypes(self, batch[0])
            cbs.on_predict_batch_begin(step)
            out = self._host_predict(runner, batch[0])
            outputs.append(map_structure(_to_numpy, out))
            cbs.on_predict_batch_end(step, {"outputs": out})
        cbs.on_predict_end()
        if not outputs:
            raise ValueError("predict: the data produced no batches.")
        first = outputs[0]
        if isinstance(first, np.ndarray):
            return np.concatenate(outputs, axis=0)
        if isinstance(first, dict):
            return {k: np.concatenate([o[k] for o in outputs]) for k in first}
        return [np.concatenate([o[i] for o in outputs]) for i in range(len(first))]

    def predict_on_batch(self, x):
        if not self.built:
            self(map_structure(lambda a: np.asarray(a)[:1], x), training=False)
        x = map_structure(lambda a: np.asarray(a, dtype=np.float32)
                          if np.asarray(a).dtype == np.float64 else a, x)
        return map_structure(_to_numpy, self._host_predict(self._predict_runner(), x))

    def _host_predict(self, runner, x):
        """runner.predict(x), after the model's host layers (strings) ran on x. Under a
        distribution each process predicts its share of the batch (padded to divide
        evenly) and receives the whole batch's predictions."""
        if process_share.active():
            x, rows = process_share.pad_rows(x)
            out = self._host_predict_local(runner, process_share.share(x, what="predict batch"))
            return map_structure(lambda a: _to_numpy(a)[:rows], out)
        return self._host_predict_local(runner, x)

    def _host_predict_local(self, runner, x):
        host = HostStage.of(self)
        if host is None:
            check_numeric(x)
            return runner.predict(x)
        x = host.apply(x)
        with host.active():
            return runner.predict(x)


def _to_numpy(t):
    return engine.convert_to_numpy(t)
