"""The Layer base class: weights, build-on-first-call, symbolic calls, config (how masks
travel through the calls is layer_masks.py)."""
import inspect

import numpy as np

from layerkit import dtype_policies, engine
from layerkit.engine.common import masking, naming
from layerkit.engine.common.name_scope import current_caller, current_path, name_scope
from layerkit.engine.common.dtypes import standardize_dtype
from layerkit.engine.common.stateless_scope import get_stateless_scope
from layerkit.engine.common.symbolic_tensor import SymbolicTensor, any_symbolic
from layerkit.layers.autocast import call_in_policy
from layerkit.layers.call_context import CALL_CONTEXT, current_training
from layerkit.layers.input_spec import assert_input_compatibility
from layerkit.layers.layer_masks import MaskedCalls, symbolic_masks
from layerkit.layers.node import Node
from layerkit.utils.object_registry import register_builtin_classes
from layerkit.utils.tree import flatten, map_structure

_BASE_KWARGS = ("input_shape", "batch_input_shape", "batch_size", "input_dim", "weights",
                "input_length")


class Layer(MaskedCalls):
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # layerkit's own layers and models become resolvable by name in configs
        # (lower floors such as activations look them up there); user classes are
        # registered explicitly, with register_keras_serializable.
        if cls.__module__.startswith("layerkit."):
            register_builtin_classes({cls.__name__: cls})
        # A build defined by a subclass runs inside the layer's name scope, so the
        # Variables it makes (its own and its sublayers') get Keras's paths.
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_in_name_scope", False):
            cls.build = _build_in_name_scope(build)

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        # Recorded so get_config() of simple subclasses can round-trip.
        obj._init_args = (args, dict(kwargs))
        return obj

    def __init__(self, trainable=True, name=None, dtype=None, activity_regularizer=None,
                 autocast=True, **kwargs):
        unknown = [k for k in kwargs if k not in _BASE_KWARGS]
        if unknown:
            raise TypeError(f"{type(self).__name__}: unrecognized keyword argument(s) "
                            f"{unknown}. Valid base keywords: trainable, name, dtype, "
                            f"activity_regularizer, {', '.join(_BASE_KWARGS)}.")
        object.__setattr__(self, "_layers", [])
        # A layer's own Variables in Keras's order: those trainable when tracked, then
        # the others (`_own_trainable` counts the first group).
        object.__setattr__(self, "_own_variables", [])
        object.__setattr__(self, "_own_trainable", 0)
        self._parent_path = None
        self._trainable = bool(trainable)
        self.name = name or naming.uniquify(naming.to_snake_case(type(self).__name__))
        # `_dtype`: the policy given (None: the global one when the layer was made).
        self._dtype = None if dtype is None else dtype_policies.get(dtype)
        self._dtype_policy = self._dtype or dtype_policies.dtype_policy()
        self.autocast = bool(autocast)
        from layerkit import regularizers
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.built = False
        self.input_spec = None
        # Keras 3: a layer that defines compute_mask supports masking.
        self._overrides_compute_mask = type(self).compute_mask is not Layer.compute_mask
        self.supports_masking = self._overrides_compute_mask
        # Whether a call may produce a mask from unmasked inputs (checked on every
        # call, so a plain attribute; a model sets it from its graph).
        self._makes_masks = self._overrides_compute_mask
        self._inbound_nodes = []
        self._losses = []
        self._seed_generators = []
        self._initial_weights = kwargs.get("weights")
        batch_input_shape = kwargs.get("batch_input_shape")
        if batch_input_shape is None:
            input_shape = kwargs.get("input_shape")
            if input_shape is None and kwargs.get("input_dim") is not None:
                input_shape = (kwargs["input_dim"],)
                if kwargs.get("input_length") is not None:
                    input_shape = (kwargs["input_length"],)
            if input_shape is not None:
                if isinstance(input_shape, int):
                    input_shape = (input_shape,)
                batch_input_shape = (kwargs.get("batch_size"),) + tuple(input_shape)
        self._batch_input_shape = (None if batch_input_shape is None
                                   else tuple(batch_input_shape))
        sig = inspect.signature(self.call).parameters
        self._call_has_training = "training" in sig
        self._call_has_mask = "mask" in sig

    # --- attribute tracking ------------------------------------------
    def __setattr__(self, name, value):
        if isinstance(value, Layer) and name != "_outer" and "_layers" in self.__dict__:
            if value is not self and all(value is not l for l in self._layers):
                self._layers.append(value)
        elif isinstance(value, (list, tuple)) and value and not name.startswith("_") \
                and "_layers" in self.__dict__ and all(isinstance(v, Layer) for v in value):
            for v in value:
                if all(v is not l for l in self._layers):
                    self._layers.append(v)
        elif isinstance(value, engine.Variable) and "_own_variables" in self.__dict__:
            self._track_variable(value, freeze=False)
        object.__setattr__(self, name, value)

    # --- dtype policy (Keras 3: `dtype` is the variable dtype) --------
    @property
    def dtype_policy(self):
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value):
        self._dtype = self._dtype_policy = dtype_policies.get(value)

    @property
    def dtype(self):
        return self._dtype_policy.variable_dtype

    @property
    def variable_dtype(self):
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self):
        return self._dtype_policy.compute_dtype

    input_dtype = compute_dtype

    # Functional models pass inputs on uncast (their layers cast), as in Keras 3.
    _autocast_inputs = True

    # --- weights -----------------------------------------------------
    def add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None,
                   trainable=True, constraint=None, **kwargs):
        # Keras 3 puts `shape` first; Keras 2 puts `name` first. Accept both.
        if name is not None and not isinstance(name, str) and shape is None:
            name, shape = None, name
        autocast = kwargs.pop("autocast", kwargs.pop("experimental_autocast", True))
        for legacy in ("use_resource", "synchronization", "aggregation", "partitioner",
                       "caching_device"):
            kwargs.pop(legacy, None)
        if kwargs:
            raise TypeError(f"{self.name}.add_weight: unrecognized keyword argument(s) "
                            f"{sorted(kwargs)}.")
        from layerkit import constraints, initializers, regularizers
        shape = () if shape is None else tuple(int(d) for d in shape)
        dtype = standardize_dtype(dtype or self.dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.startswith("float") else "zeros"
        init = initializers.get(initializer)
        with self._name_scope():
            variable = engine.Variable(init, shape=shape, dtype=dtype, trainable=trainable,
                                        name=name, constraint=constraints.get(constraint),
                                        autocast=autocast)
        variable.regularizer = regularizers.get(regularizer)
        self._track_variable(variable)
        return variable

    def add_variable(self, *args, **kwargs):
        return self.add_weight(*args, **kwargs)

    def _track_variable(self, variable, freeze=True):
        """Records `variable` as the layer's own, in Keras's order. A weight added to a
        frozen layer is frozen (Keras's `_track_variable`)."""
        own = self._own_variables
        if any(variable is v for v in own):
            return
        if variable.trainable:
            own.insert(self._own_trainable, variable)
            object.__setattr__(self, "_own_trainable", self._own_trainable + 1)
        else:
            own.append(variable)
        if freeze and not self._trainable:
            variable.trainable = False

    def _name_scope(self):
        """The layer's name scope; the path where it first opened one stays its parent."""
        if self._parent_path is None:
            self._parent_path = current_path()
        return name_scope(self.name, caller=self, override_parent=self._parent_path)

    def _flatten_layers(self, include_self=True):
        seen, out = set(), []
        stack = [self] if include_self else list(reversed(self._layers))
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            stack.extend(reversed(layer._layers))
        return out

    @property
    def weights(self):
        """Keras 3's order: the layer's own weights (trainable-when-tracked first), then
        each sublayer's `weights` in turn, without repeats."""
        out = list(self._own_variables)
        if self._layers:
            seen = {id(v) for v in out}
            for layer in self._layers:
                for v in layer.weights:
                    if id(v) not in seen:
                        seen.add(id(v))
                        out.append(v)
        return out

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [v for v in self.weights if v.trainable]

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights
        return [v for v in self.weights if not v.trainable]

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def seed_generators(self):
        out = []
        for layer in self._flatten_layers():
            out.extend(layer._seed_generators)
        return out

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        # As Keras 3: the weights that were trainable when tracked follow the layer.
        self._trainable = bool(value)
        for v in self._own_variables[:self._own_trainable]:
            v.trainable = self._trainable
        for layer in self._layers:
            layer.trainable = value

    def get_weights(self):
        return [np.array(v.numpy()) for v in self.weights]

    def set_weights(self, weights):
        """Sets `weights` (in the order of `self.weights`, Keras 3's) from arrays; checks
        every count and shape before writing any."""
        params = self.weights
        if len(weights) != len(params):
            raise ValueError(
                f'You called set_weights(weights) on layer "{self.name}" with a weight list '
                f"of length {len(weights)}, but the layer expects {len(params)} weights: "
                f"{[(v.path, v.shape) for v in params]}; received shapes "
                f"{[tuple(np.shape(w)) for w in weights]}.")
        for i, (v, w) in enumerate(zip(params, weights)):
            if tuple(np.shape(w)) != v.shape:
                raise ValueError(
                    f'Layer "{self.name}": weight {i} ({v.path}) has shape {v.shape}, which is '
                    f"not compatible with the provided weight shape {tuple(np.shape(w))}.")
        for v, w in zip(params, weights):
            v.assign(np.asarray(w, dtype=v.dtype))

    def count_params(self):
        if not self.built:
            raise ValueError(
                f'You tried to call `count_params` on layer "{self.name}", but the layer '
                "isn't built. You can build it manually via `layer.build(input_shape)`.")
        return int(sum(np.prod(v.shape, dtype=np.int64) for v in self.weights))

    # --- losses ------------------------------------------------------
    def add_loss(self, loss):
        scope = get_stateless_scope()
        if scope is not None and scope.losses is not None:
            scope.add_loss(loss)
        else:
            self._losses.append(loss)

    @property
    def losses(self):
        """Activity losses of the last call plus the weight regularization penalties."""
        out = []
        for layer in self._flatten_layers():
            out.extend(layer._losses)
        out.extend(self._regularization_losses())
        return out

    def _regularization_losses(self):
        out = []
        for layer in self._flatten_layers():
            for v in layer._own_variables:
                reg = getattr(v, "regularizer", None)
                if reg is not None and v.trainable:
                    out.append(reg(v.value))
        return out

    # --- building ----------------------------------------------------
    def build(self, input_shape=None):
        self.built = True

    def _maybe_build(self, args):
        if self.built:
            return
        first = args[0] if args else None
        shapes = map_structure(lambda t: tuple(t.shape) if hasattr(t, "shape") else None, first)
        self.build(shapes)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def compute_output_shape(self, input_shape):
        raise NotImplementedError

    def _has_own_output_shape(self):
        return type(self).compute_output_shape is not Layer.compute_output_shape

    def compute_output_spec(self, *args, **kwargs):
        if self._has_own_output_shape():
            first = args[0]
            shapes = map_structure(lambda t: tuple(t.shape), first)
            out_shape = self.compute_output_shape(shapes)
            dtype = self.compute_dtype
            if isinstance(out_shape, tuple) and all(d is None or isinstance(d, int)
                                                     for d in out_shape):
                return SymbolicTensor(out_shape, dtype)
            if isinstance(out_shape, dict):
                return {k: SymbolicTensor(s, dtype) for k, s in out_shape.items()}
            return [SymbolicTensor(s, dtype) for s in out_shape]
        return engine.compute_output_spec(self._policy_call, *args, **kwargs)

    def _policy_call(self, *args, **kwargs):
        return call_in_policy(self, args, kwargs)

    # --- calling -----------------------------------------------------
    def __call__(self, *args, **kwargs):
        if not self.built and current_caller() is not self:
            # The first call builds the layer (and sublayers made in __init__) inside
            # its name scope, as Keras does.
            with self._name_scope():
                return self.__call__(*args, **kwargs)
        training = kwargs.get("training")
        pushed = training is not None
        context = CALL_CONTEXT
        if pushed:
            context.training.append(bool(training))
        try:
            first = args[0] if args else None
            # Fast check: an engine tensor first and nothing else means an eager call.
            if not (engine.is_tensor(first) and len(args) == 1 and
                    (not kwargs or set(kwargs) <= {"training", "mask"})) \
                    and any_symbolic((args, kwargs)):
                # A graph node keeps only an explicit `training`, so the value at
                # run time comes from the caller.
                if training is None:
                    kwargs.pop("training", None)
                return self._symbolic_call(args, kwargs)
            if masking.LIVE or (kwargs and kwargs.get("mask") is not None) or \
                    (self._makes_masks and self.supports_masking):
                return self._call_attaching_masks(args, kwargs)
            return self._eager_call(args, kwargs)
        finally:
            if pushed:
                context.training.pop()

    def _eager_call(self, args, kwargs):
        training = kwargs.get("training")
        if self._call_has_training:
            if training is None:
                kwargs["training"] = current_training(self._training_default)
        elif "training" in kwargs:
            del kwargs["training"]
        if "mask" in kwargs and not self._call_has_mask:
            self._check_mask_keyword(kwargs.pop("mask"))
        first = args[0] if args else None
        if first is not None and not engine.is_tensor(first):
            if isinstance(first, (list, tuple)):
                first = type(first)(engine.convert_to_tensor(a) if isinstance(a, np.ndarray)
                                    else a for a in first)
            elif not isinstance(first, dict) and not (isinstance(first, np.ndarray) and
                                                      first.dtype.kind in "USO"):
                # (strings stay numpy arrays, for the host-side preprocessing layers)
                first = engine.convert_to_tensor(first, dtype=self._input_dtype(first))
            args = (first,) + args[1:]
        if not self.built:
            self._maybe_build(args)
        if self.input_spec is not None and not CALL_CONTEXT.checked_graph:
            assert_input_compatibility(self.input_spec, first, self.name)
        if self._losses:
            self._losses = []
        outputs = self._single_output(call_in_policy(self, args, kwargs))
        if self.activity_regularizer is not None:
            for o in flatten(outputs):
                self.add_loss(self.activity_regularizer(o) / o.shape[0])
        return outputs

    # `training` of a call outside fit/predict that names none: False, as Keras's
    # Dropout; Keras 3's random image layers default to True (they augment).
    _training_default = False

    # Op nodes (`x + 1` on a symbolic tensor) drop masks silently, as Keras's ops do.
    _drops_masks_silently = False

    def _input_dtype(self, x):
        dt = getattr(x, "dtype", None)
        if dt is not None and (np.issubdtype(dt, np.floating)) and self.autocast:
            return self.compute_dtype
        return None

    def _symbolic_call(self, args, kwargs):
        if not self.built:
            self._maybe_build(args)
        if self.input_spec is not None:
            assert_input_compatibility(self.input_spec, args[0] if args else None, self.name)
        spec_kwargs = dict(kwargs)
        if self._call_has_training:
            spec_kwargs.setdefault("training", False)
        first = args[0] if args else None
        previous = kwargs.get("mask")
        if previous is not None:
            if not self._call_has_mask:
                self._check_mask_keyword(previous)
        else:
            if not self._call_has_mask:
                spec_kwargs.pop("mask", None)
            previous = symbolic_masks(first)
            if self._call_has_mask and masking.any_mask(previous):
                spec_kwargs["mask"] = previous
        outputs = self._single_output(self.compute_output_spec(*args, **spec_kwargs))
        out_mask = self._output_mask_spec(first, previous)
        Node(self, call_args=args, call_kwargs=kwargs, outputs=outputs)
        if out_mask is not None:
            for t, m in zip(flatten(outputs), flatten(out_mask)):
                if isinstance(t, SymbolicTensor) and isinstance(m, SymbolicTensor):
                    t._keras_mask = m
        return outputs

    def call(self, inputs, *args, **kwargs):
        return inputs

    # Keras 2 unpacked a one-element list returned by a layer's call (a Model's
    # outputs keep their structure).
    _unpacks_single_output = True

    def _single_output(self, outputs):
        if type(outputs) is list and len(outputs) == 1 and self._unpacks_single_output:
            return outputs[0]
        return outputs

    # --- introspection -----------------------------------------------
    def _node_output(self, attr):
        if not self._inbound_nodes:
            raise AttributeError(f'The layer "{self.name}" has never been called and thus '
                                 f"has no defined {attr}.")
        node = self._inbound_nodes[0]
        tensors = node.output_tensors if attr == "output" else node.input_tensors
        return tensors[0] if len(tensors) == 1 else list(tensors)

    @property
    def output(self):
        return self._node_output("output")

    @property
    def input(self):
        return self._node_output("input")

    @property
    def output_shape(self):
        out = self.output
        return [t.shape for t in out] if isinstance(out, list) else out.shape

    @property
    def input_shape(self):
        inp = self.input
        return [t.shape for t in inp] if isinstance(inp, list) else inp.shape

    # --- config ------------------------------------------------------
    def get_config(self):
        policy = self._dtype_policy
        # A plain dtype stays a name (layerkit's files so far, Keras 2's); a mixed
        # policy is Keras 3's DTypePolicy dict.
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": dtype_policies.serialize(policy) if dtype_policies.is_mixed(policy)
                  else policy.variable_dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        if type(self).get_config is Layer.get_config and type(self).__init__ is not Layer.__init__:
            # A user subclass without get_config: keep its constructor keywords.
            args, kwargs = self._init_args
            if args:
                raise NotImplementedError(
                    f"Layer {type(self).__name__} was created with positional arguments "
                    "and does not override get_config(); override it to make it serializable.")
            config.update({k: v for k, v in kwargs.items() if k not in config})
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _build_in_name_scope(build):
    def build_in_scope(self, *args, **kwargs):
        with self._name_scope():
            return build(self, *args, **kwargs)

    build_in_scope.__name__ = build.__name__
    build_in_scope.__qualname__ = build.__qualname__
    build_in_scope.__doc__ = build.__doc__
    build_in_scope.__wrapped__ = build
    build_in_scope._in_name_scope = True
    return build_in_scope


register_builtin_classes({"Layer": Layer})
