"""The one training loop: compile, fit, evaluate, predict for every engine.

An engine supplies only `make_step(model, kind)`, `get_state` and `set_state`
(layerkit/engine/<engine>/trainer.py; the runner's methods and the state's
structure, EngineState, are in engine/common/contract.py); everything else is here.
`model.get_state()` / `model.set_state(state)` hand that state to saving,
resuming and distribution.
"""
import contextlib

import numpy as np

from layerkit import engine
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.engine.common.stateless_scope import get_stateless_scope
from layerkit.utils.tree import flatten, map_structure
from layerkit.training import data_adapters, process_share, tensor_inputs
from layerkit.training.compile_settings import (check_compile_settings, loss_scaled,
                                                warn_unscaled_float16)
from layerkit.training.compile_utils import CompileLoss, CompileMetrics
from layerkit.training.custom_step import CustomStepMethods, call_compute_loss
from layerkit.training.legacy_keywords import fit_legacy_keywords
from layerkit.training.legacy_methods import LegacyTrainingMethods
from layerkit.training.prediction import PredictionMethods
from layerkit.training.input_checks import check_input_dtypes, check_inputs_match_model
from layerkit.training.label_checks import check_labels, sparse_label_checks
from layerkit.layers.preprocessing.host_layer import HostStage, check_numeric

# TensorFlow-graph arguments of Keras 2 compile() that cannot be honoured.
_GRAPH_ONLY_COMPILE_KEYWORDS = ("sample_weight_mode",)


