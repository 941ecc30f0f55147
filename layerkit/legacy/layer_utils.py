"""Keras 2's `keras.utils.layer_utils`: print_summary, count_params,
convert_all_kernels_in_model, get_source_inputs."""
import numpy as np


def print_summary(model, line_length=None, positions=None, print_fn=None):
    """The table model.summary() prints."""
    model.summary(line_length=line_length, positions=positions, print_fn=print_fn)


def count_params(weights):
    """The number of scalars in a list of weights (Variables or arrays), each counted once."""
    seen, total = set(), 0
    for w in weights:
        if id(w) in seen:
            continue
        seen.add(id(w))
        total += int(np.prod(tuple(w.shape)))
    return total


def convert_kernel(kernel):
    """A convolution kernel with its spatial axes reversed: Theano's convolution flips
    the kernel, TensorFlow's (and layerkit's) correlation does not."""
    kernel = np.asarray(kernel)
    if kernel.ndim < 3:
        raise ValueError(f"convert_kernel: expected a convolution kernel (rank 3 to 5), "
                         f"received an array of shape {kernel.shape}.")
    spatial = tuple(slice(None, None, -1) for _ in range(kernel.ndim - 2))
    return np.copy(kernel[spatial + (slice(None), slice(None))])


_CONV_CLASSES = ("Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
                 "Conv3DTranspose", "DepthwiseConv1D", "DepthwiseConv2D",
                 "SeparableConv1D", "SeparableConv2D")


def convert_all_kernels_in_model(model):
    """Flips every convolution kernel of `model` (weights trained by Theano used with
    TensorFlow-style correlation, or the reverse), as Keras 2 did. Bias and pointwise
    kernels are left as they are."""
    for layer in model._flatten_layers():
        if type(layer).__name__ not in _CONV_CLASSES:
            continue
        for name in ("kernel", "depthwise_kernel"):
            variable = getattr(layer, name, None)
            if variable is not None:
                variable.assign(convert_kernel(np.asarray(variable.numpy())))


def get_source_inputs(tensor):
    """The Input tensors that `tensor` (a symbolic tensor of a functional graph) is
    computed from, in the order they are found."""
    found, seen, stack = [], set(), [tensor]
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        history = getattr(t, "_history", None)
        if history is None:
            found.append(t)
            continue
        layer, node_index, _ = history
        node = layer._inbound_nodes[node_index]
        if not node.input_tensors:
            found.append(t)
        stack.extend(reversed(node.input_tensors))
    return found
