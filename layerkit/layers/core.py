"""Core layers: Dense, Activation, Dropout, Lambda, Identity, ActivityRegularization,
Masking."""
import inspect
import numbers
import sys

from layerkit import activations, constraints, initializers, ops, regularizers
from layerkit import engine
from layerkit import random as lk_random
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.layers import function_code
from layerkit.layers.input_spec import InputSpec
from layerkit.layers.layer import Layer
from layerkit.layers.symbolic_function import SymbolicFunctionNeeded, symbolic_runner
from layerkit.utils.tree import map_structure
from layerkit.utils.object_registry import get_custom_objects

# Keras 3 Dense options layerkit does not implement; accepted only at their "off" value
# so that Keras 3 configs load.
_DENSE_UNSUPPORTED = ("lora_rank", "lora_alpha", "quantization_config")


def _same_dtype_spec(layer, inputs):
    """A SymbolicTensor with the layer's output shape and the input's dtype (layers that
    only move data around keep integer inputs integer)."""
    shape = layer.compute_output_shape(tuple(inputs.shape))
    return SymbolicTensor(shape, inputs.dtype)


class Dense(Layer):
    """`activation(inputs @ kernel + bias)` over the last axis of the inputs."""

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        for key in _DENSE_UNSUPPORTED:
            if kwargs.pop(key, None) not in (None, 0):
                raise NotImplementedError(f"Dense: `{key}` is not supported by layerkit.")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if isinstance(units, float) and units.is_integer():
            units = int(units)
        # numpy integers too: Keras 2 programs size layers with np.max(y) + 1.
        if not isinstance(units, numbers.Integral) or isinstance(units, bool) or units <= 0:
            raise ValueError(f'Dense "{self.name}": `units` must be a positive integer, '
                             f"received units={units!r}.")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True
        self.kernel = None
        self.bias = None

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f'Dense "{self.name}": the last dimension of the inputs must be '
                             f"known, received input shape {tuple(input_shape)}.")
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, self.units),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        kernel = self.kernel.value
        if inputs.dtype != kernel.dtype:   # engine dtypes on both sides: no name lookup
            inputs = ops.cast(inputs, self.kernel.dtype)  # e.g. integer features
        bias = self.bias.value if self.bias is not None else None
        outputs = ops.dense(inputs, kernel, bias)
        if self.activation is not activations.linear:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)[:-1] + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        })
        return config


class Activation(Layer):
    """Applies an activation function (a name such as "relu", or a callable)."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


class Dropout(Layer):
    """Sets a fraction `rate` of the inputs to 0 while training and scales the rest by
    1 / (1 - rate); the identity at inference."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(f'Dropout "{self.name}": `rate` must be a float between 0 and 1, '
                             f"received rate={rate!r}.")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.seed_generator = lk_random.SeedGenerator(seed, name=f"{self.name}_seed_generator")
        self._seed_generators.append(self.seed_generator)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            return ops.zeros_like(inputs)
        return lk_random.dropout(inputs, self.rate, noise_shape=self.noise_shape,
                              seed=self.seed_generator)

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_output_spec(self, inputs, *args, **kwargs):
        return _same_dtype_spec(self, inputs)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed,
                       "noise_shape": None if self.noise_shape is None
                       else list(self.noise_shape)})
        return config


class Identity(Layer):
    """Returns its inputs unchanged."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_output_spec(self, inputs, *args, **kwargs):
        return map_structure(lambda t: SymbolicTensor(t.shape, t.dtype), inputs)

    def get_config(self):
        return super().get_config()


class ActivityRegularization(Layer):
    """Returns its inputs and adds `l1 * sum|x| + l2 * sum x**2` (per sample) to the losses."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = l1
        self.l2 = l2
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"l1": self.l1, "l2": self.l2})
        return config