class Trainer(CustomStepMethods, PredictionMethods, LegacyTrainingMethods):
    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.stop_training = False
        self.history = None
        self._runners = {}
        self.compiled_loss = None
        self.compiled_metrics = None
        self.auto_scale_loss = True

    # --- compile ------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True, **kwargs):
        for key in _GRAPH_ONLY_COMPILE_KEYWORDS:
            if key in kwargs:
                raise ValueError(f"compile: `{key}` is a TensorFlow-graph argument that "
                                 "layerkit cannot honour; feed targets through fit() instead.")
        # Keras 2's target_tensors: label streams that fit() without y reads.
        self._target_streams = tensor_inputs.target_streams(self, kwargs.pop("target_tensors",
                                                                             None))
        if kwargs:
            raise TypeError(f"compile: unrecognized keyword argument(s) {sorted(kwargs)}.")
        from layerkit import optimizers
        self.optimizer = optimizers.get(optimizer)
        _check_names(loss, metrics, weighted_metrics)
        self._loss_arg = loss
        self._compile_args = dict(loss=loss, metrics=metrics, loss_weights=loss_weights,
                                  weighted_metrics=weighted_metrics)
        self.compiled_loss = None
        self.compiled_metrics = None
        run_eagerly, steps_per_execution, jit_compile, auto_scale_loss = check_compile_settings(
            run_eagerly, steps_per_execution, jit_compile, auto_scale_loss)
        self._runners = {}
        self.run_eagerly = run_eagerly
        self.steps_per_execution = steps_per_execution
        self.jit_compile = jit_compile
        self.auto_scale_loss = auto_scale_loss
        self.optimizer = loss_scaled(self, self.optimizer, auto_scale_loss)
        self.compiled = True
        self.__dict__.pop("_loss_sources_cache", None)
        from layerkit.metrics import Mean
        self._loss_tracker = Mean(name="loss")
        self._output_loss_trackers = []

    # Changing how steps run drops the runners made for the old setting.
    @property
    def run_eagerly(self):
        return self.__dict__.get("_run_eagerly", False)

    @run_eagerly.setter
    def run_eagerly(self, value):
        self._set_step_setting("_run_eagerly", bool(value))

    @property
    def jit_compile(self):
        return self.__dict__.get("_jit_compile", "auto")

    @jit_compile.setter
    def jit_compile(self, value):
        if not (isinstance(value, bool) or value == "auto"):
            raise ValueError(f'jit_compile must be True, False or "auto", received {value!r}.')
        self._set_step_setting("_jit_compile", value)

    def _set_step_setting(self, name, value):
        if self.__dict__.get(name, value) != value:
            self._sync_runners()
            self._runners = {}
        self.__dict__[name] = value

    # --- the engine state -----------------------------------------------
    def get_state(self):
        """The model's state as engine tensors, in one structure on every engine
        (engine/common/contract.py EngineState: trainable, non_trainable, optimizer,
        metrics, seeds). set_state() of it restores weights, optimizer slots, metric
        totals and the random streams: the next step repeats exactly. The compiled
        metrics' Variables exist once fit() or evaluate() has seen the targets, so a
        state to resume from is taken after that."""
        self._sync_runners()
        if self.compiled and self.optimizer is not None and self.built:
            self.optimizer.build(self.trainable_variables)
        return engine.trainer.get_state(self)

    def set_state(self, state):
        """Writes a state taken by get_state() back into the Variables."""
        self._sync_runners()
        engine.trainer.set_state(self, state)

    def _sync_runners(self):
        for runner in self.__dict__.get("_runners", {}).values():
            runner.sync()

    @property
    def loss(self):
        return self._loss_arg if self.compiled else None

    def _output_names(self):
        names = getattr(self, "output_names", None)
        if names:
            return list(names)
        return ["output"]

    def _build_compile_state(self, y_true, y_pred_spec):
        """Creates the loss container and Metric objects (their Variables must exist
        before a step is compiled)."""
        if self.compiled_metrics is not None and self.compiled_metrics.built:
            return
        from layerkit.metrics import Mean
        pred_flat = flatten(y_pred_spec)
        names = self._output_names()
        if len(names) != len(pred_flat):
            names = [f"output_{i + 1}" for i in range(len(pred_flat))] if len(pred_flat) > 1 \
                else ["output"]
        args = self._compile_args
        # No `loss`: compute_loss, add_loss or a custom train_step supplies it (Keras 3).
        self.compiled_loss = CompileLoss(args["loss"], args["loss_weights"], names) \
            if args["loss"] is not None else None
        self.compiled_metrics = CompileMetrics(args["metrics"], args["weighted_metrics"], names)
        true_shapes = [tuple(t.shape) if t is not None else None for t in
                       (flatten(y_true) if y_true is not None else [None] * len(pred_flat))]
        if y_true is None:
            true_shapes = [p.shape for p in pred_flat]
        self.compiled_metrics.build(true_shapes, [p.shape for p in pred_flat],
                                    self.compiled_loss.raw_losses if self.compiled_loss
                                    else [None] * len(pred_flat))
        self._output_loss_trackers = []
        if len(names) > 1 and self.compiled_loss is not None:
            self._output_loss_trackers = [Mean(name=f"{n}_loss") for n in names]

    @property
    def metrics(self):
        out = []
        if self.compiled:
            out.append(self._loss_tracker)
            out.extend(self._output_loss_trackers)
            if self.compiled_metrics is not None:
                out.extend(m for _, m, _ in self.compiled_metrics.metrics)
        return out

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def metrics_variables(self):
        out = []
        for m in self.metrics:
            out.extend(m.variables)
        return out

    def reset_metrics(self):
        for m in self.metrics:
            m.reset_state()

    # --- the step's pieces (engine-neutral, traced on JAX) -------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The total loss: the compiled losses plus the layers' added losses."""
        return self._compiled_loss_terms(x, y, y_pred, sample_weight)[0]

    def _loss_terms(self, x, y, y_pred, sample_weight, training):
        """(total loss, per-output losses): what a step needs, returned rather than kept
        on the model (a traced value must not outlive its step). A subclass overriding
        compute_loss is honoured; its per-output losses are then unknown (empty)."""
        if type(self).compute_loss is not Trainer.compute_loss:
            return call_compute_loss(self, x, y, y_pred, sample_weight, training), []
        return self._compiled_loss_terms(x, y, y_pred, sample_weight)

    def _compiled_loss_terms(self, x, y, y_pred, sample_weight):
        total, per_output = None, []
        if self.compiled_loss is not None:
            total, per_output = self.compiled_loss(y, y_pred, sample_weight)
        extra = self._extra_losses()
        if extra:
            extra_total = sum(extra[1:], extra[0])
            total = extra_total if total is None else total + extra_total
        if total is None:
            raise ValueError(
                f'Model "{self.name}" has no loss to compute: compile() got no `loss`, the '
                "model does not override compute_loss(), and no layer called add_loss(). "
                "Pass `loss=` to compile().")
        return total, per_output

    def _extra_losses(self):
        scope = get_stateless_scope()
        added = list(scope.losses) if scope is not None and scope.losses is not None else []
        layers, regularized = self._loss_sources()
        if not added:
            for layer in layers:
                added.extend(layer._losses)
        return added + [v.regularizer(v.value) for v in regularized]

    def _loss_sources(self):
        """The layers and regularized variables, found once per compiled runner set
        (the step reads them every time)."""
        cached = self.__dict__.get("_loss_sources_cache")
        if cached is None:
            layers = self._flatten_layers()
            regularized = [v for l in layers for v in l._own_variables
                           if getattr(v, "regularizer", None) is not None and v.trainable]
            cached = (layers, regularized)
            if self._runners:
                self.__dict__["_loss_sources_cache"] = cached
        return cached

    def update_metrics(self, loss, y, y_pred, sample_weight=None, results=True,
                       output_losses=()):
        """Updates the loss tracker, the per-output loss trackers (from `output_losses`,
        as _loss_terms returns them) and the compiled metrics; returns the logs dict
        (None with `results=False`)."""
        bs = flatten(y_pred)[0].shape[0]
        tracker = self._loss_tracker
        # The batch-size-weighted mean of the loss: two assigns, no weight tensor.
        tracker.total.assign(tracker.total.value + loss * bs)
        tracker.count.assign(tracker.count.value + bs)
        for tracker, value in zip(self._output_loss_trackers, output_losses or ()):
            if value is not None:
                tracker.update_state(value, sample_weight=bs)
        if self.compiled_metrics is not None:
            self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.metric_results() if results else None

    def metric_results(self):
        return {m.name: m.result() for m in self.metrics}

    # --- fit ------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, max_queue_size=10, workers=1,
            use_multiprocessing=False, **kwargs):
        epochs = fit_legacy_keywords(kwargs, epochs)
        self._assert_compiled("fit")
        verbose = 1 if verbose == "auto" else int(verbose)
        if batch_size is not None and int(batch_size) <= 0:
            raise ValueError(f"fit: batch_size must be a positive integer, received {batch_size}.")
        if validation_split and not data_adapters.is_array_like(x):
            raise ValueError("validation_split is only supported for array inputs; pass "
                             "validation_data for generators and datasets.")
        if x is None and y is None and tensor_inputs.uses_streams(self):
            x = tensor_inputs.stream_data(self, "fit", steps_per_epoch)
        train = data_adapters.make_adapter(
            x, y, sample_weight, batch_size, steps_per_epoch, shuffle, class_weight,
            reading=(workers, use_multiprocessing, max_queue_size))
        val = None
        if validation_split and validation_data is None:
            vx, vy, vsw = train.split(validation_split)
            val = data_adapters.make_adapter(vx, vy, vsw, validation_batch_size or batch_size,
                                             validation_steps, False)
        elif validation_data is not None:
            val = self._validation_adapter(validation_data, validation_batch_size or batch_size,
                                           validation_steps)
        self._prepare(train)
        from layerkit.callbacks.callback_list import CallbackList
        steps = train.num_batches
        cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                           verbose=verbose, epochs=epochs, steps=steps)
        runner = self._runner("train")
        self.stop_training = False
        cbs.on_train_begin()
        # A callback that restored a backup (BackupAndRestore) says where to start.
        initial_epoch = self.__dict__.pop("_initial_epoch", None) or initial_epoch
        epoch_logs = {}
        # Each epoch shuffles with a generator made from (this fit's seed, the epoch), so a
        # fit that BackupAndRestore resumes at epoch e, in a program seeded as the first
        # run was, shuffles epoch e as the first run did. Every process of a distributed
        # fit takes process 0's seed, so their shares come from one permutation.
        fit_seed = engine.distribution.broadcast_int(np.random.randint(0, 2**31 - 1))
        for epoch in range(initial_epoch, epochs):
            rng = np.random.default_rng([fit_seed, epoch])
            runner.reset_metrics()
            cbs.on_epoch_begin(epoch)
            logs = self._run_epoch(runner, train, cbs, rng, "train")
            runner.sync()
            epoch_logs = self._to_floats(logs) if logs else {}
            if val is not None and _due(epoch, validation_freq):
                val_logs = self._evaluate_adapter(val, callbacks=cbs, verbose=0)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, epoch_logs)
            if hasattr(train, "on_epoch_end"):
                train.on_epoch_end()
            if self.stop_training:
                break
        if epochs > initial_epoch:
            # With use_ema, the trained model keeps the moving averages, as in Keras.
            self.optimizer.finalize_variable_values(self.trainable_weights)
        cbs.on_train_end(epoch_logs)
        return self.history

    def _run_epoch(self, runner, adapter, cbs, rng, kind):
        logs = None
        need_logs = getattr(cbs, f"_needs_{kind}_batch_logs", True)
        call_hooks = getattr(cbs, f"_should_call_{kind}_batch_hooks", True)
        hook_begin = cbs.on_train_batch_begin if kind == "train" else cbs.on_test_batch_begin
        hook_end = cbs.on_train_batch_end if kind == "train" else cbs.on_test_batch_end
        k = runner.steps_per_execution
        if k > 1 and isinstance(adapter, data_adapters.ArrayAdapter):
            batches = adapter.stacked_epoch(k, rng)
        else:
            batches = ((1, b) for b in adapter.epoch(rng))
        step = 0
        per_batch = not isinstance(adapter, data_adapters.ArrayAdapter)
        host = HostStage.of(self)
        distributed = process_share.active()
        for n, batch in batches:
            if per_batch:
                self._check_labels(batch[1])
            if call_hooks:
                hook_begin(step)
            if host is not None:   # string layers run here, on the host, before the step
                batch = (host.apply(batch[0], stacked=n > 1),) + tuple(batch[1:])
            else:
                check_numeric(batch[0])
            # Logs nobody reads per batch are not computed (they cost kernels on
            # PyTorch); the epoch's come from `runner.results()` at the end.
            if distributed:
                batch = process_share.share(batch, stacked=n > 1)
            with host.active() if host is not None else contextlib.nullcontext():
                logs = runner.run(batch, n, call_hooks)
            step += n
            if need_logs:
                runner.sync()
                hook_end(step - 1, self._to_floats(logs))
            elif call_hooks:
                hook_end(step - 1, logs)
            if self.stop_training and kind == "train":
                break
        if step == 0:
            raise ValueError("The data produced no batches: it is empty (check x, the generator "
                             "or steps_per_epoch).")
        return logs if logs is not None else runner.results()

    @staticmethod
    def _to_floats(logs):
        # A custom train_step may log anything: scalars become floats, arrays numpy.
        out = {}
        for k, v in logs.items():
            v = engine.convert_to_numpy(v) if engine.is_tensor(v) else v
            out[k] = float(v) if np.ndim(v) == 0 and np.asarray(v).dtype.kind in "biuf" else v
        return out

    def _validation_adapter(self, validation_data, batch_size, steps):
        if isinstance(validation_data, tuple) and len(validation_data) in (2, 3) and \
                data_adapters.is_array_like(validation_data[0]):
            vx, vy = validation_data[0], validation_data[1]
            vsw = validation_data[2] if len(validation_data) == 3 else None
            return data_adapters.make_adapter(vx, vy, vsw, batch_size, steps, False)
        if isinstance(validation_data, list) and len(validation_data) in (2, 3):
            return self._validation_adapter(tuple(validation_data), batch_size, steps)
        return data_adapters.make_adapter(validation_data, steps=steps, what="validation_data")

    def _assert_compiled(self, what):
        if not self.compiled:
            raise RuntimeError(f"You must compile your model before {what}: call "
                               "`model.compile(optimizer, loss)`.")

    def _first_batch(self, adapter):
        if isinstance(adapter, data_adapters.ArrayAdapter):
            bs = min(adapter.batch_size, adapter.num_samples)
            return data_adapters._cut(adapter.x, slice(0, bs)), \
                data_adapters._cut(adapter.y, slice(0, bs)), \
                data_adapters._cut(adapter.sample_weight, slice(0, bs))
        if adapter.is_sequence:
            return data_adapters._batch_to_numpy(adapter.data[0], adapter.class_weight,
                                                 adapter.lists_are_tuples)
        # Peek one item of a generator and put it back in front.
        it = adapter._shared_iter if adapter._shared_iter is not None else adapter._reiterate()
        try:
            first = next(it)
        except StopIteration:
            raise ValueError("The data produced no batches: it is empty.") from None
        import itertools
        adapter._shared_iter = itertools.chain([first], it) if (
            adapter.is_generator or adapter.steps is not None) else None
        return data_adapters._batch_to_numpy(first, adapter.class_weight,
                                             adapter.lists_are_tuples)

    def _prepare(self, adapter, need_targets=True):
        """Builds the model and the compile state from the first batch's shapes and checks
        the data against them, before any step runs."""
        x, y, sw = self._first_batch(adapter)
        check_input_dtypes(self, x)
        check_inputs_match_model(self, x)
        if not self.built:
            self(map_structure(lambda a: a[:1], x), training=False)
        if need_targets and y is None and self._custom_step("train") is None and \
                self._custom_step("test") is None:
            raise ValueError("fit/evaluate need targets: pass `y`, or a generator/dataset "
                             "that yields (x, y) pairs.")
        # The shape checks below cost an abstract evaluation: once per data layout.
        key = (_layout(x), _layout(y), id(self.compiled_loss))
        if key != getattr(self, "_prepared_layout", None) and (need_targets or y is not None):
            spec_x = map_structure(lambda a: SymbolicTensor((None,) + tuple(a.shape[1:]),
                                                            str(a.dtype)), x)
            y_pred_spec = self._output_spec(spec_x)
            self._build_compile_state(y, y_pred_spec)
            if self.compiled_loss is not None and y is not None:
                self._check_loss_shapes(y, y_pred_spec)
            self._label_checks = sparse_label_checks(self, y_pred_spec)
            self._prepared_layout = (_layout(x), _layout(y), id(self.compiled_loss))
        if isinstance(adapter, data_adapters.ArrayAdapter):   # other data: per batch
            self._check_labels(adapter.y)
        return x, y, sw

    def _check_labels(self, y):
        checks = self.__dict__.get("_label_checks")
        if checks:
            check_labels(checks, y, self.compiled_metrics.output_names)

    def _output_spec(self, spec_x):
        if getattr(self, "_functional", None) is not None:
            return self._functional.compute_output_spec(spec_x)
        if getattr(self, "_run_nodes", None) is not None:
            return self.compute_output_spec(spec_x)
        return engine.compute_output_spec(lambda v: self(v, training=False), spec_x)

    def _check_loss_shapes(self, y, y_pred_spec):
        """Runs the loss on shape-only stand-ins so a target that does not fit the loss
        fails here, naming the loss, before any weight changes."""
        # The batch's real size, not the stand-in size shape inference uses, so an error
        # message shows the shapes the user's data has; a model built for a fixed batch
        # size (a stateful RNN) predicts that batch.
        fixed = getattr(flatten(y_pred_spec)[0], "shape", (None,))[0]
        n = fixed if fixed is not None else flatten(y)[0].shape[0]
        y_spec = map_structure(lambda a: SymbolicTensor((n,) + tuple(a.shape[1:]),
                                                        str(a.dtype)), y)
        y_pred_spec = map_structure(
            lambda p: SymbolicTensor((n,) + tuple(p.shape[1:]), p.dtype)
            if p.shape and p.shape[0] is None else p, _known_dims_from_targets(y_pred_spec, y))

        def probe(yt, yp):
            total, _ = self.compiled_loss(yt, yp)
            return total

        engine.compute_output_spec(probe, y_spec, y_pred_spec)

    def _runner(self, kind):
        process_share.drop_stale_runners(self)
        if kind not in self._runners:
            if kind == "train" and self.auto_scale_loss:
                warn_unscaled_float16(self)
            process_share.check_layouts(self)
            self._runners[kind] = engine.trainer.make_step(self, kind)
        return self._runners[kind]

    # --- evaluate ---------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, max_queue_size=10, workers=1,
                 use_multiprocessing=False, return_dict=False, **kwargs):
        if kwargs:
            raise TypeError(f"evaluate: unrecognized keyword argument(s) {sorted(kwargs)}.")
        self._assert_compiled("evaluate")
        if batch_size is not None and int(batch_size) <= 0:
            raise ValueError(f"evaluate: batch_size must be a positive integer, received "
                             f"{batch_size}.")
        verbose = 1 if verbose == "auto" else int(verbose)
        if x is None and y is None and tensor_inputs.uses_streams(self):
            x = tensor_inputs.stream_data(self, "evaluate", steps)
        adapter = data_adapters.make_adapter(
            x, y, sample_weight, batch_size, steps, False,
            reading=(workers, use_multiprocessing, max_queue_size))
        logs = self._evaluate_adapter(adapter, callbacks=callbacks, verbose=verbose)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def _evaluate_adapter(self, adapter, callbacks=None, verbose=0):
        from layerkit.callbacks.callback_list import CallbackList
        self._prepare(adapter)
        if callbacks is None or isinstance(callbacks, list):
            cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                               epochs=1, steps=adapter.num_batches)
        else:
            cbs = callbacks
        runner = self._runner("test")
        runner.reset_metrics()
        cbs.on_test_begin()
        logs = self._run_epoch(runner, adapter, cbs, None, "test")
        runner.sync()
        logs = self._to_floats(logs)
        cbs.on_test_end(logs)
        if hasattr(adapter, "on_epoch_end"):
            adapter.on_epoch_end()
        return logs

    # --- single batches ----------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       reset_metrics=True, return_dict=False):
        self._assert_compiled("train_on_batch")
        adapter = data_adapters.make_adapter(x, y, sample_weight, None, None, False, class_weight)
        adapter.batch_size = max(adapter.num_samples, 1)
        self._prepare(adapter)
        runner = self._runner("train")
        if reset_metrics:
            runner.reset_metrics()
        logs = runner.run(process_share.share(next(adapter.epoch())), 1)
        runner.sync()
        return self._format_batch_logs(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True,
                      return_dict=False):
        self._assert_compiled("test_on_batch")
        adapter = data_adapters.make_adapter(x, y, sample_weight, None, None, False)
        adapter.batch_size = max(adapter.num_samples, 1)
        self._prepare(adapter)
        runner = self._runner("test")
        if reset_metrics:
            runner.reset_metrics()
        logs = runner.run(process_share.share(next(adapter.epoch())), 1)
        runner.sync()
        return self._format_batch_logs(logs, return_dict)

    def _format_batch_logs(self, logs, return_dict):
        logs = self._to_floats(logs)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values


