"""Checks of the input data against the model's inputs (count, rank, shape), made
before any step runs, so a mismatch names the input layer instead of failing in a kernel."""
import warnings

from layerkit.utils.tree import flatten


def check_inputs_match_model(model, x):
    """Raises a ValueError naming the input layer when x's shape cannot fit it."""
    graph = getattr(model, "_functional", None) or model
    inputs = getattr(graph, "_inputs", None)
    if not inputs:
        return
    if isinstance(x, dict):
        names = graph.input_names
        arrays = [x.get(n) for n in names]
    else:
        arrays = flatten(x) if isinstance(x, (list, tuple)) else [x]
    if len(arrays) != len(inputs):
        raise ValueError(f'Model "{model.name}" expects {len(inputs)} input(s) '
                         f"({[t._history[0].name for t in inputs]}), but it received "
                         f"{len(arrays)} input array(s).")
    for t, a in zip(inputs, arrays):
        if a is None:
            continue
        want, got = tuple(t.shape), tuple(a.shape)
        layer = t._history[0].name
        if len(want) != len(got):
            raise ValueError(
                f'Input "{layer}" of model "{model.name}" expects data of shape {want} '
                f"(rank {len(want)}), but received an array of shape {got} (rank {len(got)}).")
        for w, g in zip(want[1:], got[1:]):
            if w is not None and w != g:
                raise ValueError(
                    f'Input "{layer}" of model "{model.name}" is incompatible with the data: '
                    f"expected shape {want}, but received an array of shape {got}.")


def _accepts_strings(model):
    """Whether string data may reach the model: an Input declared with a string dtype,
    or a layer that reads strings on the host (a `host_call`: StringLookup, Hashing,
    TextVectorization)."""
    graph = getattr(model, "_functional", None) or model
    if any(str(getattr(t, "dtype", "")) == "string" for t in getattr(graph, "_inputs", None) or ()):
        return True
    layers = model._flatten_layers() if hasattr(model, "_flatten_layers") else []
    return any(callable(getattr(layer, "host_call", None)) for layer in layers)


def check_input_dtypes(model, x):
    """A TypeError naming the input and its dtype when non-numeric data (strings, Python
    objects) would reach a model that has no layer to read it, instead of the
    engine's own error from inside a kernel."""
    import numpy as np
    arrays = [a for a in flatten(x) if isinstance(a, np.ndarray)]
    if all(a.dtype.kind not in "USO" for a in arrays) or _accepts_strings(model):
        return
    graph = getattr(model, "_functional", None) or model
    inputs = getattr(graph, "_inputs", None) or []
    if isinstance(x, dict) and inputs:
        named = [(n, x.get(n)) for n in graph.input_names]
    else:
        flat = flatten(x)
        names = [t._history[0].name for t in inputs] if len(inputs) == len(flat) else \
            [f"x[{i}]" if len(flat) > 1 else "x" for i in range(len(flat))]
        named = list(zip(names, flat))
    for name, a in named:
        if isinstance(a, np.ndarray) and a.dtype.kind in "USO":
            kind = "strings" if a.dtype.kind in "US" or (a.size and isinstance(
                a.flat[0], (str, bytes))) else "Python objects"
            raise TypeError(
                f'Input "{name}" of model "{model.name}" received an array of dtype '
                f"{a.dtype} ({kind}; first item {a.flat[0]!r:.40}), but the model has no "
                "layer that reads strings. Convert the data to numbers, or start the model "
                'with Input(dtype="string") followed by StringLookup, Hashing or '
                "TextVectorization.")


def first_input_sets_the_count(x):
    """predict() on several inputs of different lengths: as Keras 2 did, the number of
    samples is the first input's (with a warning) and longer inputs are cut to it; an
    input shorter than the first has no rows for the last samples, so that raises."""
    if not isinstance(x, (list, tuple)) or len(x) < 2:
        return x
    lengths = [getattr(a, "shape", (None,))[0] if getattr(a, "shape", ()) else None
               for a in x]
    if None in lengths or len(set(lengths)) == 1:
        return x
    n = lengths[0]
    short = [i for i, m in enumerate(lengths) if m < n]
    if short:
        raise ValueError(f"predict: input {short[0]} has {lengths[short[0]]} samples, fewer "
                         f"than the first input's {n}; every input needs a row for each "
                         f"sample (lengths received: {lengths}).")
    warnings.warn(f"predict: the inputs have different numbers of samples {lengths}; using "
                  f"the first input's {n}, as Keras 2 did, and ignoring the extra rows.")
    return type(x)(a[:n] for a in x)
