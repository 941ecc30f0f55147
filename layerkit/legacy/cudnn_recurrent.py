"""Keras 2's CuDNNLSTM and CuDNNGRU: the plain LSTM and GRU layers with the settings
the cuDNN kernels fixed (tanh / sigmoid, GRU with reset_after=True, no dropout).

The engines pick their fused kernels themselves (torch's LSTM/GRU, XLA on JAX), so
nothing else is needed; unlike Keras 2 they also run without a GPU. The layer is
looked up in layerkit.layers when called, so these work as soon as LSTM/GRU exist.
"""
import importlib

# The arguments Keras 2's CuDNN layers accepted besides `units`.
_ACCEPTED = {
    "kernel_initializer", "recurrent_initializer", "bias_initializer", "kernel_regularizer",
    "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
    "recurrent_constraint", "bias_constraint", "return_sequences", "return_state",
    "go_backwards", "stateful", "name", "trainable", "dtype", "input_shape",
    "batch_input_shape", "batch_size", "input_dim", "input_length", "weights",
}


def _make(kind, units, kwargs, extra):
    unknown = sorted(set(kwargs) - _ACCEPTED - set(extra))
    if unknown:
        raise TypeError(f"CuDNN{kind}: unexpected argument(s) {unknown}; the cuDNN layers "
                        f"took none of them (use {kind} for dropout, other activations "
                        "or masking).")
    layer_class = getattr(importlib.import_module("layerkit.layers"), kind, None)
    if layer_class is None:
        raise NotImplementedError(f"CuDNN{kind} needs layerkit.layers.{kind}, which this "
                                  "layerkit does not have yet.")
    settings = dict(activation="tanh", recurrent_activation="sigmoid", use_bias=True)
    settings.update(extra)
    settings.update(kwargs)
    return layer_class(units, **settings)


def CuDNNLSTM(units, unit_forget_bias=True, **kwargs):  # noqa: N802 - Keras 2's name
    """An LSTM layer with CuDNNLSTM's defaults."""
    return _make("LSTM", units, kwargs, {"unit_forget_bias": unit_forget_bias})


def CuDNNGRU(units, **kwargs):  # noqa: N802 - Keras 2's name
    """A GRU layer with CuDNNGRU's defaults (reset_after=True: cuDNN's formula)."""
    return _make("GRU", units, kwargs, {"reset_after": True})
