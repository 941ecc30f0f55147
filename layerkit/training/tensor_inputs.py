"""Keras 2's TensorFlow-style data binding, done with data streams: inputs made by
`Input(tensor=t)` and targets given as `compile(target_tensors=[...])` feed
`fit(epochs=..., steps_per_epoch=...)` (and evaluate/predict with `steps`) when no
x and y are passed: each step takes the next batch of every stream (an array is fed
whole at every step, as a constant tensor was in TensorFlow)."""
from layerkit.utils.tensor_stream import TensorStream


def target_streams(model, target_tensors):
    """compile()'s target_tensors as one TensorStream (or None) per output."""
    if target_tensors is None:
        return None
    names = list(getattr(model, "output_names", None) or [])
    if isinstance(target_tensors, dict):
        unknown = [k for k in target_tensors if k not in names]
        if unknown:
            raise ValueError(f"compile: target_tensors has keys {unknown} that match no output; "
                             f"the model's outputs are {names}.")
        given = [target_tensors.get(n) for n in names]
    elif isinstance(target_tensors, (list, tuple)):
        given = list(target_tensors)
    else:
        given = [target_tensors]
    if names and len(given) != len(names):
        raise ValueError(f"compile: target_tensors holds {len(given)} tensor(s), but the model "
                         f"has {len(names)} output(s) {names}.")
    return [None if t is None else TensorStream(t, f"target_tensors[{i}]")
            for i, t in enumerate(given)]


def input_streams(model):
    graph = getattr(model, "_functional", None) or model
    inputs = getattr(graph, "_inputs", None) or []
    return [getattr(t._history[0], "_tensor_source", None) for t in inputs], \
        [t._history[0].name for t in inputs]


def uses_streams(model):
    streams, _ = input_streams(model)
    return any(s is not None for s in streams) or bool(model.__dict__.get("_target_streams"))


def stream_data(model, what, steps, with_targets=True):
    """A generator of (x, y) batches read from the bound streams, for fit/evaluate/predict
    called without x; a clear error when a stream is missing or steps is not given."""
    streams, names = input_streams(model)
    missing = [n for n, s in zip(names, streams) if s is None]
    if not streams or missing:
        raise ValueError(
            f"{what}: no `x` was given, so every model input must be bound to data with "
            f"Input(tensor=...); {'inputs ' + str(missing) + ' are not' if missing else 'the model has no Input'}.")
    if steps is None:
        arg = "steps_per_epoch" if what == "fit" else "steps"
        raise ValueError(f"{what}: the data comes from Input(tensor=...) streams, which have "
                         f"no length; pass `{arg}` (the number of batches per epoch), as Keras "
                         "2 required.")
    targets = model.__dict__.get("_target_streams") if with_targets else None

    def batches():
        while True:
            try:
                xs = [s.next() for s in streams]
                ys = [s.next() if s is not None else None for s in targets] if targets else None
            except StopIteration:
                return
            x = xs[0] if len(xs) == 1 else xs
            if ys is None:
                yield (x,)
            else:
                yield (x, ys[0] if len(ys) == 1 else ys)
    return batches()
