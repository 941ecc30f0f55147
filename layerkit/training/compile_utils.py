"""What `compile` turns its loss and metrics arguments into.

CompileLoss maps (y_true, y_pred) structures to a total loss and per-output
losses; CompileMetrics holds the Metric objects, named as the user wrote them
(`'acc'` logs `acc`, `'accuracy'` logs `accuracy`).
"""
from layerkit import ops
from layerkit.engine.common.dtypes import standardize_dtype
from layerkit.utils.tree import flatten


def _per_output(arg, output_names, what):
    """Spreads a compile argument over the outputs: one value, a list or a dict."""
    n = len(output_names)
    if isinstance(arg, dict):
        unknown = [k for k in arg if k not in output_names]
        if unknown:
            raise ValueError(f"compile: {what} has keys {unknown} that match no output; "
                             f"the model's outputs are {output_names}.")
        return [arg.get(name) for name in output_names]
    if isinstance(arg, (list, tuple)) and n > 1 and what == "loss":
        if len(arg) != n:
            raise ValueError(f"compile: {what} is a list of {len(arg)} entries, but the model "
                             f"has {n} outputs {output_names}.")
        return list(arg)
    return [arg] * n


class CompileLoss:
    def __init__(self, loss, loss_weights=None, output_names=None):
        from layerkit import losses as losses_module
        self.output_names = list(output_names or ["output"])
        raw = _per_output(loss, self.output_names, "loss")
        self.loss_fns = []
        for item in raw:
            if item is None:
                self.loss_fns.append(None)
                continue
            fn = losses_module.get(item)
            if not isinstance(fn, losses_module.Loss):
                fn = losses_module.LossFunctionWrapper(fn, name=getattr(fn, "__name__", None))
            self.loss_fns.append(fn)
        if loss_weights is None:
            self.weights = [1.0] * len(self.output_names)
        elif isinstance(loss_weights, dict):
            self.weights = [float(loss_weights.get(n, 1.0)) for n in self.output_names]
        else:
            lw = list(loss_weights) if isinstance(loss_weights, (list, tuple)) else [loss_weights]
            if len(lw) != len(self.output_names):
                raise ValueError(f"compile: loss_weights has {len(lw)} entries, but the model "
                                 f"has {len(self.output_names)} outputs.")
            self.weights = [float(w) for w in lw]
        self.raw_losses = raw

    @property
    def multi_output(self):
        return len(self.output_names) > 1

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Returns (total, [per-output loss or None])."""
        trues = _align(y_true, self.output_names, "y")
        preds = _align(y_pred, self.output_names, "model output")
        sws = _align(sample_weight, self.output_names, "sample_weight", allow_single=True) \
            if sample_weight is not None else [None] * len(preds)
        total = None
        per_output = []
        for fn, w, yt, yp, sw in zip(self.loss_fns, self.weights, trues, preds, sws):
            if fn is None or yt is None:
                per_output.append(None)
                continue
            value = fn(yt, yp, sample_weight=sw)
            per_output.append(value)
            value = value * w if w != 1.0 else value
            total = value if total is None else total + value
        if total is None:
            raise ValueError("compile: no loss applies to any output; pass `loss=` to compile().")
        return total, per_output


def _align(value, names, what, allow_single=False):
    if value is None:
        return [None] * len(names)
    if isinstance(value, dict):
        return [value.get(n) for n in names]
    if isinstance(value, (list, tuple)):
        flat = list(value)
        if len(flat) == len(names):
            return flat
        if len(names) == 1:
            return [value]
        raise ValueError(f"Expected {len(names)} {what} arrays (one per output {names}), "
                         f"received {len(flat)}.")
    if len(names) == 1 or allow_single:
        return [value] * len(names)
    raise ValueError(f"The model has {len(names)} outputs {names}, but a single {what} "
                     "array was given; pass a list or a dict.")


class CompileMetrics:
    def __init__(self, metrics=None, weighted_metrics=None, output_names=None, loss=None):
        self.output_names = list(output_names or ["output"])
        self._raw = (metrics, weighted_metrics)
        self._loss = loss
        self.built = False
        self.metrics = []      # [(output_index, metric, weighted)]

    def build(self, y_true_shapes, y_pred_shapes, loss_fns):
        from layerkit import metrics as metrics_module
        from layerkit.metrics.metric_resolution import resolve_accuracy
        metrics, weighted = self._raw
        multi = len(self.output_names) > 1
        for weighted_flag, spec in ((False, metrics), (True, weighted)):
            if not spec:
                continue
            if isinstance(spec, dict):
                per_out = _per_output(spec, self.output_names, "metrics")
            elif isinstance(spec, (list, tuple)) and multi and spec and \
                    all(isinstance(s, (list, tuple, type(None))) for s in spec):
                if len(spec) != len(self.output_names):
                    raise ValueError(f"compile: metrics has {len(spec)} lists, but the model "
                                     f"has {len(self.output_names)} outputs.")
                per_out = list(spec)
            else:
                per_out = [spec] * len(self.output_names)
            for i, items in enumerate(per_out):
                if items is None:
                    continue
                if not isinstance(items, (list, tuple)):
                    items = [items]
                for item in items:
                    metric = self._make_metric(item, i, y_true_shapes, y_pred_shapes, loss_fns,
                                               metrics_module, resolve_accuracy)
                    self.metrics.append((i, metric, weighted_flag))
        self._name_logs(multi)
        self.built = True

    def _name_logs(self, multi):
        # Keras 3's log keys: `out_name` per output; a name already taken gets `_1`, `_2`
        # (plain metrics) or a `weighted_` prefix (weighted metrics, which come last).
        taken = {}
        for i, metric, weighted in self.metrics:
            prefix = f"{self.output_names[i]}_" if multi else ""
            name = prefix + metric.name
            if name in taken and weighted:
                name = f"{prefix}weighted_{metric.name}"
            if name in taken:
                taken[name] += 1
                name = f"{name}_{taken[name] - 1}"
            else:
                taken[name] = 1
            metric.name = name

    @staticmethod
    def _make_metric(item, i, true_shapes, pred_shapes, loss_fns, metrics_module,
                     resolve_accuracy):
        if isinstance(item, metrics_module.Metric):
            return item
        if isinstance(item, str):
            name = item
            if item in ("accuracy", "acc", "crossentropy", "ce"):
                loss_fn = loss_fns[i] if i < len(loss_fns) else None
                fn = resolve_accuracy(item, loss_fn, true_shapes[i], pred_shapes[i])
            else:
                fn = metrics_module.get(item)
            if isinstance(fn, type):
                metric = fn()
                metric.name = name
                return metric
            if isinstance(fn, metrics_module.Metric):
                fn.name = name
                return fn
            return metrics_module.MeanMetricWrapper(fn, name=name)
        if isinstance(item, type) and issubclass(item, metrics_module.Metric):
            return item()
        if callable(item):
            return metrics_module.MeanMetricWrapper(item, name=getattr(item, "__name__", "metric"))
        raise ValueError(f"compile: could not interpret metric {item!r}.")

    @property
    def variables(self):
        out = []
        for _, m, _ in self.metrics:
            out.extend(m.variables)
        return out

    def update_state(self, y_true, y_pred, sample_weight=None):
        trues = _align(y_true, self.output_names, "y")
        preds = _align(y_pred, self.output_names, "model output")
        sws = _align(sample_weight, self.output_names, "sample_weight", allow_single=True) \
            if sample_weight is not None else [None] * len(preds)
        # Integer targets reach metrics (user functions included) as the output's
        # float dtype, as Keras 2's float target placeholders gave them.
        trues = [_float_like(t, p) for t, p in zip(trues, preds)]
        for i, metric, weighted in self.metrics:
            if trues[i] is None:
                continue
            metric.update_state(trues[i], preds[i], sample_weight=sws[i] if weighted else None)

    def results(self):
        return {metric.name: metric.result() for _, metric, _ in self.metrics}

    def reset_state(self):
        for _, metric, _ in self.metrics:
            metric.reset_state()


def _float_like(y_true, y_pred):
    if y_true is None or y_pred is None:
        return y_true
    true_dtype, pred_dtype = standardize_dtype(y_true.dtype), standardize_dtype(y_pred.dtype)
    if "float" in pred_dtype and ("int" in true_dtype or true_dtype == "bool"):
        return ops.cast(y_true, pred_dtype)
    return y_true
