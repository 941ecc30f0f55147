"""Merge layers: combine a list of tensors into one (Add, Concatenate, Dot, ...), and
their Keras functional spellings (`add([a, b])`, `concatenate([a, b], axis=-1)`, ...)."""
import functools

from layerkit import config as _config
from layerkit import ops
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.layers.layer import Layer


def _shape(s):
    return None if s is None else tuple(s)


class _Incompatible(Exception):
    """Two per-sample shapes that do not broadcast (turned into a ValueError that names
    the inputs)."""


def _producer(x):
    """The name of the layer whose call made symbolic tensor `x` (None if unknown)."""
    history = getattr(x, "_history", None)
    layer = history[0] if history else None
    return getattr(layer, "name", None) or getattr(x, "name", None)


class _Merge(Layer):
    """Base of the element-wise merges. Inputs may differ in rank: the lower-rank ones
    get new axes after the batch axis; then sizes broadcast as in NumPy (1 against n)."""

    _min_inputs = 2

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self._makes_masks = False      # merges only combine their inputs' masks
        self._reshape_required = False

    def __call__(self, inputs, *args, **kwargs):
        # While a graph is built, remember which layer made each input, so that a shape
        # error names them (an eager call names them by position only).
        if isinstance(inputs, (list, tuple)) and any(
                type(x) is SymbolicTensor for x in inputs):
            self._input_names = [_producer(x) for x in inputs]
        return super().__call__(inputs, *args, **kwargs)

    def _label(self, i, shape):
        names = self.__dict__.get("_input_names")
        made = f' (from layer "{names[i]}")' if names and i < len(names) and names[i] \
            else ""
        return f"input {i}{made} of shape {_shape(shape)}"

    # --- shapes -------------------------------------------------------
    def _check_list(self, input_shape):
        kind = type(self).__name__
        if not isinstance(input_shape, (list, tuple)) or not input_shape or not all(
                s is None or isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(f'{kind} layer "{self.name}" should be called on a list of '
                             f"tensors, received an input of shape {input_shape}.")
        if len(input_shape) < self._min_inputs:
            raise ValueError(f'{kind} layer "{self.name}" should be called on a list of at '
                             f"least {self._min_inputs} inputs, received "
                             f"{len(input_shape)} input(s) of shape(s) "
                             f"{[_shape(s) for s in input_shape]}.")

    def _broadcast(self, shape1, shape2):
        """The element-wise result shape of two per-sample shapes (batch axis removed);
        raises _Incompatible if they do not broadcast."""
        if shape1 is None or shape2 is None:
            return None
        if len(shape1) < len(shape2):
            shape1, shape2 = shape2, shape1
        if not shape2:
            return tuple(shape1)
        out = list(shape1[:len(shape1) - len(shape2)])
        for a, b in zip(shape1[len(shape1) - len(shape2):], shape2):
            if a is None or b is None:
                out.append(None)
            elif a == 1:
                out.append(b)
            elif b == 1 or a == b:
                out.append(a)
            else:
                raise _Incompatible()
        return tuple(out)

    def _incompatible(self, input_shape, i):
        """The error for input i, which does not broadcast with the inputs before it:
        names the first earlier input it clashes with."""
        rest = lambda k: None if input_shape[k] is None else tuple(input_shape[k][1:])  # noqa: E731
        j = 0
        for k in range(i):
            try:
                self._broadcast(rest(k), rest(i))
            except _Incompatible:
                j = k
                break
        return ValueError(
            f'{type(self).__name__} layer "{self.name}" received inputs with incompatible '
            f"shapes {[_shape(s) for s in input_shape]}: {self._label(j, input_shape[j])} "
            f"and {self._label(i, input_shape[i])} cannot be broadcast together (after the "
            "batch axis each size must match, or be 1).")

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(f'{type(self).__name__} layer "{self.name}" cannot merge '
                             f"tensors with different batch sizes, received shapes "
                             f"{[_shape(s) for s in input_shape]}.")
        first = input_shape[0]
        out = None if first is None else tuple(first[1:])
        for i, s in enumerate(input_shape[1:], 1):
            try:
                out = self._broadcast(out, None if s is None else tuple(s[1:]))
            except _Incompatible:
                raise self._incompatible(input_shape, i) from None
        if out is None:
            return None
        batch = next(iter(batch_sizes)) if batch_sizes else None
        return (batch,) + out

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self._reshape_required = (any(s is None for s in input_shape)
                                  or len({len(s) for s in input_shape}) != 1)
        self.built = True

    # --- running ------------------------------------------------------
    def _merge_function(self, inputs):
        raise NotImplementedError

    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f'{type(self).__name__} layer "{self.name}" should be called on '
                             f"a list of tensors, received a single tensor of shape "
                             f"{tuple(getattr(inputs, 'shape', ()))}.")
        shapes = [tuple(x.shape) for x in inputs]
        self.compute_output_shape(shapes)
        ranks = [len(s) for s in shapes]
        if len(set(ranks)) > 1:
            top = max(ranks)
            inputs = [_expand_after_batch(x, top - len(x.shape)) for x in inputs]
        elif isinstance(mask, (list, tuple)) and any(m is not None for m in mask):
            return self._masked_merge(list(inputs), list(mask))
        return self._merge_function(list(inputs))

    def _masked_merge(self, inputs, masks):
        """The merge when some inputs are masked; only Maximum, Minimum and Multiply
        let masked entries change their values (as in Keras 3)."""
        return self._merge_function(inputs)

    def _check_masks(self, inputs, mask):
        if not isinstance(mask, (list, tuple)):
            raise ValueError(f'{type(self).__name__} layer "{self.name}": `mask` should be a '
                             f"list (one mask or None per input), received mask={mask!r}.")
        if not isinstance(inputs, (list, tuple)) or len(mask) != len(inputs):
            raise ValueError(f'{type(self).__name__} layer "{self.name}": `inputs` and `mask` '
                             f"should be lists of the same length, received "
                             f"{len(inputs) if isinstance(inputs, (list, tuple)) else 1} "
                             f"input(s) and {len(mask)} mask(s).")

    def compute_mask(self, inputs, mask=None):
        # Keras 3: a position counts if any input counts there; an unmasked input
        # leaves the output unmasked.
        if mask is None:
            return None
        self._check_masks(inputs, mask)
        if any(m is None for m in mask):
            return None
        out = mask[0]
        for m in mask[1:]:
            out = ops.logical_or(out, m)
        return out

    def get_config(self):
        return super().get_config()


