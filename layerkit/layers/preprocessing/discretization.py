"""Discretization: buckets numbers by `bin_boundaries`, given or learned by `adapt()`.

adapt() keeps a weighted quantile summary (sorted sample points with weights),
merged batch by batch and compressed to about 1/epsilon points, then reads
num_bins - 1 boundaries off it: the approximation Keras 3 uses, so the boundaries
agree with Keras's on the same data."""
import numpy as np

from layerkit import ops
from layerkit.layers.layer import Layer
from layerkit.layers.preprocessing import adapt_data
from layerkit.layers.preprocessing.category_encoding import (encode_categories,
                                                             encoded_shape, check_sparse,
                                                             refuse_symbolic_sparse)

_MODES = ("int", "one_hot", "multi_hot", "count")


def _summary_of(values, epsilon):
    """Every step-th sorted value, each standing for `step` values."""
    values = np.sort(np.reshape(values, -1))
    step = max(values.size * epsilon, 1)
    picked = values[int(step) - 1::int(step)]
    return np.stack([picked, np.full(picked.shape, step, dtype=picked.dtype)])


def _compress(summary, epsilon):
    """Resamples the summary at the quantiles epsilon, 2 epsilon, ..., 1."""
    if summary.shape[1] * epsilon < 1:
        return summary
    quantiles = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = np.cumsum(summary[1])
    fractions = cumulative / cumulative[-1]
    points = np.interp(quantiles, fractions, summary[0])
    cumulative = np.interp(quantiles, fractions, cumulative)
    weights = np.diff(cumulative, prepend=0.0)
    return np.stack([points, weights]).astype("float32")


def _merge(a, b, epsilon):
    merged = np.concatenate([a, b], axis=1)
    return _compress(merged[:, np.argsort(merged[0], kind="stable")], epsilon)


class Discretization(Layer):
    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None, **kwargs):
        super().__init__(dtype=dtype, name=name, **kwargs)
        if output_mode not in _MODES:
            raise ValueError(f'Discretization "{self.name}": `output_mode` must be one of '
                             f"{_MODES}, received {output_mode!r}.")
        if num_bins is not None and (isinstance(num_bins, bool) or num_bins < 0):
            raise ValueError(f'Discretization "{self.name}": `num_bins` must be >= 0, received '
                             f"num_bins={num_bins!r}.")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f'Discretization "{self.name}": set `num_bins` or '
                             f"`bin_boundaries`, not both (received num_bins={num_bins} and "
                             f"bin_boundaries={bin_boundaries}).")
        if num_bins is None and bin_boundaries is None:
            raise ValueError(f'Discretization "{self.name}": set either `num_bins` (then call '
                             "adapt()) or `bin_boundaries`.")
        if bin_boundaries is not None:
            bin_boundaries = [float(b) for b in bin_boundaries]
            if any(b > c for b, c in zip(bin_boundaries, bin_boundaries[1:])):
                raise ValueError(f'Discretization "{self.name}": `bin_boundaries` must be '
                                 f"sorted in increasing order, received {bin_boundaries}.")
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = check_sparse(self, sparse, output_mode)
        self.summary = None if bin_boundaries else np.zeros((2, 0), dtype="float32")
        self.built = True

    @property
    def output_dtype(self):
        return self.compute_dtype if self.output_mode != "int" else "int32"

    def adapt(self, data, steps=None):
        if self.num_bins is None:
            raise ValueError(f'Discretization "{self.name}" was created with `bin_boundaries`; '
                             "create it with `num_bins` to adapt it.")
        self.reset_state()
        for batch in adapt_data.batches(data, f'Discretization "{self.name}"', steps):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        summary = _summary_of(np.asarray(data, dtype="float32"), self.epsilon)
        self.summary = _merge(summary, self.summary, self.epsilon)

    def finalize_state(self):
        if self.num_bins is not None:
            self.bin_boundaries = _compress(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def reset_state(self):
        if self.num_bins is not None:
            self.summary = np.zeros((2, 0), dtype="float32")

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(f'Discretization "{self.name}": pass `bin_boundaries` or call '
                             "adapt() before using the layer.")
        boundaries = ops.convert_to_tensor(np.asarray(self.bin_boundaries, dtype="float32"))
        inputs = ops.cast(inputs, "float32")
        # The bucket is the number of boundaries <= x (numpy.digitize, right=False).
        indices = ops.sum(ops.cast(ops.expand_dims(inputs, -1) >= boundaries, "int32"), axis=-1)
        return encode_categories(indices, self.output_mode, len(boundaries) + 1,
                                 self.output_dtype, sparse=self.sparse)

    def compute_output_shape(self, input_shape):
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None \
            else self.num_bins
        return encoded_shape(input_shape, self.output_mode, depth)

    def compute_output_spec(self, inputs):
        from layerkit.engine.common.symbolic_tensor import SymbolicTensor
        if self.sparse:
            refuse_symbolic_sparse(self)
        return SymbolicTensor(self.compute_output_shape(inputs.shape), self.output_dtype)

    def get_config(self):
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)
