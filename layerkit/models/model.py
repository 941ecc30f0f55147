"""Model: a Layer with training (compile/fit/evaluate/predict).

`Model(inputs, outputs)` builds a Functional model; subclassing Model with a
custom `call` gives a subclassed model.
"""
from layerkit.layers.layer import Layer
from layerkit.models.saving_hook import saving_function
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
        if args or "inputs" in kwargs or "outputs" in kwargs:
            # A subclass that calls Model.__init__(inputs, outputs): functional
            # subclassing, as in Keras (the instance becomes a Functional).
            from layerkit.models.functional import Functional
            if not isinstance(self, Functional):
                from layerkit.models.functional_subclass import become_functional
                become_functional(self)
                Functional.__init__(self, *args, **kwargs)
                return
        name = kwargs.pop("name", None)
        trainable = kwargs.pop("trainable", True)
        Layer.__init__(self, name=name, trainable=trainable, **kwargs)
        Trainer.__init__(self)

    @property
    def layers(self):
        return [l for l in self._layers]

    def reset_states(self):
        """Keras 2: resets the states of every stateful layer (stateful RNNs) to zeros."""
        for layer in self._flatten_layers(include_self=False):
            if getattr(layer, "stateful", False) and hasattr(layer, "reset_states"):
                layer.reset_states()

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
        # Inside an enclosing scope (a custom JAX train_step), the random seeds keep that
        # scope's values and advance there; its added losses are collected there too.
        outer = engine.get_stateless_scope()
        seeds = [g.state for g in self.seed_generators] if outer is not None else []
        mapping += [(s, s.value) for s in seeds]
        forward_losses = not return_losses and outer is not None and outer.losses is not None
        with StatelessScope(mapping, collect_losses=return_losses or forward_losses) as scope:
            outputs = self(*args, **kwargs)
        for s in seeds:
            if scope.get_current_value(s) is not None:
                s.assign(scope.get_current_value(s))
        if forward_losses:
            for loss in scope.losses:
                outer.add_loss(loss)
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
        # Kept for saving: a subclassed model is rebuilt for this shape before loading.
        first = args[0] if args else None
        if hasattr(first, "shape"):
            self._build_input_shape = (None,) + tuple(first.shape)[1:]
        if type(self).build is not Model.build:
            Layer._maybe_build(self, args)
            return
        # A subclassed model: its sublayers build themselves during this first call.
        self.built = True

    # --- saving (implemented by layerkit.saving, reached through a hook) -----
    def save(self, filepath, overwrite=True, **kwargs):
        """Saves the model (config, weights, compile settings, optimizer state): a
        `.keras` zip as Keras 3 writes it, or Keras 2's HDF5 layout for `.h5`/`.hdf5`."""
        return saving_function("save_model")(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        return saving_function("save_weights")(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath, skip_mismatch=False, by_name=False, **kwargs):
        return saving_function("load_weights")(self, filepath, skip_mismatch=skip_mismatch,
                                               by_name=by_name, **kwargs)

    def to_json(self, **kwargs):
        return saving_function("model_to_json")(self, **kwargs)

    def build(self, input_shape=None):
        if self.built:
            return
        if input_shape is None:
            raise ValueError(f'Model "{self.name}": build() needs an input_shape.')
        from layerkit.engine.common.symbolic_tensor import SymbolicTensor
        self(SymbolicTensor(tuple(input_shape)))
        self.built = True
