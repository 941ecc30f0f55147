"""InputLayer and Input(): the entry points of a functional graph."""
from layerkit.engine.common.dtypes import standardize_dtype
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.layers.layer import Layer
from layerkit.layers.node import Node


class InputLayer(Layer):
    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, name=None, input_shape=None, batch_input_shape=None,
                 **kwargs):
        if kwargs:
            raise TypeError(f"InputLayer: unrecognized keyword argument(s) {sorted(kwargs)}.")
        super().__init__(name=name)
        # Keras 2's Input(tensor=t) with data (an array or a stream of batches, not a
        # symbolic tensor): fit() without x reads it (utils/tensor_stream.py).
        self._tensor_source = None
        if input_tensor is not None and not isinstance(input_tensor, SymbolicTensor):
            from layerkit.utils.tensor_stream import TensorStream
            self._tensor_source = TensorStream(input_tensor, f'Input "{self.name}" tensor')
            first = self._tensor_source.peek()
            input_tensor = SymbolicTensor((None,) + first.shape[1:], str(first.dtype))
            dtype = dtype if dtype is not None else str(first.dtype)
        shape = shape if shape is not None else input_shape
        batch_shape = batch_shape if batch_shape is not None else batch_input_shape
        if shape is not None and batch_shape is not None:
            raise ValueError("InputLayer: pass either `shape` or `batch_shape`, not both.")
        if batch_shape is None:
            if shape is None:
                if input_tensor is None:
                    raise ValueError("InputLayer: a `shape` (without the batch size) is "
                                     "required, e.g. Input(shape=(32,)).")
                batch_shape = tuple(input_tensor.shape)
            else:
                if isinstance(shape, int):
                    shape = (shape,)
                batch_shape = (batch_size,) + tuple(shape)
        for d in batch_shape:
            if d is not None and (not isinstance(d, int) or d < 0):
                raise ValueError(f"InputLayer: shape dimensions must be non-negative ints or "
                                 f"None, received {tuple(batch_shape)}.")
        self._batch_input_shape = tuple(batch_shape)
        self._dtype = standardize_dtype(dtype)
        self.sparse = bool(sparse)
        self.built = True
        tensor = SymbolicTensor(self._batch_input_shape, self._dtype, name=self.name)
        Node(self, call_args=(), outputs=tensor)
        self._input_tensor = tensor

    @property
    def dtype(self):
        # An input's dtype is its tensor's, not a policy's.
        return self._dtype

    @property
    def batch_shape(self):
        return self._batch_input_shape

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {"batch_shape": self._batch_input_shape, "dtype": self._dtype,
                "sparse": self.sparse, "name": self.name}


def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=None, batch_shape=None,
          tensor=None, **kwargs):
    """A symbolic input tensor: `Input(shape=(32,))` stands for a (None, 32) batch."""
    if "batch_input_shape" in kwargs:
        batch_shape = kwargs.pop("batch_input_shape")
    if kwargs:
        raise TypeError(f"Input: unrecognized keyword argument(s) {sorted(kwargs)}.")
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, input_tensor=tensor, name=name)
    return layer._input_tensor
