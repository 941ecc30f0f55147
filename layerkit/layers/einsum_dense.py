"""EinsumDense: a dense layer whose product is an einsum equation, e.g. "abc,cde->abde"
(MultiHeadAttention's query/key/value projections), with Keras 3's weight shapes,
bias axes and fans.

The equation takes the three forms Keras accepts: "X,Y->Z", "...X,Y->...Z" (leading
axes elided) and "X...,Y->Z..." (trailing axes elided). `output_shape` gives the output's
non-batch sizes (None where the input fixes them); the kernel takes each of its axes'
size from the output when the letter is there, else from the input.
"""
import re

from layerkit import activations, constraints, initializers, ops, regularizers
from layerkit.initializers.random import VarianceScaling
from layerkit.layers.input_spec import InputSpec
from layerkit.layers.layer import Layer

_UNSUPPORTED = ("lora_rank", "lora_alpha", "gptq_unpacked_column_size")


def _split_equation(equation, who):
    """(input letters, kernel letters, output letters, where '...' sits: None, 'left'
    or 'right')."""
    text = str(equation).replace(" ", "").replace("...", "0")
    for pattern, side in (("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$", None),
                          ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$", "left"),
                          ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$", "right")):
        match = re.match(pattern, text)
        if match:
            return match.group(1), match.group(2), match.group(3), side
    raise ValueError(f"{who}: invalid einsum equation {equation!r}; it must read "
                     "X,Y->Z, ...X,Y->...Z or X...,Y->Z... (letters only).")


def analyze_equation(equation, bias_axes, input_shape, partial_output_shape, who):
    """Keras's shapes for an EinsumDense: (kernel shape, bias shape or None, full output
    shape, kernel input axes, kernel output axes)."""
    in_spec, w_spec, out_spec, side = _split_equation(equation, who)
    input_shape = tuple(input_shape)
    elided = len(input_shape) - len(in_spec)
    if elided < 0 or (side is None and elided):
        raise ValueError(f"{who}: the equation {equation!r} expects inputs of rank "
                         f"{len(in_spec)}{' or more' if side else ''}, received input "
                         f"shape {input_shape}.")
    output = [input_shape[0]] + list(partial_output_shape)
    if side == "left":
        output[1:1] = list(input_shape[1:elided])
        in_axis = {c: i + elided for i, c in enumerate(in_spec)}
        out_axis = {c: i + elided for i, c in enumerate(out_spec)}
    else:
        if side == "right":
            output += list(input_shape[len(input_shape) - elided:])
        in_axis = {c: i for i, c in enumerate(in_spec)}
        out_axis = {c: i for i, c in enumerate(out_spec)}
    if len(output) != len(out_spec) + max(elided, 0):
        raise ValueError(f"{who}: `output_shape` {tuple(partial_output_shape)} does not fit "
                         f"the equation's output {out_spec!r} (it lists every output axis "
                         "but the batch axis).")
    for c in in_spec:
        if c in out_axis and output[out_axis[c]] is not None and \
                output[out_axis[c]] != input_shape[in_axis[c]]:
            raise ValueError(
                f"{who}: input shape {input_shape} and output shape {tuple(output)} differ "
                f"on the shared axis {c!r} ({input_shape[in_axis[c]]} vs "
                f"{output[out_axis[c]]}).")
        if c in out_axis:
            output[out_axis[c]] = input_shape[in_axis[c]]
    for c in out_spec:
        if c not in in_spec and c not in w_spec:
            raise ValueError(f"{who}: output axis {c!r} of {equation!r} is in neither the "
                             "input nor the kernel.")
    kernel, input_axes, output_axes = [], [], []
    for i, c in enumerate(w_spec):
        if c in out_axis:
            kernel.append(output[out_axis[c]])
            output_axes.append(i)
        elif c in in_axis:
            kernel.append(input_shape[in_axis[c]])
            input_axes.append(i)
        else:
            raise ValueError(f"{who}: kernel axis {c!r} of {equation!r} is in neither the "
                             "input nor the output.")
    bias = None
    if bias_axes is not None:
        missing = [c for c in bias_axes if c not in out_spec]
        if missing:
            raise ValueError(f"{who}: bias axes {missing} are not output axes of "
                             f"{equation!r}.")
        offset = elided if side == "left" else 0
        first = min(out_spec.find(c) for c in bias_axes)
        bias = [output[i + offset] if c in bias_axes else 1
                for i, c in enumerate(out_spec) if i >= first]
        if side == "right":
            bias += [1] * elided
    return tuple(kernel), None if bias is None else tuple(bias), tuple(output), \
        input_axes, output_axes


class EinsumDense(Layer):
    """`activation(einsum(equation, inputs, kernel) + bias)`."""

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, quantization_config=None, **kwargs):
        for key in _UNSUPPORTED:
            if kwargs.pop(key, None) not in (None, 0):
                raise NotImplementedError(f"EinsumDense: `{key}` is not supported by "
                                          "layerkit (Keras's LoRA/GPTQ options).")
        if quantization_config is not None:
            raise NotImplementedError("EinsumDense: `quantization_config` is not supported "
                                      "by layerkit.")
        super().__init__(**kwargs)
        who = f'EinsumDense "{self.name}"'
        _split_equation(equation, who)
        self.equation = equation
        if isinstance(output_shape, int):
            output_shape = (output_shape,)
        try:
            self.partial_output_shape = tuple(None if d is None else int(d)
                                              for d in output_shape)
        except (TypeError, ValueError):
            raise ValueError(f"{who}: `output_shape` must be an int or a tuple of ints "
                             f"(None for sizes the input fixes), received "
                             f"{output_shape!r}.") from None
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = None
        self.bias = None

    def _analyze(self, input_shape):
        return analyze_equation(self.equation, self.bias_axes, input_shape,
                                self.partial_output_shape, f'EinsumDense "{self.name}"')

    def build(self, input_shape):
        kernel_shape, bias_shape, _, input_axes, output_axes = self._analyze(input_shape)
        if any(d is None for d in kernel_shape + (bias_shape or ())):
            raise ValueError(f'EinsumDense "{self.name}": the weights need known sizes, but '
                             f"the kernel comes out {kernel_shape} for input shape "
                             f"{tuple(input_shape)} and output_shape "
                             f"{self.partial_output_shape}.")
        self.input_spec = InputSpec(ndim=len(input_shape))
        init = self.kernel_initializer
        if isinstance(init, VarianceScaling) and (init.input_axes is None or
                                                  init.output_axes is None):
            # The fans come from the kernel's input and output axes, as in Keras 3.
            config = dict(init.get_config(), input_axes=input_axes, output_axes=output_axes)
            init = type(init).from_config(config)
        self.kernel = self.add_weight(name="kernel", shape=kernel_shape, initializer=init,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if bias_shape is not None:
            self.bias = self.add_weight(name="bias", shape=bias_shape,
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        outputs = ops.einsum(self.equation, inputs, self.kernel.value)
        if self.bias is not None:
            outputs = outputs + self.bias.value
        if self.activation is not activations.linear:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        return self._analyze(input_shape)[2]

    def get_config(self):
        config = super().get_config()
        config.update({
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        })
        return config
