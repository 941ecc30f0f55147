"""Sequential: a linear stack of layers, backed by a Functional graph once the
input shape is known (so summary, training and config share one path)."""
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.layers.input_layer import Input, InputLayer
from layerkit.layers.layer import Layer
from layerkit.models.legacy_predict import LegacyPredictMethods
from layerkit.models.model import Model


class Sequential(LegacyPredictMethods, Model):
    def __init__(self, layers=None, name=None, trainable=True):
        super().__init__(name=name, trainable=trainable)
        self._stack = []
        object.__setattr__(self, "_functional", None)
        for layer in layers or ():
            self.add(layer)

    def add(self, layer, rebuild=True):
        if isinstance(layer, SymbolicTensor) and layer._history is not None \
                and isinstance(layer._history[0], InputLayer):
            layer = layer._history[0]
        if not isinstance(layer, Layer):
            raise TypeError("Sequential.add: only Layer instances can be added; received "
                            f"{type(layer).__name__}: {layer!r:.80}")
        if isinstance(layer, InputLayer) and self._stack:
            raise ValueError(f'Sequential "{self.name}": an InputLayer can only be the first '
                             "layer of the model.")
        if any(layer is l for l in self._stack):
            raise ValueError(f'Sequential "{self.name}": layer "{layer.name}" is already in '
                             "the model; a layer can only be added once.")
        if rebuild and self._functional is not None and not isinstance(layer, InputLayer):
            # Built already: call only the new layer on the current output, so each
            # layer keeps one node and `layer.output` is the graph's (as in Keras 2).
            # A layer that does not fit the output raises here, before it is added.
            with self._name_scope():
                out = layer(self._functional.output)
            self._stack.append(layer)
            self._layers.append(layer)
            self._set_graph(self._functional.input, out)
            return
        self._stack.append(layer)
        self._layers.append(layer) if not isinstance(layer, InputLayer) else None
        if rebuild:
            self._maybe_rebuild()

    def pop(self):
        layers = self.layers
        if not layers:
            raise TypeError(f'Sequential "{self.name}": there are no layers to pop.')
        layer = layers[-1]
        graph = self._functional
        self._stack = [l for l in self._stack if l is not layer]
        self._layers = [l for l in self._layers if l is not layer]
        object.__setattr__(self, "_functional", None)
        self.built = False
        if graph is not None and self.layers:
            # The new output is what the popped layer received in the current graph.
            _, node_index, _ = graph.output._history
            self._set_graph(graph.input, layer._inbound_nodes[node_index].input_tensors[0])
        else:
            self._maybe_rebuild()
        return layer

    @property
    def layers(self):
        return [l for l in self._stack if not isinstance(l, InputLayer)]

    def _input_tensor(self):
        first = self._stack[0]
        if isinstance(first, InputLayer):
            return first._input_tensor
        if first._batch_input_shape is not None:
            dtype = None if first._dtype is None else first._dtype.compute_dtype
            return Input(batch_shape=first._batch_input_shape, dtype=dtype,
                         name=f"{first.name}_input")
        return None

    def _maybe_rebuild(self):
        if not self._stack:
            return
        inputs = self._input_tensor()
        if inputs is None:
            previous = getattr(self, "_data_input_shape", None)
            if previous is None:
                return
            inputs = Input(batch_shape=previous[0], dtype=previous[1])
        self._build_graph(inputs)

    def _build_graph(self, inputs):
        if self._input_tensor() is None:
            # Built from data: remember the shape so pop()/add() can rebuild.
            self._data_input_shape = (inputs.shape, inputs.dtype)
        x = inputs
        # Inside the model's name scope, as Keras's Sequential.build: the layers built
        # here get paths such as "sequential/dense/kernel".
        with self._name_scope():
            for layer in self.layers:
                x = layer(x)
        self._set_graph(inputs, x)

    def _set_graph(self, inputs, outputs):
        from layerkit.models.functional import Functional
        object.__setattr__(self, "_functional",
                           Functional(inputs, outputs, name=f"{self.name}_graph"))
        self._makes_masks = self._functional._has_masks
        self.built = True

    def build(self, input_shape=None):
        if self._functional is not None:
            return
        if input_shape is None:
            raise ValueError(f'Sequential "{self.name}": build() needs an input_shape when '
                             "the first layer has no input_shape.")
        if not self._stack:
            raise ValueError(f'Sequential "{self.name}" has no layers to build.')
        self._build_graph(Input(batch_shape=tuple(input_shape)))

    def _maybe_build(self, args):
        if self._functional is None and args:
            x = args[0]
            dtype = getattr(x, "dtype", None)
            self._build_graph(Input(batch_shape=(None,) + tuple(x.shape[1:]),
                                    dtype="float32" if dtype is None or "float" in str(dtype)
                                    else dtype))
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if self._functional is None:
            shape = tuple(inputs.shape)
            dtype = getattr(inputs, "dtype", None)
            self._build_graph(Input(batch_shape=(None,) + shape[1:],
                                    dtype="float32" if dtype is None or "float" in str(dtype)
                                    else dtype))
        return self._functional.call(inputs, training=training, mask=mask)

    def _symbolic_call(self, args, kwargs):
        if self._functional is None:
            self._build_graph(Input(batch_shape=args[0].shape, dtype=args[0].dtype))
        return super()._symbolic_call(args, kwargs)

    def compute_output_spec(self, *args, **kwargs):
        return self._functional.compute_output_spec(*args, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if self._functional is None:
            return None
        return self._functional.compute_mask(inputs, mask)

    def _output_mask(self, inputs, outputs, previous_mask):
        return self._functional._output_mask(inputs, outputs, previous_mask)

    @property
    def inputs(self):
        return self._functional.inputs if self._functional is not None else None

    # Keras 2 code reads these for K.function([model.input], [model.output]).
    @property
    def input(self):
        return self._built_graph("input").input

    @property
    def output(self):
        return self._built_graph("output").output

    def _built_graph(self, what):
        if self._functional is None:
            raise AttributeError(f'Sequential "{self.name}" has no {what} until it is built '
                                 "(give the first layer an input_shape, or call build()).")
        return self._functional

    @property
    def outputs(self):
        return self._functional.outputs if self._functional is not None else None

    @property
    def input_shape(self):
        if self._functional is None:
            raise AttributeError(f'Sequential "{self.name}" has no input shape until it is built.')
        return self._functional.input_shape

    @property
    def output_shape(self):
        if self._functional is None:
            raise AttributeError(f'Sequential "{self.name}" has no output shape until it is built.')
        return self._functional.output_shape

    @property
    def input_names(self):
        return self._functional.input_names if self._functional else []

    @property
    def output_names(self):
        return [self.layers[-1].name] if self.layers else []

    def get_config(self):
        from layerkit.layers.serialization import serialize_keras_object
        return {"name": self.name, "trainable": self.trainable,
                "layers": [serialize_keras_object(l) for l in self._stack]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from layerkit.layers.serialization import deserialize_keras_object
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in config["layers"]:
            model.add(deserialize_keras_object(layer_config, custom_objects=custom_objects))
        return model