Merge = _Merge


def _expand_after_batch(x, n):
    for _ in range(n):
        x = ops.expand_dims(x, 1)
    return x


class Add(_Merge):
    """The element-wise sum of the inputs."""

    def _merge_function(self, inputs):
        return functools.reduce(ops.add, inputs)


class Subtract(_Merge):
    """inputs[0] - inputs[1]; takes exactly two inputs."""

    def _check_list(self, input_shape):
        super()._check_list(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f'Subtract layer "{self.name}" should be called on exactly 2 '
                             f"inputs, received {len(input_shape)}: "
                             f"{[_shape(s) for s in input_shape]}.")

    def _merge_function(self, inputs):
        return ops.subtract(inputs[0], inputs[1])


class Multiply(_Merge):
    """The element-wise product of the inputs."""

    def _merge_function(self, inputs):
        return functools.reduce(ops.multiply, inputs)

    def _masked_merge(self, inputs, masks):
        # Keras 3: masked entries count as 1 in the product; where every input is
        # masked (all inputs having masks), the output is 0.
        all_masked = all(m is not None for m in masks)
        out, out_mask = None, None
        for x, m in zip(inputs, masks):
            if m is not None:
                m = _feature_mask(m, x)
                x = ops.where(m, x, ops.ones_like(x))
                if all_masked:
                    out_mask = m if out_mask is None else ops.logical_or(out_mask, m)
            out = x if out is None else ops.multiply(out, x)
        if all_masked:
            out = ops.where(out_mask, out, ops.zeros_like(out))
        return out


class Average(_Merge):
    """The element-wise mean of the inputs."""

    def _merge_function(self, inputs):
        return ops.divide(functools.reduce(ops.add, inputs), len(inputs))


class Maximum(_Merge):
    """The element-wise maximum of the inputs."""

    def _merge_function(self, inputs):
        return functools.reduce(ops.maximum, inputs)

    def _masked_merge(self, inputs, masks):
        return _skip_masked(ops.maximum, inputs, masks)


