"""Keras 3 fills a layer's `<name>_mask` call argument with the mask of its `<name>`
argument (MultiHeadAttention's `value_mask` from `value`, `key_mask` from `key`), so
masks reach a layer through its other inputs, not only its first. The graph runner
and eager calls use this to find those masks."""
import inspect

_NAMES = {}   # layer class -> (call parameter names, names with a `<name>_mask` partner)


def _names(layer):
    cls = type(layer)
    names = _NAMES.get(cls)
    if names is None:
        params = tuple(inspect.signature(layer.call).parameters)
        names = (params, tuple(p for p in params if f"{p}_mask" in params))
        _NAMES[cls] = names
    return names


def argument_masks(layer, args, kwargs, fetch_mask):
    """{"<name>_mask": mask} for each argument of `layer.call` that has a `<name>_mask`
    partner, was passed (by position or name) with a mask `fetch_mask` finds, and whose
    `<name>_mask` was not passed."""
    params, masked = _names(layer)
    if not masked:
        return {}
    out = {}
    for i, name in enumerate(params):
        if name not in masked or kwargs.get(f"{name}_mask") is not None:
            continue
        value = args[i] if i < len(args) else kwargs.get(name)
        mask = None if value is None else fetch_mask(value)
        if mask is not None:
            out[f"{name}_mask"] = mask
    return out
