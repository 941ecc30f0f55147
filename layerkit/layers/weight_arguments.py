"""The initializer, regularizer and constraint a layer takes for each of its weights
("kernel", "recurrent", "bias", "depthwise", ...): stored as
`layer.<prefix>_initializer/_regularizer/_constraint`, used to make the weight, and
written back into the config, the same way for every layer family."""
from layerkit import constraints, initializers, regularizers

_PARTS = (("initializer", initializers), ("regularizer", regularizers),
          ("constraint", constraints))


def kernel_arguments(layer, prefix, initializer, regularizer, constraint):
    """Sets layer.<prefix>_initializer/_regularizer/_constraint from the user's values."""
    for (part, module), value in zip(_PARTS, (initializer, regularizer, constraint)):
        setattr(layer, f"{prefix}_{part}", module.get(value))


def kernel_config(layer, *prefixes):
    """The config entries of the weights named by `prefixes`."""
    return {f"{prefix}_{part}": module.serialize(getattr(layer, f"{prefix}_{part}"))
            for prefix in prefixes for part, module in _PARTS}


def add_kernel(layer, name, prefix, shape, initializer=None):
    """The weight `name` made with the `prefix` arguments (`initializer` overrides the
    stored one, e.g. LSTM's unit_forget_bias)."""
    return layer.add_weight(name=name, shape=shape,
                            initializer=initializer or getattr(layer, f"{prefix}_initializer"),
                            regularizer=getattr(layer, f"{prefix}_regularizer"),
                            constraint=getattr(layer, f"{prefix}_constraint"))
