"""Bidirectional: runs a recurrent layer forwards and a copy of it backwards over the
same sequences and merges the two outputs (Keras's merge modes: "concat", "sum",
"mul", "ave", or None for the pair). The backward outputs are flipped back into time
order before merging, so step t of both halves describes input step t."""
from layerkit import ops
from layerkit.layers.layer import Layer
from layerkit.layers.serialization import deserialize_keras_object, serialize_keras_object

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _copy(layer, name, go_backwards):
    config = serialize_keras_object(layer)
    config["config"] = dict(config["config"], name=name, go_backwards=go_backwards)
    return deserialize_keras_object(config)


class Bidirectional(Layer):
    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        super().__init__(**kwargs)
        owner = f'Bidirectional "{self.name}"'
        if not isinstance(layer, Layer) or not hasattr(layer, "go_backwards") or \
                not hasattr(layer, "return_sequences"):
            raise ValueError(f"{owner}: `layer` must be a recurrent layer (an RNN, LSTM, GRU, "
                             f"...), received {layer!r}.")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"{owner}: `merge_mode` must be one of {list(_MERGE_MODES)}, "
                             f"received merge_mode={merge_mode!r}.")
        self.forward_layer = _copy(layer, "forward_" + layer.name, layer.go_backwards)
        if backward_layer is None:
            backward_layer = _copy(layer, "backward_" + layer.name, not layer.go_backwards)
        else:
            for attr in ("return_sequences", "return_state", "stateful"):
                if getattr(backward_layer, attr) != getattr(layer, attr):
                    raise ValueError(
                        f"{owner}: the forward and backward layers must agree on `{attr}`; "
                        f"forward {getattr(layer, attr)}, backward "
                        f"{getattr(backward_layer, attr)}.")
            if backward_layer.go_backwards == layer.go_backwards:
                raise ValueError(f"{owner}: `backward_layer` must run the other way "
                                 "(go_backwards opposite to the forward layer's).")
        self.backward_layer = backward_layer
        # As Keras: masked steps of returned sequences are zeros in both halves, so the
        # merge of a padded step is zeros too.
        for half in (self.forward_layer, self.backward_layer):
            if hasattr(half, "zero_output_for_mask"):
                half.zero_output_for_mask = half.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.stateful = getattr(layer, "stateful", False)
        self.supports_masking = True
        self._initial_weights = weights

    def build(self, sequences_shape, initial_state_shape=None):
        for layer in (self.forward_layer, self.backward_layer):
            if not layer.built:
                layer.build(sequences_shape)
        self.built = True

    def _merge(self, y, y_rev):
        if self.return_sequences:
            y_rev = ops.flip(y_rev, axis=1)
        mode = self.merge_mode
        if mode == "concat":
            return ops.concatenate([y, y_rev], axis=-1)
        if mode == "sum":
            return y + y_rev
        if mode == "ave":
            return (y + y_rev) / 2
        if mode == "mul":
            return y * y_rev
        return [y, y_rev]

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs = {"training": training}
        if mask is not None:
            kwargs["mask"] = mask
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            if len(initial_state) != 2 * half or half == 0:
                raise ValueError(f'Bidirectional "{self.name}": `initial_state` must hold the '
                                 "forward layer's states then the backward layer's (an even "
                                 f"count), received {len(initial_state)}.")
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        output = self._merge(y, y_rev)
        if self.return_state:
            return (output if isinstance(output, list) else [output]) + states
        return output

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        forward = self.forward_layer.compute_output_shape(sequences_shape)
        backward = self.backward_layer.compute_output_shape(sequences_shape)
        states = []
        if self.return_state:
            states = list(forward[1:]) + list(backward[1:])
            forward, backward = forward[0], backward[0]
        if self.merge_mode == "concat":
            output = [tuple(forward[:-1]) + (forward[-1] + backward[-1],)]
        elif self.merge_mode is None:
            output = [tuple(forward), tuple(backward)]
        else:
            output = [tuple(forward)]
        out = output + states
        return out[0] if len(out) == 1 else out

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        masks = [output_mask, output_mask] if self.merge_mode is None else [output_mask]
        if self.return_state:
            n = len(self.forward_layer._state_sizes()) * 2
            masks = masks + [None] * n
        return masks[0] if len(masks) == 1 else masks

    def reset_states(self, states=None):
        if not self.stateful:
            raise AttributeError(f'Bidirectional "{self.name}": reset_states() needs a '
                                 "stateful layer.")
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    def get_config(self):
        config = super().get_config()
        config["merge_mode"] = self.merge_mode
        config["layer"] = serialize_keras_object(self.forward_layer)
        config["backward_layer"] = serialize_keras_object(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = deserialize_keras_object(config["layer"], custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = deserialize_keras_object(backward, custom_objects)
        return cls(**config)
