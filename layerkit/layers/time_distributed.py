"""TimeDistributed: applies one layer to every time step (axis 1) of its input.

The steps are folded into the batch: (B, T, ...) is reshaped to (B * T, ...), the inner
layer runs once, and its output is unfolded to (B, T, ...). One call of the inner
layer's kernel instead of Keras 3's Python loop over the steps (or vectorized_map),
with the same result for every layer that treats its samples independently; the
weights are the inner layer's. A mask (B, T, ...) is folded the same way for an inner
layer that takes one, and passed on; an inner layer that makes a mask (Embedding with
mask_zero) gives the output its mask, unfolded, as in Keras 2 (Keras 3 drops it). As with Keras 2's reshape path, a
BatchNormalization inside computes its training statistics over all B * T samples
(Keras 3 normalizes each step by its own batch statistics).
"""
from layerkit import ops
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.layers.wrapper import Wrapper


class TimeDistributed(Wrapper):
    """`TimeDistributed(layer)(x)`: `layer` applied to each x[:, t]."""

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _child_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError(f'TimeDistributed "{self.name}": the input must be at least '
                             "3-D (batch, time steps, ...); received input shape "
                             f"{input_shape}.")
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape):
        child = self._child_shape(tuple(input_shape))
        if not self.layer.built:
            self.layer.build(child)
            self.layer.built = True
        self.built = True

    def _check_mask(self, inputs, mask):
        m, x = tuple(mask.shape), tuple(inputs.shape)
        if len(m) < 2 or any(a is not None and b is not None and a != b
                             for a, b in zip(m[:2], x[:2])):
            raise ValueError(f'TimeDistributed "{self.name}": the mask must start with the '
                             f"input's (batch, time steps) = {x[:2]}; received mask shape "
                             f"{m} for input shape {x}.")

    def call(self, inputs, training=None, mask=None):
        shape = tuple(inputs.shape)
        self._child_shape(shape)
        folded = ops.reshape(inputs, (-1,) + shape[2:])
        kwargs = {}
        if mask is not None:
            self._check_mask(inputs, mask)
            if self.layer._call_has_mask:
                kwargs["mask"] = ops.reshape(mask, (-1,) + tuple(mask.shape[2:]))
        if self.layer._call_has_training:
            kwargs["training"] = training
        outputs = self.layer(folded, **kwargs)
        return ops.reshape(outputs, shape[:2] + tuple(outputs.shape[1:]))

    def compute_mask(self, inputs, mask=None):
        """The inner layer's mask for the folded steps, unfolded (Keras 2's rule: an
        Embedding(mask_zero=True) inside masks its zero ids); else the input's mask."""
        if not self.layer._overrides_compute_mask:
            return mask
        shape = tuple(inputs.shape)
        folded = None if mask is None else ops.reshape(mask, (-1,) + tuple(mask.shape[2:]))
        inner = self.layer.compute_mask(ops.reshape(inputs, (-1,) + shape[2:]), folded)
        if inner is None:
            return mask
        return ops.reshape(inner, shape[:2] + tuple(inner.shape[1:]))

    def compute_output_shape(self, input_shape):
        spec = self.compute_output_spec(SymbolicTensor(tuple(input_shape), self.compute_dtype))
        return tuple(spec.shape)

    def compute_output_spec(self, inputs, *args, **kwargs):
        shape = tuple(inputs.shape)
        child = SymbolicTensor(self._child_shape(shape), inputs.dtype)
        out = self.layer.compute_output_spec(child)
        return SymbolicTensor((shape[0], shape[1]) + tuple(out.shape[1:]), out.dtype)