class Minimum(_Merge):
    """The element-wise minimum of the inputs."""

    def _merge_function(self, inputs):
        return functools.reduce(ops.minimum, inputs)

    def _masked_merge(self, inputs, masks):
        return _skip_masked(ops.minimum, inputs, masks)


def _feature_mask(mask, x):
    """A (batch, steps) mask broadcast over x's trailing feature axis."""
    return ops.broadcast_to(ops.expand_dims(mask, -1), tuple(x.shape))


def _skip_masked(op, inputs, masks):
    """Keras 3's Maximum/Minimum with masks: where one side is masked out, the other
    side's value is taken (so no identity element is needed)."""
    out, out_mask = None, None
    for x, m in zip(inputs, masks):
        m = None if m is None else _feature_mask(m, x)
        if out is None:
            out, out_mask = x, m
            continue
        if m is not None:
            x = ops.where(m, x, out)
        if out_mask is not None:
            out = ops.where(out_mask, out, x)
        out_mask = ops.logical_or(out_mask, m) if m is not None and out_mask is not None \
            else None
        out = op(out, x)
    return out


class Concatenate(_Merge):
    """Joins the inputs along `axis`; all other axes must match."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        shapes = [tuple(s) for s in input_shape]
        ranks = {len(s) for s in shapes}
        where = f'Concatenate layer "{self.name}"'
        if len(ranks) != 1:
            raise ValueError(f"{where} requires inputs of the same rank, received shapes "
                             f"{shapes}.")
        rank = ranks.pop()
        if not -rank <= self.axis < rank:
            raise ValueError(f"{where}: axis {self.axis} is out of range for inputs of rank "
                             f"{rank} (shapes {shapes}).")
        axis = self.axis % rank
        out = []
        for i in range(rank):
            dims = [s[i] for s in shapes]
            if i == axis:
                out.append(None if None in dims else sum(dims))
                continue
            known = {d for d in dims if d is not None}
            if len(known) > 1:
                first = next(k for k, d in enumerate(dims) if d is not None)
                other = next(k for k, d in enumerate(dims) if d is not None and
                             d != dims[first])
                raise ValueError(
                    f"{where} requires inputs with matching shapes except for the "
                    f"concatenation axis {self.axis}; received shapes {shapes}: "
                    f"{self._label(first, shapes[first])} and "
                    f"{self._label(other, shapes[other])} differ on axis {i}.")
            out.append(known.pop() if known else None)
        return tuple(out)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f'Concatenate layer "{self.name}" should be called on a list of '
                             "tensors.")
        self.compute_output_shape([tuple(x.shape) for x in inputs])
        return ops.concatenate(list(inputs), axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        # Keras 3: each mask broadcast to its input's shape (all true for an unmasked
        # input), joined along the axis, then any() over the last axis.
        if mask is None:
            return None
        self._check_masks(inputs, mask)
        if all(m is None for m in mask):
            return None
        full = []
        for x, m in zip(inputs, mask):
            if m is None:
                m = ops.ones(tuple(x.shape), dtype="bool")
            elif len(m.shape) < len(x.shape):
                m = ops.broadcast_to(ops.expand_dims(m, -1), tuple(x.shape))
            full.append(m)
        return ops.any(ops.concatenate(full, axis=self.axis), axis=-1)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class Dot(_Merge):
    """Batch-wise dot product of two inputs over `axes` (an int for both inputs, or a
    pair); with `normalize=True`, the cosine similarity."""

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axes, (list, tuple)):
            if len(axes) != 2 or not all(isinstance(a, int) for a in axes):
                raise ValueError(f'Dot layer "{self.name}": `axes` must be an int or a pair '
                                 f"of ints, received axes={axes!r}.")
            axes = tuple(axes)
        elif not isinstance(axes, int):
            raise TypeError(f'Dot layer "{self.name}": `axes` must be an int or a pair of '
                            f"ints, received axes={axes!r}.")
        self.axes = axes
        self.normalize = bool(normalize)
        self.supports_masking = True

    def _check_list(self, input_shape):
        super()._check_list(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f'Dot layer "{self.name}" should be called on exactly 2 inputs, '
                             f"received {len(input_shape)}: "
                             f"{[_shape(s) for s in input_shape]}.")

    def _resolve_axes(self, shape1, shape2):
        pair = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        axes = []
        for a, s in zip(pair, (shape1, shape2)):
            if not -len(s) <= a < len(s):
                raise ValueError(f'Dot layer "{self.name}": axis {a} is out of range for an '
                                 f"input of shape {tuple(s)}.")
            axes.append(a % len(s))
        if 0 in axes:
            raise ValueError(f'Dot layer "{self.name}" cannot take the dot product over the '
                             f"batch axis 0 (axes={self.axes}, input shapes {tuple(shape1)} "
                             f"and {tuple(shape2)}).")
        return axes

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        shape1, shape2 = (list(s) for s in input_shape)
        for s in (shape1, shape2):
            if len(s) < 2:
                raise ValueError(f'Dot layer "{self.name}" needs inputs of rank >= 2, '
                                 f"received shapes {tuple(shape1)} and {tuple(shape2)}.")
        a1, a2 = self._resolve_axes(shape1, shape2)
        d1, d2 = shape1[a1], shape2[a2]
        b1, b2 = shape1[0], shape2[0]
        if (d1 is not None and d2 is not None and d1 != d2) or (
                b1 is not None and b2 is not None and b1 != b2):
            raise ValueError(
                f'Dot layer "{self.name}" received incompatible shapes {tuple(shape1)} and '
                f"{tuple(shape2)}: axis {a1} of {self._label(0, shape1)} has size {d1}, "
                f"axis {a2} of {self._label(1, shape2)} has size {d2} (and batch sizes "
                "must match).")
        batch = b1 if b1 is not None else b2
        out = [batch] + shape1[1:a1] + shape1[a1 + 1:] + shape2[1:a2] + shape2[a2 + 1:]
        if len(out) == 1:
            out.append(1)
        return tuple(out)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f'Dot layer "{self.name}" should be called on a list of 2 '
                             "tensors.")
        self.compute_output_shape([tuple(t.shape) for t in inputs])
        x, y = inputs
        a1, a2 = self._resolve_axes(tuple(x.shape), tuple(y.shape))
        if self.normalize:
            x = _l2_normalize(x, a1)
            y = _l2_normalize(y, a2)
        return batch_dot(x, y, (a1, a2))

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = super().get_config()
        config.update({"axes": list(self.axes) if isinstance(self.axes, tuple) else self.axes,
                       "normalize": self.normalize})
        return config


def _l2_normalize(x, axis):
    eps = _config.epsilon()
    sq = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return x / ops.sqrt(ops.maximum(sq, eps * eps))


def batch_dot(x, y, axes):
    """Keras's batch_dot: per sample, contract axis axes[0] of x with axes[1] of y (both
    non-batch axes). The result has x's remaining axes, then y's; rank 1 becomes
    (batch, 1)."""
    a1, a2 = axes
    xs, ys = tuple(x.shape), tuple(y.shape)
    batch, k = xs[0], xs[a1]
    x_rest = xs[1:a1] + xs[a1 + 1:]
    y_rest = ys[1:a2] + ys[a2 + 1:]
    # x -> (batch, X, k), y -> (batch, k, Y); one batched matmul does the contraction.
    x = ops.moveaxis(x, a1, -1)
    y = ops.moveaxis(y, a2, 1)
    nx, ny = _prod(x_rest), _prod(y_rest)
    out = ops.matmul(ops.reshape(x, (batch, nx, k)), ops.reshape(y, (batch, k, ny)))
    shape = (batch,) + x_rest + y_rest
    if len(shape) == 1:
        shape = (batch, 1)
    return ops.reshape(out, shape)


def _prod(dims):
    out = 1
    for d in dims:
        out *= int(d)
    return out


# --- functional spellings ----------------------------------------------------
def _functional_form(layer_class):
    def build_and_call(inputs, **kwargs):
        return layer_class(**kwargs)(inputs)
    build_and_call.__name__ = layer_class.__name__.lower()
    build_and_call.__doc__ = f"`{layer_class.__name__}(**kwargs)(inputs)`."
    return build_and_call


add = _functional_form(Add)
subtract = _functional_form(Subtract)
multiply = _functional_form(Multiply)
average = _functional_form(Average)
maximum = _functional_form(Maximum)
minimum = _functional_form(Minimum)


def concatenate(inputs, axis=-1, **kwargs):
    """`Concatenate(axis=axis, **kwargs)(inputs)`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """`Dot(axes=axes, normalize=normalize, **kwargs)(inputs)`."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
