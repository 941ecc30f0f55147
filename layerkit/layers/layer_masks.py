"""How masks travel through a layer's calls (Keras 3's rules): the mixin Layer takes
its mask methods from, and the helpers that read and attach masks on tensors."""
import warnings

from layerkit import engine
from layerkit.engine.common import masking
from layerkit.layers.call_context import CALL_CONTEXT
from layerkit.utils.tree import flatten


def symbolic_masks(structure):
    """The mask specs carried by (a structure of) symbolic tensors."""
    if isinstance(structure, (list, tuple)):
        return type(structure)(symbolic_masks(s) for s in structure)
    if isinstance(structure, dict):
        return {k: symbolic_masks(v) for k, v in structure.items()}
    return getattr(structure, "_keras_mask", None)


def attach_masks(outputs, masks):
    """Attaches each output's mask (Keras 3 pairs the flattened structures)."""
    for t, m in zip(flatten(outputs), flatten(masks)):
        if m is not None:
            masking.set_keras_mask(t, m)


class MaskedCalls:
    """Layer's mask methods: the eager, graph and symbolic calls carry the input mask
    to `call` (when it takes `mask`) and give the outputs theirs."""

    def compute_mask(self, inputs, mask=None):
        """The mask of this layer's outputs, given its inputs and their mask. Keras 3's
        default passes the input mask on; a layer that changes the masked axes (or makes a
        mask, as Masking does) overrides this."""
        return mask

    def _check_mask_keyword(self, mask):
        if mask is not None:
            raise TypeError(
                f'Layer "{self.name}" ({type(self).__name__}) was passed a `mask` argument, '
                "but its `call()` takes no `mask`. Call it without `mask=`, or use a layer "
                "whose call accepts one.")

    def _call_attaching_masks(self, args, kwargs):
        """An eager call outside a graph: the input mask is the one passed as `mask=` or
        attached to the first input; the output mask is attached to the outputs."""
        previous = kwargs.get("mask")
        if previous is None and args:
            previous = masking.get_masks(args[0])
        outputs, out_mask = self._call_with_mask(args, kwargs, previous)
        if out_mask is not None:
            attach_masks(outputs, out_mask)
        return outputs

    def _graph_call(self, args, kwargs, previous_mask):
        """The graph runner's call: (outputs, output mask), nothing attached to tensors."""
        training = kwargs.get("training")
        if training is None:
            return self._call_with_mask(args, kwargs, previous_mask)
        CALL_CONTEXT.training.append(bool(training))
        try:
            return self._call_with_mask(args, kwargs, previous_mask)
        finally:
            CALL_CONTEXT.training.pop()

    def _call_with_mask(self, args, kwargs, previous_mask):
        explicit = kwargs.get("mask")
        if explicit is not None:
            if not self._call_has_mask:
                self._check_mask_keyword(explicit)
            previous_mask = explicit
        elif self._call_has_mask and masking.any_mask(previous_mask):
            kwargs = dict(kwargs)
            kwargs["mask"] = previous_mask
        outputs = self._eager_call(args, kwargs)
        return outputs, self._output_mask(args[0] if args else None, outputs, previous_mask)

    def _output_mask(self, inputs, outputs, previous_mask):
        """Keras 3's rule: a layer that supports masking gives compute_mask's result (unless
        its call attached masks to all its outputs itself); any other layer drops the
        mask, with a warning."""
        if not self.supports_masking:
            self._warn_mask_dropped(previous_mask)
            return None
        if masking.LIVE:
            attached = masking.get_masks(outputs)
            if all(m is not None for m in flatten(attached)):
                return attached
        if not self._overrides_compute_mask:
            return previous_mask
        if not self._makes_masks and not masking.any_mask(previous_mask):
            return None
        return self.compute_mask(inputs, previous_mask)

    def _warn_mask_dropped(self, previous_mask):
        # Keras 3 warns here (Keras 2.2 raised "does not support masking, but was passed
        # an input_mask"; tf.keras 2 dropped the mask silently). We follow Keras 3, so
        # Embedding(mask_zero=True) -> Flatten runs as it does there.
        if masking.any_mask(previous_mask) and not self._drops_masks_silently:
            warnings.warn(
                f"Layer '{self.name}' (of type {type(self).__name__}) was passed an input "
                "with a mask attached to it. However, this layer does not support masking "
                "and will therefore destroy the mask information. Downstream layers will "
                "not see the mask.", stacklevel=3)

    def _output_mask_spec(self, inputs, previous_mask):
        """The output mask's spec, found by abstract evaluation of compute_mask."""
        if not self.supports_masking:
            self._warn_mask_dropped(previous_mask)
            return None
        if not self._overrides_compute_mask:
            return previous_mask
        if not self._makes_masks and not masking.any_mask(previous_mask):
            return None
        return engine.compute_output_spec(self.compute_mask, inputs, previous_mask)
