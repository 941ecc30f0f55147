"""Model: a Layer with training (compile/fit/evaluate/predict).

`Model(inputs, outputs)` builds a Functional model; subclassing Model with a
custom `call` gives a subclassed model.
"""
from layerkit.layers.layer import Layer
from layerkit.training.trainer import Trainer


class Model(Trainer, Layer):
    _unpacks_single_output = False  # model(x) keeps the outputs' structure, as in Keras 3
    def __new__(cls, *args, **kwargs):
        if cls is Model and (len(args) >= 2 or "inputs" in kwargs or
                             (len(args) == 1 and "outputs" in kwargs)):
            from layerkit.models.functional import Functional
            return Layer.__new__(Functional, *args, **kwargs)
        return Layer.__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs:
            # A subclass that calls Model.__init__(inputs, outputs): functional subclassing.
            from layerkit.models.functional import Functional
            if not isinstance(self, Functional):
                raise TypeError(
                    f"{type(self).__name__}: to build a model from inputs and outputs, "
                    "use Model(inputs, outputs) or subclass Functional.")
        name = kwargs.pop("name", None)
        trainable = kwargs.pop("trainable", True)
        Layer.__init__(self, name=name, trainable=trainable, **kwargs)
        Trainer.__init__(self)

    @property
    def layers(self):
        return [l for l in self._layers]

    def stateless_call(self, trainable_variables, non_trainable_variables, *args,
                       return_losses=False, **kwargs):
        """Calls the model with the given variable values instead of its own (a pure
        function on JAX: usable under jax.jit/grad). Returns (outputs,
        non_trainable_variables), plus the added losses if return_losses."""
        from layerkit.engine.common.stateless_scope import StatelessScope
        trainable, non_trainable = self.trainable_variables, self.non_trainable_variables
        if len(trainable_variables) != len(trainable) or \
                len(non_trainable_variables) != len(non_trainable):
            raise ValueError(
                f'stateless_call on "{self.name}": expected {len(trainable)} trainable and '
                f"{len(non_trainable)} non-trainable values, received "
                f"{len(trainable_variables)} and {len(non_trainable_variables)}.")
        from layerkit import engine
        as_tensor = lambda v: v if engine.is_tensor(v) else engine.convert_to_tensor(v)
        mapping = [(v, as_tensor(x)) for v, x in zip(trainable, trainable_variables)] + \
            [(v, as_tensor(x)) for v, x in zip(non_trainable, non_trainable_variables)]
        with StatelessScope(mapping, collect_losses=return_losses) as scope:
            outputs = self(*args, **kwargs)
        new_non_trainable = []
        for v, old in zip(non_trainable, non_trainable_variables):
            updated = scope.get_current_value(v)
            new_non_trainable.append(old if updated is None else updated)
        if return_losses:
            return outputs, new_non_trainable, list(scope.losses)
        return outputs, new_non_trainable

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A functional config (it lists layers and input layers) rebuilds the graph, as
        Keras's `Model.from_config` does; anything else goes to the constructor."""
        from layerkit.models.functional import Functional
        if cls is Model and "layers" in config and "input_layers" in config:
            return Functional.from_config(config, custom_objects=custom_objects)
        return super().from_config(config)

    def get_layer(self, name=None, index=None):
        if index is None and isinstance(name, int):
            name, index = None, name
        if index is not None:
            layers = self.layers
            if not -len(layers) <= index < len(layers):
                raise ValueError(f'get_layer: index {index} is out of range; model "{self.name}" '
                                 f"has {len(layers)} layers.")
            return layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: "
                         f"{[l.name for l in self.layers]}.")

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        from layerkit.models.summary import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable,
                      layer_range=layer_range)

    def _maybe_build(self, args):
        if self.built:
            return
        if type(self).build is not Model.build:
            Layer._maybe_build(self, args)
            return
        # A subclassed model: its sublayers build themselves during this first call.
        self.built = True

    def build(self, input_shape=None):
        if self.built:
            return
        if input_shape is None:
            raise ValueError(f'Model "{self.name}": build() needs an input_shape.')
        from layerkit.engine.common.symbolic_tensor import SymbolicTensor
        self(SymbolicTensor(tuple(input_shape)))
        self.built = True