class Masking(Layer):
    """Zeroes the timesteps whose features all equal `mask_value` and reports a mask
    (`compute_mask`) that is False at those timesteps."""

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return inputs * ops.cast(keep, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config


# --- Lambda ----------------------------------------------------------------
def _owner(layer_name, what):
    return f'Lambda layer "{layer_name}"' + ("" if what == "function" else f" ({what})")


def _serialize_function(fn, layer_name, what):
    """A lambda or a nested function is stored as its code (function_code.py); a named
    function by name and module, as Keras 3 writes both."""
    if function_code.stores_code(fn):
        return function_code.dump_function(fn, _owner(layer_name, what))
    name = getattr(fn, "__name__", None)
    if name is None:
        raise ValueError(f'Lambda "{layer_name}": cannot serialize {what} {fn!r}: it has no '
                         "name. Use a named function.")
    return {"module": getattr(fn, "__module__", None), "class_name": "function",
            "config": name, "registered_name": name}


def _registered_objects():
    return get_custom_objects() or {}


def _deserialize_function(config, custom_objects, layer_name, what):
    """The callable `config` describes: a function passed in custom_objects under the
    layer's name ("lam", or "lam.output_shape"), stored code (rebuilt outside safe mode
    only), or a name found in custom_objects, the registered objects, layerkit's
    activations and ops, or a module that is already imported."""
    if callable(config):
        return config
    custom_objects = dict(custom_objects or {})
    key = layer_name if what == "function" else f"{layer_name}.{what}"
    if isinstance(config, dict) and config.get("class_name") == function_code.LAMBDA_CLASS:
        if callable(custom_objects.get(key)):
            return custom_objects[key]
        if function_code.is_stored_code(config):
            return function_code.load_function(
                config, _owner(layer_name, what),
                f"pass the function in code as custom_objects={{{key!r}: fn}}.")
        # Written by layerkit before it stored code: a marker only.
        raise ValueError(
            f'Lambda layer "{layer_name}": its {what} was a Python lambda whose code the '
            "file does not hold. Re-create the layer in code, or pass the function as "
            f"custom_objects={{{key!r}: fn}}.")
    module = None
    if isinstance(config, dict):
        module = config.get("module")
        name = config.get("registered_name") or config.get("config")
        if not isinstance(name, str):
            name = config.get("config")
        if not isinstance(name, str):
            raise ValueError(f'Lambda layer "{layer_name}": cannot read {what} from '
                             f"{config!r}.")
    elif isinstance(config, str):
        name = config
    else:
        raise ValueError(f'Lambda layer "{layer_name}": cannot read {what} from {config!r}.')
    for table in (custom_objects, _registered_objects()):
        if name in table:
            return table[name]
        short = name.split(">")[-1]
        if short in table:
            return table[short]
    for mod in (sys.modules.get(module) if module else None, activations, ops):
        fn = getattr(mod, name.split(">")[-1], None) if mod is not None else None
        if callable(fn):
            return fn
    raise ValueError(
        f'Lambda layer "{layer_name}": unknown {what} {name!r} (module {module!r}). Pass it '
        f"through custom_objects={{{name!r}: fn}}, register it, or import its module before "
        "loading.")


def _keras2_code(value, module):
    """Keras 2's bytecode entry (function_type "lambda": the code, or [code, defaults,
    closure]) in Keras 3's form."""
    code, defaults, closure = (list(value) + [None, None])[:3] \
        if isinstance(value, (list, tuple)) else (value, None, None)
    return {"class_name": function_code.LAMBDA_CLASS,
            "config": {"code": code, "defaults": defaults, "closure": closure,
                       "module": module}}


class Lambda(Layer):
    """Wraps an arbitrary expression `function(inputs, **arguments)` as a layer."""

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f'Lambda "{self.name}": `function` must be callable, received '
                            f"{function!r}.")
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        if isinstance(output_shape, list) and all(d is None or isinstance(d, int)
                                                  for d in output_shape):
            output_shape = tuple(output_shape)
        self._output_shape = output_shape
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        self._fn_expects_training = "training" in params
        self._fn_expects_mask = "mask" in params

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask:
            kwargs["mask"] = mask
        if self._fn_expects_training:
            kwargs["training"] = training
        try:
            return self.function(inputs, **kwargs)
        except SymbolicFunctionNeeded:
            runner = symbolic_runner()
            if runner is None:
                raise
            return runner(self, inputs, kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def _shape_from_argument(self, input_shape):
        if callable(self._output_shape):
            return _tuple_shapes(self._output_shape(input_shape))
        first = input_shape
        while not _is_shape(first) and first:
            first = first[0] if isinstance(first, (list, tuple)) else next(iter(first.values()))
        batch = first[0] if first else None
        return _map_shapes(lambda s: (batch,) + s, _tuple_shapes(self._output_shape))

    def compute_output_shape(self, input_shape):
        if self._output_shape is not None:
            return self._shape_from_argument(input_shape)
        specs = _map_shapes(lambda s: SymbolicTensor(s, self.compute_dtype),
                            _tuple_shapes(input_shape))
        out = self.compute_output_spec(specs)
        return map_structure(lambda t: t.shape, out)

    def compute_output_spec(self, inputs, *args, **kwargs):
        if self._output_shape is None:
            try:
                return engine.compute_output_spec(self.call, inputs, *args, **kwargs)
            except Exception as e:
                raise ValueError(
                    f'Lambda "{self.name}": could not infer the output shape of its function '
                    f"automatically ({type(e).__name__}: {e}). Pass `output_shape=` to the "
                    "Lambda layer.") from e
        shapes = map_structure(lambda t: tuple(t.shape), inputs)
        out_shape = self._shape_from_argument(shapes)
        return _map_shapes(lambda s: SymbolicTensor(s, self.compute_dtype), out_shape)

    def get_config(self):
        config = super().get_config()
        config["function"] = _serialize_function(self.function, self.name, "function")
        if self._output_shape is not None:
            config["output_shape"] = (
                _serialize_function(self._output_shape, self.name, "output_shape")
                if callable(self._output_shape) else self._output_shape)
        if self.mask is not None:
            if not callable(self.mask):
                raise ValueError(f'Lambda "{self.name}": a tensor `mask` cannot be stored in '
                                 "a config; pass a function instead.")
            config["mask"] = _serialize_function(self.mask, self.name, "mask")
        config["arguments"] = self.arguments
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        name = config.get("name", "lambda")
        # Keras 2 stores the kind beside the value: function_type "lambda" (code) or
        # "function" (a name), output_shape_type "raw" (a shape) or one of those.
        legacy = {"function": (config.pop("function_type", None), config.pop("module", None)),
                  "output_shape": (config.pop("output_shape_type", None),
                                   config.pop("output_shape_module", None))}
        for what, (kind, module) in legacy.items():
            if kind == "lambda":
                config[what] = _keras2_code(config[what], module)
            elif kind == "function":
                config[what] = {"class_name": "function", "config": config[what],
                                "module": module}
        config["function"] = _deserialize_function(config["function"], custom_objects,
                                                   name, "function")
        for what in ("output_shape", "mask"):
            value = config.get(what)
            if isinstance(value, (dict, str)):
                config[what] = _deserialize_function(value, custom_objects, name, what)
        return cls(**config)


def _is_shape(s):
    return isinstance(s, tuple) and all(d is None or isinstance(d, int) for d in s)


def _tuple_shapes(structure):
    """Shapes given as lists (e.g. read back from JSON) become tuples."""
    if isinstance(structure, (list, tuple)) and all(d is None or isinstance(d, int)
                                                    for d in structure):
        return tuple(structure)
    if isinstance(structure, dict):
        return {k: _tuple_shapes(v) for k, v in structure.items()}
    return [_tuple_shapes(s) for s in structure]


def _map_shapes(fn, structure):
    """map over a nested structure whose leaves are shape tuples."""
    if _is_shape(structure):
        return fn(structure)
    if isinstance(structure, dict):
        return {k: _map_shapes(fn, v) for k, v in structure.items()}
    return [_map_shapes(fn, s) for s in structure]
