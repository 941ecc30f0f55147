"""Checks of the input data against the model's inputs (count, rank, shape), made
before any step runs, so a mismatch names the input layer instead of failing in a kernel."""
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