def _known_dims_from_targets(y_pred_spec, y):
    """A model output dimension that is unknown (a time axis of None) takes the target's
    size, when outputs and targets pair up in order with equal ranks; otherwise the
    shape check would compare a stand-in size with the target's real one."""
    preds, targets = flatten(y_pred_spec), flatten(y) if y is not None else []
    if isinstance(y, dict) or isinstance(y_pred_spec, dict) or len(preds) != len(targets):
        return y_pred_spec
    filled = []
    for p, t in zip(preds, targets):
        shape = tuple(p.shape)
        if None in shape[1:] and len(shape) == len(t.shape):
            shape = shape[:1] + tuple(d if d is not None else int(td)
                                      for d, td in zip(shape[1:], t.shape[1:]))
            p = SymbolicTensor(shape, p.dtype)
        filled.append(p)
    if isinstance(y_pred_spec, (list, tuple)):
        return type(y_pred_spec)(filled)
    return filled[0]


def _layout(data):
    if data is None:
        return None
    return tuple((tuple(a.shape[1:]), str(a.dtype)) for a in flatten(data))


def _check_names(loss, metrics, weighted_metrics):
    """Unknown loss or metric names fail at compile(), as in Keras."""
    from layerkit import losses, metrics as metrics_module
    for item in flatten(loss) if isinstance(loss, (list, tuple, dict)) else [loss]:
        if isinstance(item, str):
            losses.get(item)
    for spec in (metrics, weighted_metrics):
        items = flatten(spec) if isinstance(spec, (list, tuple, dict)) else [spec]
        for item in items:
            if isinstance(item, str) and item not in ("accuracy", "acc", "crossentropy", "ce"):
                metrics_module.get(item)


def _due(epoch, freq):
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return (epoch + 1) in freq
