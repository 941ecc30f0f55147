"""`Wrapper`: the base of layers that hold one other layer and change how it runs
(TimeDistributed here; a user's own wrappers, as Keras documents them)."""
from layerkit.layers.layer import Layer
from layerkit.layers.serialization import deserialize_keras_object, serialize_keras_object


class Wrapper(Layer):
    """Holds `layer` (its weights become the wrapper's), builds it on the wrapper's
    input shape unless a subclass says otherwise, and saves it in the config under
    "layer". Abstract: a subclass writes `call`."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"{type(self).__name__}: `layer` must be a layerkit Layer "
                             f"instance, received {layer!r}.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
        self.built = True

    def get_config(self):
        config = super().get_config()
        config["layer"] = serialize_keras_object(self.layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        layer = deserialize_keras_object(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)
